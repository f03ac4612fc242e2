"""Talking to a member's endpoint: requests with retries, and pages read defensively.

Real endpoints time out, answer 503 with Retry-After, send stray text before the XML,
declare one character set and use another, or break the XML of one record. A page is
streamed to a temporary file (memory stays flat whatever its size), repaired where a
repair is certain, and each repair is reported rather than hidden. Nothing here writes
to the catalogue; `services` does.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

import httpx
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from simpul import __version__
from simpul.catalog.readers import parsed_whole

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
USER_AGENT = f"Simpul/{__version__} (union catalogue harvester)"
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
RETRIES = 4  # after the first attempt
BACKOFF_SECONDS = (2, 10, 30, 60)
MAX_RETRY_AFTER = 300  # a longer Retry-After is not waited for: the harvest fails and says so
MAX_PAGE_BYTES = 512 * 1024**2
SPOOL_BYTES = 4 * 1024**2
PAGES_AHEAD = 16  # a list's pages fetched before the harvest takes them
Walked = TypeVar("Walked")
# How a walker reads a page: (request, page) -> (what the harvest takes, next request or None).
Follow = Callable[[dict[str, str], "Page"], tuple[Walked, dict[str, str] | None]]
HEAD_BYTES = 64 * 1024
MAX_SPLIT_BYTES = 128 * 1024**2  # a broken page is taken apart record by record in memory


class HarvestError(Exception):
    """A harvest cannot go on; the message says why in words."""


@dataclass
class Envelope:
    """What the OAI-PMH wrapper of a page says (besides the records)."""

    response_date: dt.datetime | None = None
    error_code: str = ""
    error_text: str = ""
    token: str | None = None
    complete_list_size: int | None = None
    well_formed: bool = True
    syntax_error: str = ""


@dataclass
class Page:
    """One response body on disk, after the repairs listed in `repairs`."""

    body: IO[bytes]
    size: int
    repairs: list[str] = field(default_factory=list)
    quirks: set[str] = field(default_factory=set)

    def close(self) -> None:
        self.body.close()


class Client:
    """GET requests to one endpoint with the retry policy above."""

    def __init__(
        self,
        base_url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        transport: httpx.BaseTransport | None = None,
        retries: int = RETRIES,
    ) -> None:
        self.base_url = base_url
        self.retries = retries
        self.sleep = sleep
        self.backoff = backoff
        self.http = httpx.Client(
            timeout=TIMEOUT,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, params: dict[str, str]) -> Page:
        """The body of one request, retried on timeouts, 5xx and 503 Retry-After."""
        attempt = 0
        while True:
            try:
                return self._fetch_once(params)
            except _Retry as retry:
                if attempt >= self.retries:
                    raise HarvestError(
                        _("The endpoint did not answer after %(count)d attempts: %(reason)s")
                        % {"count": attempt + 1, "reason": retry.reason}
                    ) from None
                wait = retry.wait
                if wait is None:
                    wait = self.backoff[min(attempt, len(self.backoff) - 1)]
                self.sleep(wait)
                attempt += 1

    def _fetch_once(self, params: dict[str, str]) -> Page:
        try:
            with self.http.stream("GET", self.base_url, params=params) as response:
                if response.status_code == 503:
                    wait = _retry_after(response.headers.get("Retry-After"))
                    if wait is not None and wait > MAX_RETRY_AFTER:
                        raise HarvestError(
                            _(
                                "The endpoint asked us to come back in %(seconds)d seconds "
                                "(503 Retry-After); the harvest will be tried again later."
                            )
                            % {"seconds": wait}
                        )
                    raise _Retry(_("HTTP 503, busy"), wait)
                if response.status_code >= 500:
                    raise _Retry(_("HTTP %(status)d") % {"status": response.status_code}, None)
                if response.status_code >= 400:
                    raise HarvestError(
                        _("The endpoint answered HTTP %(status)d at %(url)s.")
                        % {"status": response.status_code, "url": response.url}
                    )
                body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_PAGE_BYTES:
                        body.close()
                        raise HarvestError(
                            _("One response was larger than %(size)d MB; the harvest stopped.")
                            % {"size": MAX_PAGE_BYTES // 1024**2}
                        )
                    body.write(chunk)
                body.seek(0)
                return repaired(Page(body, size))
        except httpx.TimeoutException:
            raise _Retry(_("no answer within the time limit"), None) from None
        except httpx.TransportError as error:
            raise _Retry(_("could not connect (%(error)s)") % {"error": error}, None) from None


class PageWalker(Generic[Walked]):
    """Fetches a list's pages in a thread, up to PAGES_AHEAD pages in front of the harvest.

    A member's endpoint often takes a second or more a page (SLiMS builds each page of 100
    from its database), and the harvest writes pages in batches; fetching ahead hides the
    endpoint's time behind the writing. `follow` reads what a page says about the next one
    (a resumption token, a page number): given a page and the request that brought it, it
    gives what the harvest takes for the page and the next request, or None at the end.
    The thread stops there, at an OAI-PMH error, or at a failure, which the harvest meets
    in its place in the list. It touches no database; pages beyond 4 MB wait on disk.
    """

    def __init__(
        self,
        client: Client,
        params: dict[str, str],
        follow: Follow[Walked],
    ) -> None:
        self._queue: queue.Queue[tuple[Page, Walked] | Exception | None] = queue.Queue(PAGES_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._walk,
            args=(client, dict(params), follow, translation.get_language()),
            name="page-walker",
            daemon=True,
        )
        self._thread.start()

    def __enter__(self) -> PageWalker[Walked]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Walked]:
        """What `follow` gave for each page, in order."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item[1]

    def _walk(
        self,
        client: Client,
        params: dict[str, str] | None,
        follow: Follow[Walked],
        language: str | None,
    ) -> None:
        with translation.override(language):  # repairs are worded in the harvest's language
            try:
                while params is not None and not self._stop.is_set():
                    page = client.fetch(params)
                    try:
                        walked, params = follow(params, page)
                    except Exception:
                        page.close()
                        raise
                    if not self._put((page, walked)):
                        page.close()
                        return
                self._put(None)
            except Exception as error:
                self._put(error)

    def _put(self, item: tuple[Page, Walked] | Exception | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def close(self) -> None:
        """Stop walking (after the page in flight) and drop the pages nobody took."""
        self._stop.set()
        self._thread.join()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, tuple):
                item[0].close()


def _by_token(
    _asked: dict[str, str], page: Page
) -> tuple[tuple[Page, Envelope], dict[str, str] | None]:
    envelope = read_envelope(page)
    if envelope.error_code or not envelope.token:
        return (page, envelope), None
    return (page, envelope), {"verb": "ListRecords", "resumptionToken": envelope.token}


def list_walker(client: Client, params: dict[str, str]) -> PageWalker[tuple[Page, Envelope]]:
    """A ListRecords list's pages with their envelopes, following resumption tokens."""
    return PageWalker(client, params, _by_token)


def numbered_walker(
    client: Client, params: dict[str, str], first: int, last: int
) -> PageWalker[Page]:
    """Pages `first` to `last` of a list paged by number (`page=N`), as SLiMS's search is."""

    def next_number(asked: dict[str, str], page: Page) -> tuple[Page, dict[str, str] | None]:
        number = int(asked["page"])
        return page, ({**asked, "page": str(number + 1)} if number < last else None)

    return PageWalker(client, {**params, "page": str(first)}, next_number)


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


# --- repairs ----------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_LATIN = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "iso_8859-1", "windows-1252", "cp1252"}


def repaired(page: Page) -> Page:
    """Cut stray text before the XML; trust the bytes over a wrong charset declaration."""
    head = page.body.read(HEAD_BYTES)
    page.body.seek(0)
    start = _xml_start(head)
    if start > 0:
        stray = head[:start].decode("utf-8", "replace").strip()
        page.repairs.append(
            _("Text before the XML was removed: %(text)s") % {"text": stray[:80] or "…"}
        )
        page.quirks.add("stray_text")
        page = _rewritten(page, start, b"")
        head = page.body.read(HEAD_BYTES)
        page.body.seek(0)
    declared = _DECLARATION.search(head[:400])
    charset = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    state = _utf8_state(page.body)
    if state == "invalid" and charset in ("utf-8", "utf8") and page.size <= MAX_SPLIT_BYTES:
        page.repairs.append(
            _(
                "The page said it was UTF-8 but was not; it was read as Windows-1252 "
                "(Western European)."
            )
        )
        page.quirks.add("wrong_charset")
        text = page.body.read().decode("cp1252", "replace")
        page.body.close()
        if declared:
            text = text[: declared.start(1)] + "UTF-8" + text[declared.end(1) :]
        fresh = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        fresh.write(text.encode("utf-8"))
        size = fresh.tell()
        fresh.seek(0)
        return Page(fresh, size, page.repairs, page.quirks)
    if declared and charset in _LATIN and state == "utf8":
        page.repairs.append(
            _(
                "The page declared the character set %(declared)s but was written in UTF-8; it "
                "was read as UTF-8."
            )
            % {"declared": declared.group(1).decode("ascii")}
        )
        page.quirks.add("wrong_charset")
        fixed = head[: declared.start(1)] + b"UTF-8" + head[declared.end(1) : declared.end()]
        page = _rewritten(page, declared.end(), fixed)
    return page


def _xml_start(head: bytes) -> int:
    """Where the XML begins: 0 normally; after stray text, the first `<?xml` or element."""
    stripped = head.lstrip()
    if not stripped or stripped.startswith((b"<", codecs.BOM_UTF8)):
        return 0
    found = [i for i in (head.find(b"<?xml"), head.find(b"<OAI-PMH")) if i >= 0]
    if not found:
        found = [m.start() for m in re.finditer(rb"<[A-Za-z]", head)][:1]
    return min(found) if found else 0


def _utf8_state(body: IO[bytes]) -> str:
    """ "ascii", "utf8" (non-ASCII text, valid UTF-8 throughout) or "invalid"."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    non_ascii = False
    try:
        while chunk := body.read(1024 * 1024):
            decoder.decode(chunk)
            non_ascii = non_ascii or not chunk.isascii()
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "invalid"
    finally:
        body.seek(0)
    return "utf8" if non_ascii else "ascii"


def _rewritten(page: Page, skip: int, prefix: bytes) -> Page:
    fresh = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    fresh.write(prefix)
    page.body.seek(skip)
    while chunk := page.body.read(1024 * 1024):
        fresh.write(chunk)
    page.body.close()
    size = fresh.tell()
    fresh.seek(0)
    return Page(fresh, size, page.repairs, page.quirks)


# --- the envelope -----------------------------------------------------------------------


def _parser_options() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "huge_tree": False,
        "load_dtd": False,
    }


# Only these elements come back from the parser: asking Python about every subfield of a
# page of 500 MARC records cost the harvesting process more than the parsing itself.
_ENVELOPE_OWN_TAGS = ["{*}" + name for name in ("responseDate", "error", "resumptionToken")]
_ENVELOPE_TAGS = ["{*}record", "{*}header", *_ENVELOPE_OWN_TAGS]


def read_envelope(page: Page) -> Envelope:
    """Error, resumption token and response date, read without keeping the records."""
    envelope = Envelope()
    head = page.body.read(HEAD_BYTES)
    page.body.seek(0)
    if re.search(rb"<!DOCTYPE|<!ENTITY", head):
        raise HarvestError(_("The response has a DOCTYPE declaration; it was refused unread."))
    try:
        for element in _envelope_elements(page):
            name = etree.QName(element).localname
            if name == "responseDate":
                envelope.response_date = parse_datestamp(element.text or "")
            elif name == "error" and etree.QName(element).namespace == OAI_NS:
                envelope.error_code = element.get("code", "")
                envelope.error_text = " ".join((element.text or "").split())
            elif name == "resumptionToken":
                envelope.token = (element.text or "").strip() or None
                size = element.get("completeListSize", "")
                envelope.complete_list_size = int(size) if size.isdigit() else None
            element.clear(keep_tail=False)
    except etree.XMLSyntaxError as error:
        envelope.well_formed = False
        envelope.syntax_error = str(error)[:200]
        _envelope_from_text(page, envelope)
    finally:
        page.body.seek(0)
    return envelope


def _envelope_elements(page: Page) -> Iterator[Any]:
    """The envelope's elements of a page (and the records', to be let go as they end).

    A page of usual size is parsed whole from memory: lxml does that without holding the
    interpreter lock, so the harvest's writing goes on meanwhile, and twice as fast as
    handing elements back one by one. A very large page is parsed as it is read."""
    if not parsed_whole(page.size):  # as the readers do with the same page
        for _event, element in etree.iterparse(
            page.body, events=("end",), tag=_ENVELOPE_TAGS, **_parser_options()
        ):
            yield element
        return
    root = etree.fromstring(page.body.read(), etree.XMLParser(**_parser_options()))
    yield from root.iter(*_ENVELOPE_OWN_TAGS)


def _envelope_from_text(page: Page, envelope: Envelope) -> None:
    """For a page that is not well-formed: find the token and the date by pattern."""
    page.body.seek(0)
    data = page.body.read(MAX_SPLIT_BYTES + 1)
    date = re.search(rb"<responseDate>([^<]+)</responseDate>", data)
    if date:
        envelope.response_date = parse_datestamp(date.group(1).decode("ascii", "replace"))
    token = re.search(rb"<resumptionToken([^>]*)>([^<]*)</resumptionToken>", data)
    if token:
        envelope.token = token.group(2).decode("utf-8", "replace").strip() or None
        size = re.search(rb'completeListSize="(\d+)"', token.group(1))
        envelope.complete_list_size = int(size.group(1)) if size else None
    error = re.search(rb'<error code="([A-Za-z]+)"[^>]*>([^<]*)</error>', data)
    if error:
        envelope.error_code = error.group(1).decode("ascii")
        envelope.error_text = error.group(2).decode("utf-8", "replace").strip()


_RECORD_START = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?record(?:\s[^>]*)?>\s*<(?:[A-Za-z_][\w.-]*:)?header"
)
_IDENTIFIER = re.compile(rb"<(?:[\w.-]+:)?identifier>([^<]*)</(?:[\w.-]+:)?identifier>")
_ENVELOPE_OPEN = b'<OAI-PMH xmlns="' + OAI_NS.encode() + b'"><ListRecords>'
_ENVELOPE_CLOSE = b"</ListRecords></OAI-PMH>"


@dataclass
class Piece:
    """One OAI record cut out of a page that is not well-formed, in its own small document."""

    identifier: str
    document: bytes
    error: str = ""


def split_records(page: Page) -> Iterator[Piece]:
    """Cut a broken ListRecords page into its records, so one bad record costs only itself."""
    page.body.seek(0)
    data = page.body.read(MAX_SPLIT_BYTES + 1)
    if len(data) > MAX_SPLIT_BYTES:
        raise HarvestError(
            _("A page that is not well-formed is too large (over %(size)d MB) to take apart.")
            % {"size": MAX_SPLIT_BYTES // 1024**2}
        )
    starts = [m.start() for m in _RECORD_START.finditer(data)]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = data[start:end]
        close = chunk.rfind(b"record>")
        if close >= 0:
            chunk = chunk[: close + len(b"record>")]
        found = _IDENTIFIER.search(chunk)
        identifier = found.group(1).decode("utf-8", "replace").strip() if found else ""
        document = _ENVELOPE_OPEN + _namespaced(data, chunk) + _ENVELOPE_CLOSE
        try:
            etree.fromstring(document, etree.XMLParser(**_parser_options()))
        except etree.XMLSyntaxError as error:
            yield Piece(identifier, b"", str(error)[:200])
            continue
        yield Piece(identifier, document)


def _namespaced(page: bytes, chunk: bytes) -> bytes:
    """A record cut out of its page loses the namespace prefixes declared on the root."""
    root = re.search(rb"<(?:[\w.-]+:)?OAI-PMH\b([^>]*)>", page)
    if not root:
        return chunk
    declarations = re.findall(rb'xmlns:[\w.-]+="[^"]*"', root.group(1))
    if not declarations:
        return chunk
    opening = re.match(rb"<((?:[\w.-]+:)?record)(\s[^>]*)?>", chunk)
    if not opening:
        return chunk
    present = opening.group(2) or b""
    missing = [d for d in declarations if d.split(b"=")[0] not in present]
    if not missing:
        return chunk
    return (
        b"<"
        + opening.group(1)
        + present
        + b" "
        + b" ".join(missing)
        + b">"
        + chunk[opening.end() :]
    )


# --- dates ------------------------------------------------------------------------------


def parse_datestamp(value: str) -> dt.datetime | None:
    """An OAI datestamp (day or seconds granularity) as an aware UTC datetime."""
    value = value.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def format_datestamp(when: dt.datetime, granularity: str) -> str:
    when = when.astimezone(dt.UTC)
    if granularity.startswith("YYYY-MM-DDThh"):
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.strftime("%Y-%m-%d")


# --- Identify, formats and sets (testing a source before it is saved) ----------------------


@dataclass
class Description:
    """What an endpoint says about itself."""

    repository_name: str = ""
    base_url: str = ""
    protocol_version: str = ""
    earliest_datestamp: str = ""
    deleted_record: str = ""
    granularity: str = ""
    formats: list[str] = field(default_factory=list)
    sets: list[tuple[str, str]] = field(default_factory=list)
    more_sets: bool = False
    quirks: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def _document(page: Page) -> Any:
    try:
        return etree.parse(page.body, etree.XMLParser(**_parser_options())).getroot()
    except etree.XMLSyntaxError as error:
        raise HarvestError(
            _("The answer is not well-formed XML: %(error)s") % {"error": str(error)[:200]}
        ) from None
    finally:
        page.close()


def _texts(root: Any, name: str) -> list[str]:
    return [" ".join((e.text or "").split()) for e in root.iter(f"{{{OAI_NS}}}{name}")]


def _check_oai(root: Any) -> None:
    if etree.QName(root).localname != "OAI-PMH":
        raise HarvestError(_("This is not an OAI-PMH endpoint: the answer is not OAI-PMH XML."))
    for error in root.iter(f"{{{OAI_NS}}}error"):
        code = error.get("code", "")
        if code != "noSetHierarchy":
            raise HarvestError(
                _("The endpoint answered with the OAI-PMH error %(code)s: %(text)s")
                % {"code": code, "text": " ".join((error.text or "").split())}
            )


def describe(client: Client) -> Description:
    """Identify, ListMetadataFormats and ListSets, with the quirks they reveal."""
    description = Description()
    page = client.fetch({"verb": "Identify"})
    description.quirks |= page.quirks
    description.notes.extend(page.repairs)
    root = _document(page)
    _check_oai(root)

    def first(name: str) -> str:
        found = _texts(root, name)
        return found[0] if found else ""

    description.repository_name = first("repositoryName")
    description.base_url = first("baseURL")
    description.protocol_version = first("protocolVersion")
    description.earliest_datestamp = first("earliestDatestamp")
    description.deleted_record = first("deletedRecord")
    description.granularity = first("granularity")
    if not description.earliest_datestamp:
        description.quirks.add("no_incremental")
        description.notes.append(
            _("No earliest datestamp: changes cannot be asked for by date; every harvest is full.")
        )
    if description.deleted_record in ("", "no"):
        description.quirks.add("no_deletions")
    elif description.deleted_record == "transient":
        description.notes.append(
            _(
                "Deleted records are kept only for a while (transient): a regular full harvest "
                "finds the rest."
            )
        )
    root = _document(client.fetch({"verb": "ListMetadataFormats"}))
    _check_oai(root)
    description.formats = _texts(root, "metadataPrefix")
    page = client.fetch({"verb": "ListSets"})
    root = _document(page)
    if not any(e.get("code") == "noSetHierarchy" for e in root.iter(f"{{{OAI_NS}}}error")):
        _check_oai(root)
        for item in root.iter(f"{{{OAI_NS}}}set"):
            spec = item.find(f"{{{OAI_NS}}}setSpec")
            name = item.find(f"{{{OAI_NS}}}setName")
            description.sets.append(
                (
                    (spec.text or "").strip() if spec is not None else "",
                    (name.text or "").strip() if name is not None else "",
                )
            )
        description.more_sets = any(
            (t.text or "").strip() for t in root.iter(f"{{{OAI_NS}}}resumptionToken")
        )
    return description
