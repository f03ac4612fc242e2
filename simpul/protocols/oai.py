"""OAI-PMH 2.0 provider: the union catalogue's titles for harvesters.

Items are title clusters, identified as ``oai:<repository identifier>:title/<cluster id>``.
Datestamps are the cluster's `updated_at` in UTC at seconds granularity (a list's first
request waits for writers in flight, so nothing commits behind its responseDate); a title that
leaves the catalogue stays as a deleted record (`DeletedCluster`, deletedRecord
"persistent"). Lists are paged by keyset on (datestamp, id), carried in a signed
resumption token, so titles changing during a harvest are neither skipped nor shifted:
a changed title moves behind the cursor and is sent again later in the same harvest.

`respond(arguments, base_url)` is the whole protocol: the view only passes the
request's arguments and the base URL, and returns the bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from lxml import etree

from simpul.catalog.bibliographic import MaterialType
from simpul.catalog.exports.marc21slim import MARC_NS, MARC_SCHEMA, XSI_NS
from simpul.catalog.models import Cluster, DeletedCluster, Record, RecordStatus
from simpul.catalog.queries import format_label
from simpul.catalog.services import change_log
from simpul.network.models import Library, Network
from simpul.protocols import records
from simpul.protocols.records import OAI_DC_NS, OAI_DC_SCHEMA

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DEFAULT_PAGE_SIZE = 500
WRITERS_WAIT_SECONDS = 10.0  # a list's first request waits this long at most for writers
TOKEN_SALT = "simpul.protocols.oai.token"  # noqa: S105 (a signing salt)
LOCAL_PREFIX = "title/"

FORMATS = {
    "oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS),
    "marcxml": (MARC_SCHEMA, MARC_NS),
}
ARGUMENTS = {  # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
_EMAIL = re.compile(r"^\S+@(\S+\.)+\S+$")
_MARKER = re.compile(r"<metadata>([0-9a-f]{16}-[0-9]+)</metadata>")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- configuration ---------------------------------------------------------------------------


def repository_identifier() -> str:
    """SIMPUL_OAI_REPOSITORY_IDENTIFIER, else the site's host name if it is a domain name."""
    configured = str(getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "") or "")
    if configured:
        return configured
    host = (settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]).lower()
    return host if _REPOSITORY_ID.match(host) else "simpul.localhost"


def admin_emails() -> list[str]:
    """Who runs the repository: the setting, else the coordinating library, else the sender."""
    candidates = [str(getattr(settings, "OAI_ADMIN_EMAIL", "") or "")]
    network = Network.objects.select_related("coordinator").first()
    if network is not None and network.coordinator is not None:
        candidates.append(network.coordinator.email)
    sender = re.search(r"<([^>]+)>", settings.DEFAULT_FROM_EMAIL)
    candidates.append(sender.group(1) if sender else settings.DEFAULT_FROM_EMAIL)
    for candidate in candidates:
        if candidate and _EMAIL.match(candidate.strip()):
            return [candidate.strip()]
    return [f"admin@{repository_identifier()}"]


def page_size() -> int:
    return max(1, int(getattr(settings, "OAI_PAGE_SIZE", DEFAULT_PAGE_SIZE)))


def oai_identifier(cluster_id: int) -> str:
    return f"oai:{repository_identifier()}:{LOCAL_PREFIX}{cluster_id}"


def cluster_id_of(identifier: str) -> int | None:
    prefix = f"oai:{repository_identifier()}:{LOCAL_PREFIX}"
    number = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if number.isascii() and number.isdigit() and len(number) < 19:
        return int(number)
    return None


def datestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- requests --------------------------------------------------------------------------------


@dataclass
class Selection:
    """What a list request selects: format, set and date range (until is exclusive here)."""

    prefix: str
    set_spec: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None  # exclusive
    from_text: str = ""
    until_text: str = ""


@dataclass
class Position:
    """Where a list stopped: after (datestamp, id), with the counts the token reports."""

    moment: dt.datetime
    cluster_id: int
    cursor: int
    total: int


@dataclass
class Parsed:
    verb: str
    arguments: dict[str, str] = field(default_factory=dict)


def parse_arguments(pairs: Sequence[tuple[str, str]]) -> Parsed:
    """Check the request's arguments against its verb; OAIError(badVerb/badArgument) if wrong."""
    verbs = [value for name, value in pairs if name == "verb"]
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        if len(verbs) > 1:
            raise OAIError("badVerb", "The verb argument is repeated.")
        if not verbs:
            raise OAIError("badVerb", "The verb argument is missing.")
        raise OAIError("badVerb", f"{verbs[0][:100]!r} is not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional, exclusive = ARGUMENTS[verb]
    arguments: dict[str, str] = {}
    for name, value in pairs:
        if name == "verb":
            continue
        if name in arguments:
            raise OAIError("badArgument", f"The argument {name} is repeated.")
        if name not in required | optional and name != exclusive:
            raise OAIError("badArgument", f"{verb} does not take the argument {name[:100]!r}.")
        arguments[name] = value
    if exclusive and exclusive in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", f"{exclusive} must be the only argument besides verb.")
        return Parsed(verb, arguments)
    missing = sorted(required - set(arguments))
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {', '.join(missing)}.")
    return Parsed(verb, arguments)


def _moment(text: str, name: str, end: bool) -> tuple[dt.datetime, str]:
    """A from/until value as a UTC instant (until: the first instant after it) and its kind."""
    try:
        if _DAY.match(text):
            day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return (day + dt.timedelta(days=1) if end else day), "day"
        if _SECOND.match(text):
            second = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return (second + dt.timedelta(seconds=1) if end else second), "second"
    except (ValueError, OverflowError):
        pass
    raise OAIError(
        "badArgument", f"{name} must be a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ)."
    )


def selection(arguments: dict[str, str]) -> Selection:
    """The list selection of a first (token-less) ListIdentifiers or ListRecords request."""
    chosen = Selection(prefix=arguments["metadataPrefix"])
    kinds = []
    if "from" in arguments:
        chosen.start, kind = _moment(arguments["from"], "from", end=False)
        chosen.from_text = arguments["from"]
        kinds.append(kind)
    if "until" in arguments:
        chosen.end, kind = _moment(arguments["until"], "until", end=True)
        chosen.until_text = arguments["until"]
        kinds.append(kind)
    if len(set(kinds)) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if chosen.start and chosen.end and chosen.start >= chosen.end:
        raise OAIError("badArgument", "from is later than until.")
    if "set" in arguments:
        if not _SET_SPEC.match(arguments["set"]):
            raise OAIError("badArgument", "The set argument is not a valid setSpec.")
        chosen.set_spec = arguments["set"]
    return chosen


# --- resumption tokens -----------------------------------------------------------------------


def make_token(chosen: Selection, position: Position) -> str:
    return signing.dumps(
        {
            "v": 1,
            "p": chosen.prefix,
            "s": chosen.set_spec,
            "f": chosen.start.isoformat() if chosen.start else "",
            "u": chosen.end.isoformat() if chosen.end else "",
            "t": position.moment.isoformat(),
            "i": position.cluster_id,
            "c": position.cursor,
            "n": position.total,
        },
        salt=TOKEN_SALT,
        compress=True,
    )


def read_token(token: str) -> tuple[Selection, Position]:
    try:
        data: dict[str, Any] = signing.loads(token, salt=TOKEN_SALT)
        if data.get("v") != 1:
            raise ValueError("unknown token version")
        chosen = Selection(
            prefix=str(data["p"]),
            set_spec=str(data["s"]),
            start=dt.datetime.fromisoformat(data["f"]) if data["f"] else None,
            end=dt.datetime.fromisoformat(data["u"]) if data["u"] else None,
        )
        position = Position(
            moment=dt.datetime.fromisoformat(data["t"]),
            cluster_id=int(data["i"]),
            cursor=int(data["c"]),
            total=int(data["n"]),
        )
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise OAIError(
            "badResumptionToken", "The resumption token is invalid or was not issued here."
        ) from None
    if chosen.prefix not in FORMATS:
        raise OAIError("badResumptionToken", "The resumption token names an unknown format.")
    return chosen, position


# --- reading the catalogue -------------------------------------------------------------------


Row = tuple[int, dt.datetime, str, int | None]  # cluster id, datestamp, material type, best


def _set_filters(set_spec: str) -> tuple[Q | None, Q | None] | None:
    """Conditions on live clusters and on tombstones for a set; None if the set cannot exist."""
    kind, _colon, value = set_spec.partition(":")
    if not set_spec or (kind in {"library", "format"} and not value):
        return None, None
    if kind == "library" and ":" not in value:
        held = Record.objects.filter(
            cluster_id=OuterRef("pk"), library__code=value, status=RecordStatus.ACTIVE
        )
        return Q(Exists(held)), None  # a deletion is reported in every library set
    if kind == "format" and ":" not in value:
        return Q(material_type=value), Q(material_type=value)
    return None


def _live(chosen: Selection, condition: Q | None) -> QuerySet[Cluster]:
    found = Cluster.objects.filter(best_record__isnull=False)
    if condition is not None:
        found = found.filter(condition)
    if chosen.start:
        found = found.filter(updated_at__gte=chosen.start)
    if chosen.end:
        found = found.filter(updated_at__lt=chosen.end)
    return found


def _deleted(chosen: Selection, condition: Q | None) -> QuerySet[DeletedCluster]:
    found = DeletedCluster.objects.all()
    if condition is not None:
        found = found.filter(condition)
    if chosen.start:
        found = found.filter(deleted_at__gte=chosen.start)
    if chosen.end:
        found = found.filter(deleted_at__lt=chosen.end)
    return found


def list_page(
    chosen: Selection, after: Position | None, size: int
) -> tuple[list[Row], list[Row], int, bool]:
    """One page of live and deleted titles after a position, in (datestamp, id) order.

    Returns (live rows, deleted rows, size of the complete list, whether more follow);
    deleted rows have no material type or best record to show.
    """
    filters = _set_filters(chosen.set_spec)
    if filters is None:
        return [], [], 0, False
    live_condition, deleted_condition = filters
    live = _live(chosen, live_condition)
    deleted = _deleted(chosen, deleted_condition)
    total = after.total if after else live.count() + deleted.count()
    if after:
        moment, last = after.moment, after.cluster_id
        live = live.filter(updated_at__gte=moment).filter(Q(updated_at__gt=moment) | Q(pk__gt=last))
        deleted = deleted.filter(deleted_at__gte=moment).filter(
            Q(deleted_at__gt=moment) | Q(cluster_id__gt=last)
        )
    live_rows: list[Row] = list(
        live.order_by("updated_at", "pk").values_list(
            "pk", "updated_at", "material_type", "best_record_id"
        )[: size + 1]
    )
    deleted_rows: list[Row] = [
        (cluster_id, moment, kind, None)
        for cluster_id, moment, kind in deleted.order_by("deleted_at", "cluster_id").values_list(
            "cluster_id", "deleted_at", "material_type"
        )[: size + 1]
    ]
    merged = sorted(
        [(row, False) for row in live_rows] + [(row, True) for row in deleted_rows],
        key=lambda item: (item[0][1], item[0][0]),
    )
    page = merged[:size]
    more = len(merged) > size
    return (
        [row for row, gone in page if not gone],
        [row for row, gone in page if gone],
        total,
        more,
    )


def find(cluster_id: int) -> tuple[Row | None, Row | None]:
    """A live title's row, or else its tombstone's row (both None: never here)."""
    live = (
        Cluster.objects.filter(pk=cluster_id, best_record__isnull=False)
        .values_list("pk", "updated_at", "material_type", "best_record_id")
        .first()
    )
    if live is not None:
        return live, None
    gone = (
        DeletedCluster.objects.filter(cluster_id=cluster_id)
        .values_list("cluster_id", "deleted_at", "material_type")
        .first()
    )
    return None, ((gone[0], gone[1], gone[2], None) if gone else None)


# --- writing responses -----------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def _envelope(base_url: str, request_attributes: dict[str, str]) -> etree._Element:
    root = etree.Element(_q("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    etree.SubElement(root, _q("responseDate")).text = datestamp(timezone.now())
    request = etree.SubElement(root, _q("request"), request_attributes)
    request.text = base_url
    return root


def _header(parent: etree._Element, row: Row, sets: list[str], deleted: bool) -> None:
    header = etree.SubElement(parent, _q("header"))
    if deleted:
        header.set("status", "deleted")
    etree.SubElement(header, _q("identifier")).text = oai_identifier(row[0])
    etree.SubElement(header, _q("datestamp")).text = datestamp(row[1])
    for spec in sets:
        etree.SubElement(header, _q("setSpec")).text = spec


def _sets_of(title: records.Title | None, kind: str) -> list[str]:
    specs = [
        f"library:{code}" for code in (title.libraries if title else []) if _SET_SPEC.match(code)
    ]
    if kind and _SET_SPEC.match(kind):
        specs.append(f"format:{kind}")
    return specs


def _write_items(
    parent: etree._Element,
    live: list[Row],
    deleted: list[Row],
    prefix: str,
    with_metadata: bool,
) -> dict[str, str]:
    """Headers (and records) of a page, in datestamp order, from a fixed number of queries.

    MARCXML is written as text (building 500 records as trees is the slow part of a
    page): each <metadata> holds a unique marker, returned with its text for `_serialise`.
    """
    titles = {
        title.cluster_id: title
        for title in records.load_titles(
            live,
            records=with_metadata,
            raw=prefix == "marcxml",
            holdings=with_metadata and prefix == "marcxml",
        )
    }
    names = records.library_names() if with_metadata and prefix == "marcxml" else {}
    nonce = secrets.token_hex(8)
    texts: dict[str, str] = {}
    items = [(row, False) for row in live] + [(row, True) for row in deleted]
    items.sort(key=lambda item: (item[0][1], item[0][0]))
    for row, gone in items:
        title = None if gone else titles.get(row[0])
        container = etree.SubElement(parent, _q("record")) if with_metadata else parent
        _header(container, row, _sets_of(title, row[2]), gone)
        if not with_metadata or title is None:
            continue
        if prefix == "marcxml":
            text = records.marcxml_text(title, names)
            if text is not None:
                marker = f"{nonce}-{row[0]}"
                etree.SubElement(container, _q("metadata")).text = marker
                texts[marker] = text
        else:
            etree.SubElement(container, _q("metadata")).append(records.dublin_core(title))
    return texts


def _identify(root: etree._Element, base_url: str) -> None:
    body = etree.SubElement(root, _q("Identify"))
    network = Network.objects.first()
    etree.SubElement(body, _q("repositoryName")).text = (
        f"{network.name} (Simpul)" if network else "Simpul"
    )
    etree.SubElement(body, _q("baseURL")).text = base_url
    etree.SubElement(body, _q("protocolVersion")).text = "2.0"
    for email in admin_emails():
        etree.SubElement(body, _q("adminEmail")).text = email
    firsts = [
        Cluster.objects.order_by("updated_at").values_list("updated_at", flat=True).first(),
        DeletedCluster.objects.order_by("deleted_at").values_list("deleted_at", flat=True).first(),
    ]
    known = [moment for moment in firsts if moment is not None]
    etree.SubElement(body, _q("earliestDatestamp")).text = datestamp(
        min(known) if known else timezone.now()
    )
    etree.SubElement(body, _q("deletedRecord")).text = "persistent"
    etree.SubElement(body, _q("granularity")).text = GRANULARITY
    description = etree.SubElement(body, _q("description"))
    ident = etree.SubElement(
        description, f"{{{OAI_ID_NS}}}oai-identifier", nsmap={None: OAI_ID_NS, "xsi": XSI_NS}
    )
    ident.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_ID_NS} {OAI_ID_SCHEMA}")
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_identifier()),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier(1)),
    ):
        etree.SubElement(ident, f"{{{OAI_ID_NS}}}{name}").text = value


def _list_metadata_formats(root: etree._Element, arguments: dict[str, str]) -> None:
    if "identifier" in arguments:
        _require_item(arguments["identifier"])
    body = etree.SubElement(root, _q("ListMetadataFormats"))
    for prefix, (schema, namespace) in FORMATS.items():
        item = etree.SubElement(body, _q("metadataFormat"))
        etree.SubElement(item, _q("metadataPrefix")).text = prefix
        etree.SubElement(item, _q("schema")).text = schema
        etree.SubElement(item, _q("metadataNamespace")).text = namespace


def _list_sets(root: etree._Element, arguments: dict[str, str]) -> None:
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "ListSets is never split; there is no token.")
    body = etree.SubElement(root, _q("ListSets"))

    def add(spec: str, name: str) -> None:
        item = etree.SubElement(body, _q("set"))
        etree.SubElement(item, _q("setSpec")).text = spec
        etree.SubElement(item, _q("setName")).text = records.xml_text(name)

    add("library", "Perpustakaan anggota (member libraries)")
    for code, name in (
        Library.objects.filter(is_active=True).order_by("code").values_list("code", "name")
    ):
        if _SET_SPEC.match(code):
            add(f"library:{code}", name)
    add("format", "Jenis bahan (material types)")
    with translation.override(settings.LANGUAGE_CODE):
        for kind in MaterialType:
            add(f"format:{kind.value}", format_label(kind.value))


def _require_item(identifier: str) -> tuple[Row | None, Row | None]:
    cluster_id = cluster_id_of(identifier)
    live, gone = find(cluster_id) if cluster_id is not None else (None, None)
    if live is None and gone is None:
        raise OAIError("idDoesNotExist", f"No item has the identifier {identifier[:200]!r}.")
    return live, gone


def _check_prefix(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"The format {prefix[:100]!r} is not offered; use oai_dc or marcxml.",
        )


def _get_record(root: etree._Element, arguments: dict[str, str]) -> dict[str, str]:
    _check_prefix(arguments["metadataPrefix"])
    live, gone = _require_item(arguments["identifier"])
    body = etree.SubElement(root, _q("GetRecord"))
    return _write_items(
        body,
        [live] if live else [],
        [gone] if gone else [],
        arguments["metadataPrefix"],
        with_metadata=True,
    )


def _list(root: etree._Element, verb: str, arguments: dict[str, str]) -> dict[str, str]:
    if "resumptionToken" in arguments:
        chosen, after = read_token(arguments["resumptionToken"])
    else:
        _check_prefix(arguments["metadataPrefix"])
        chosen, after = selection(arguments), None
    size = page_size()
    live, deleted, total, more = list_page(chosen, after, size)
    if not live and not deleted:
        raise OAIError("noRecordsMatch", "No titles match these arguments (any longer).")
    body = etree.SubElement(root, _q(verb))
    texts = _write_items(body, live, deleted, chosen.prefix, with_metadata=verb == "ListRecords")
    cursor = after.cursor if after else 0
    sent = len(live) + len(deleted)
    if after is None and not more:
        return texts  # the whole list in one response: no token at all
    token = etree.SubElement(body, _q("resumptionToken"))
    token.set("cursor", str(cursor))
    token.set("completeListSize", str(max(total, cursor + sent)))
    if more:
        last = max([*live, *deleted], key=lambda row: (row[1], row[0]))
        token.text = make_token(
            chosen, Position(moment=last[1], cluster_id=last[0], cursor=cursor + sent, total=total)
        )
    return texts


def respond(pairs: Sequence[tuple[str, str]], base_url: str) -> bytes:
    """The complete OAI-PMH response to a request's arguments (name, value pairs)."""
    try:
        parsed = parse_arguments(pairs)
    except OAIError as error:
        return _error_response(base_url, {}, [error])
    attributes = {"verb": parsed.verb, **parsed.arguments}
    if parsed.verb in {"ListIdentifiers", "ListRecords"} and "resumptionToken" not in attributes:
        # The harvester takes this response's date as the start of its next harvest: no
        # title may be committed after it with an earlier datestamp (see change_log).
        change_log.wait_for_writers(WRITERS_WAIT_SECONDS)
    root = _envelope(base_url, _echoable(attributes))
    texts: dict[str, str] = {}
    try:
        if parsed.verb == "Identify":
            _identify(root, base_url)
        elif parsed.verb == "ListMetadataFormats":
            _list_metadata_formats(root, parsed.arguments)
        elif parsed.verb == "ListSets":
            _list_sets(root, parsed.arguments)
        elif parsed.verb == "GetRecord":
            texts = _get_record(root, parsed.arguments)
        else:
            texts = _list(root, parsed.verb, parsed.arguments)
    except OAIError as error:
        shown = {} if error.code == "badArgument" else _echoable(attributes)
        return _error_response(base_url, shown, [error])
    return _serialise(root, texts)


def _echoable(attributes: dict[str, str]) -> dict[str, str]:
    """The request's attributes that fit the schema's types (the request element is typed)."""
    kept = {}
    for name, value in attributes.items():
        if name in {"from", "until"} and not (_DAY.match(value) or _SECOND.match(value)):
            continue
        if name == "set" and not _SET_SPEC.match(value):
            continue
        if name == "metadataPrefix" and not re.match(r"^[A-Za-z0-9\-_.!~*'()]+$", value):
            continue
        if name == "identifier" and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$", value):
            continue
        kept[name] = records.xml_text(value)
    return kept


def _error_response(base_url: str, attributes: dict[str, str], errors: list[OAIError]) -> bytes:
    root = _envelope(base_url, attributes)
    for error in errors:
        element = etree.SubElement(root, _q("error"), code=error.code)
        element.text = records.xml_text(error.message)
    return _serialise(root)


def _serialise(root: etree._Element, texts: dict[str, str] | None = None) -> bytes:
    if not texts:
        return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))
    body = str(etree.tostring(root, encoding="unicode"))
    body = _MARKER.sub(
        lambda found: f"<metadata>{texts.get(found.group(1), found.group(1))}</metadata>", body
    )
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + body.encode("utf-8")
