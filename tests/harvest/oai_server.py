"""A small OAI-PMH server of our own that misbehaves on request, for the harvester's tests.

It serves the real Caltech records of ../shared/data/oai_pmh/zebra-oai-caltech.xml in
pages, and can answer 503 with Retry-After, fail with 500, put stray text before the
XML, declare ISO-8859-1 while writing UTF-8, break one record's XML, expire its
resumption tokens, report deletions, or use plain offsets as tokens (as SLiMS does).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared/data/oai_pmh/zebra-oai-caltech.xml"


@dataclass
class Item:
    identifier: str
    datestamp: str
    xml: bytes  # the whole <record> element
    deleted: bool = False

    def header_only(self) -> bytes:
        return (
            f'<record><header status="deleted"><identifier>{self.identifier}</identifier>'
            f"<datestamp>{self.datestamp}</datestamp></header></record>"
        ).encode()


def caltech_items() -> list[Item]:
    root = etree.parse(str(SAMPLE)).getroot()
    items = []
    for record in root.iter(f"{{{OAI}}}record"):
        header = record.find(f"{{{OAI}}}header")
        assert header is not None
        identifier = header.findtext(f"{{{OAI}}}identifier") or ""
        datestamp = header.findtext(f"{{{OAI}}}datestamp") or ""
        items.append(Item(identifier, datestamp, etree.tostring(record)))
    return items


@dataclass
class Behaviour:
    page_size: int = 30
    items: list[Item] = field(default_factory=caltech_items)
    granularity: str = "YYYY-MM-DD"
    earliest: str = "2001-01-01"
    deleted_record: str = "persistent"
    busy_first: int = 0  # answer the first N requests with 503 Retry-After: 0
    errors_first: int = 0  # answer the next N requests with 500
    fail_from_request: int | None = None  # from this request on (counting from 1), 500
    raw_answer: bytes | None = None  # answer everything with these bytes
    stray_text: bool = False
    declare_latin1: bool = False
    break_record: str | None = None  # identifier whose XML is broken
    expire_tokens_once: bool = False
    offset_tokens: bool = False
    ignore_from: bool = False
    response_date: str = "2026-11-20T10:00:00Z"
    slims_result_info: bool = True  # SLiMS's <slims:resultInfo> with the number of results
    slims_ids: dict[str, int] = field(default_factory=dict)  # biblio_id by item, as first shown
    requests: list[dict[str, str]] = field(default_factory=list)


def _envelope(behaviour: Behaviour, inner: bytes, request: dict[str, str]) -> bytes:
    attributes = " ".join(
        f'{k}="{v}"' for k, v in sorted(request.items()) if k != "resumptionToken"
    )
    charset = "ISO-8859-1" if behaviour.declare_latin1 else "UTF-8"
    head = b""
    if behaviour.stray_text:
        head = b"Warning: Undefined variable $sets in /var/www/slims/oai.php on line 42\n"
    return (
        head
        + (
            f'<?xml version="1.0" encoding="{charset}"?>\n'
            f'<OAI-PMH xmlns="{OAI}"><responseDate>{behaviour.response_date}</responseDate>'
            f"<request {attributes}>http://127.0.0.1/oai</request>"
        ).encode()
        + inner
        + b"</OAI-PMH>"
    )


def _error(code: str, text: str) -> bytes:
    return f'<error code="{code}">{text}</error>'.encode()


def answer(behaviour: Behaviour, request: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    behaviour.requests.append(dict(request))
    if behaviour.raw_answer is not None:
        return 200, {}, behaviour.raw_answer
    if behaviour.fail_from_request and len(behaviour.requests) >= behaviour.fail_from_request:
        return 500, {}, b"Internal Server Error"
    if behaviour.busy_first > 0:
        behaviour.busy_first -= 1
        return 503, {"Retry-After": "0"}, b"busy"
    if behaviour.errors_first > 0:
        behaviour.errors_first -= 1
        return 500, {}, b"Internal Server Error"
    if request.get("resultXML") == "true":
        return 200, {}, slims_mods_page(behaviour, int(request.get("page", "1")))
    verb = request.get("verb", "")
    if verb == "Identify":
        body = (
            f"<Identify><repositoryName>Loopback test repository</repositoryName>"
            f"<baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>it@example.org</adminEmail>"
            f"<earliestDatestamp>{behaviour.earliest}</earliestDatestamp>"
            f"<deletedRecord>{behaviour.deleted_record}</deletedRecord>"
            f"<granularity>{behaviour.granularity}</granularity></Identify>"
        ).encode()
        return 200, {}, _envelope(behaviour, body, request)
    if verb == "ListMetadataFormats":
        body = (
            b"<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
            b"<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
            b"<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
            b"</metadataFormat></ListMetadataFormats>"
        )
        return 200, {}, _envelope(behaviour, body, request)
    if verb == "ListSets":
        body = (
            b"<ListSets><set><setSpec>theses</setSpec><setName>Theses</setName></set>"
            b"<set><setSpec>reports</setSpec><setName>Technical reports</setName></set></ListSets>"
        )
        return 200, {}, _envelope(behaviour, body, request)
    if verb == "GetRecord":
        wanted = request.get("identifier", "")
        for item in behaviour.items:
            if item.identifier == wanted:
                inner = item.header_only() if item.deleted else item.xml
                return (
                    200,
                    {},
                    _envelope(behaviour, b"<GetRecord>" + inner + b"</GetRecord>", request),
                )
        return 200, {}, _envelope(behaviour, _error("idDoesNotExist", "No such record"), request)
    if verb != "ListRecords":
        return 200, {}, _envelope(behaviour, _error("badVerb", "Illegal verb"), request)
    token = request.get("resumptionToken")
    if token is not None:
        if behaviour.expire_tokens_once:
            behaviour.expire_tokens_once = False
            return 200, {}, _envelope(behaviour, _error("badResumptionToken", "expired"), request)
        match = re.fullmatch(r"(?:page-)?(\d+)(?:\|(.*))?", token)
        if not match:
            return 200, {}, _envelope(behaviour, _error("badResumptionToken", "unknown"), request)
        start, since = int(match.group(1)), match.group(2) or ""
    else:
        start, since = 0, request.get("from", "")
    items = behaviour.items
    if since and not behaviour.ignore_from:
        items = [i for i in items if i.datestamp[:10] >= since[:10]]
    if not items:
        return 200, {}, _envelope(behaviour, _error("noRecordsMatch", "nothing"), request)
    page = items[start : start + behaviour.page_size]
    parts = []
    for item in page:
        xml = item.header_only() if item.deleted else item.xml
        if item.identifier == behaviour.break_record:
            xml = xml.replace(b"</dc:title>", b"</dc:titel>", 1)
        parts.append(xml)
    following = start + behaviour.page_size
    if following < len(items):
        value = str(following) if behaviour.offset_tokens else f"page-{following}"
        if since:
            value += f"|{since}"
        parts.append(
            f'<resumptionToken completeListSize="{len(items)}" cursor="{start}">'
            f"{value}</resumptionToken>".encode()
        )
    elif start:
        parts.append(f'<resumptionToken completeListSize="{len(items)}"/>'.encode())
    body = b"<ListRecords>" + b"".join(parts) + b"</ListRecords>"
    return 200, {}, _envelope(behaviour, body, request)


def slims_mods_page(behaviour: Behaviour, number: int) -> bytes:
    """SLiMS's MODS search results (index.php?resultXML=true&page=N), 10 a page, built
    from the sample's titles and creators as SLiMS's DefaultEngine::toXML writes them."""
    per_page = 10
    chosen = behaviour.items[(number - 1) * per_page : number * per_page]
    parts = []
    for item in chosen:
        biblio_id = behaviour.slims_ids.setdefault(item.identifier, len(behaviour.slims_ids) + 1)
        root = etree.fromstring(item.xml)
        title = root.findtext(".//{http://purl.org/dc/elements/1.1/}title") or ""
        creator = root.findtext(".//{http://purl.org/dc/elements/1.1/}creator") or ""
        mods = etree.Element("mods", version="3.3", ID=str(biblio_id))
        info = etree.SubElement(mods, "titleInfo")
        etree.SubElement(info, "title").text = title
        name = etree.SubElement(mods, "name", type="Personal Name", authority="")
        etree.SubElement(name, "namePart").text = creator
        etree.SubElement(mods, "identifier", type="isbn").text = ""
        origin = etree.SubElement(mods, "originInfo")
        place = etree.SubElement(origin, "place")
        etree.SubElement(place, "placeTerm", type="text").text = "Pasadena"
        etree.SubElement(origin, "publisher").text = "California Institute of Technology"
        etree.SubElement(origin, "dateIssued").text = item.datestamp[:4]
        parts.append(etree.tostring(mods))
    info = (
        b"<slims:resultInfo><slims:modsResultNum>"
        + str(len(behaviour.items)).encode()
        + b"</slims:modsResultNum><slims:modsResultPage>"
        + str(number).encode()
        + b"</slims:modsResultPage><slims:modsResultShowed>10</slims:modsResultShowed>"
        b"</slims:resultInfo>"
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<modsCollection '
        b'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.loc.gov/mods/v3" '
        b'xmlns:slims="http://slims.web.id">'
        + (info if behaviour.slims_result_info else b"")
        + b"".join(parts)
        + b"</modsCollection>"
    )


@contextmanager
def serving(behaviour: Behaviour) -> Iterator[str]:
    """The server on a free loopback port; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            status, headers, body = answer(behaviour, query)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/oai"
    finally:
        server.shutdown()
        server.server_close()
