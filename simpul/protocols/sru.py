"""SRU 2.0 and 1.2 (1.1 is answered as 1.2): explain, searchRetrieve and scan over the titles.

Records are the union catalogue's titles, as MARCXML with holdings or as Dublin Core.
Queries are CQL (`cql_search`). Every problem is an SRU diagnostic in the response
(HTTP 200, as both versions' HTTP bindings expect); `respond(arguments, base_url)` is
the whole protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from simpul.catalog.exports.marc21slim import MARC_NS
from simpul.catalog.search import SearchQuery, SearchResult, analysis
from simpul.catalog.search.engine import MAX_PAGE_SIZE, MAX_RESULT_WINDOW
from simpul.catalog.services.indexing import search_index
from simpul.network.models import Network
from simpul.protocols import cql, cql_search, records
from simpul.protocols.cql import CQLError
from simpul.protocols.records import DC_NS

SRW_NS = "http://www.loc.gov/zing/srw/"
SRW_DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/"
SRU2_NS = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU2_DIAG_NS = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
SRU2_SCAN_NS = "http://docs.oasis-open.org/ns/search-ws/scan"
EXPLAIN_NS = "http://explain.z3950.org/dtd/2.0/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
DIAGNOSTIC = "info:srw/diagnostic/1/"
VERSIONS = ("1.1", "1.2", "2.0")
DEFAULT_RECORDS = 10
DEFAULT_TERMS = 20
MAX_TERMS = 100

SCHEMAS = {  # name -> (identifier, title)
    "marcxml": ("info:srw/schema/1/marcxml-v1.1", "MARC 21 XML, with holdings (852)"),
    "dc": ("info:srw/schema/1/dc-v1.1", "Dublin Core"),
}
SCHEMA_ALIASES = {
    "marcxml": "marcxml",
    "marc21": "marcxml",
    "marc21-xml": "marcxml",
    "marc": "marcxml",
    "info:srw/schema/1/marcxml-v1.1": "marcxml",
    "info:srw/schema/1/marcxml-v1.1-light": "marcxml",
    MARC_NS.lower(): "marcxml",
    "dc": "dc",
    "info:srw/schema/1/dc-v1.1": "dc",
    DC_NS.lower(): "dc",
    "info:srw/schema/1/dc-schema": "dc",
}
PARAMETERS = {
    "explain": {"operation", "version", "recordPacking", "recordXMLEscaping", "stylesheet"},
    "searchRetrieve": {
        "operation",
        "version",
        "query",
        "queryType",
        "startRecord",
        "maximumRecords",
        "recordPacking",
        "recordXMLEscaping",
        "recordSchema",
        "resultSetTTL",
        "sortKeys",
        "stylesheet",
        "httpAccept",
    },
    "scan": {
        "operation",
        "version",
        "scanClause",
        "responsePosition",
        "maximumTerms",
        "stylesheet",
    },
}
SCAN_FIELDS = {"title": "title", "author": "author", "subject": "subject", None: "all"}


@dataclass
class Diagnostic:
    number: int
    message: str
    details: str = ""


@dataclass
class Request:
    version: str
    operation: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def v2(self) -> bool:
        return self.version == "2.0"

    @property
    def ns(self) -> str:
        return SRU2_NS if self.v2 else SRW_NS


class Fatal(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _fatal(number: int, message: str, details: str = "") -> Fatal:
    return Fatal(Diagnostic(number, message, details))


# --- request ---------------------------------------------------------------------------------


def read_request(pairs: Sequence[tuple[str, str]]) -> tuple[Request, list[Diagnostic]]:
    """The operation and version asked for, and the problems that stop it (fatal diagnostics)."""
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for name, value in pairs:
        if name in values:
            problems.append(Diagnostic(6, "Unsupported parameter value", f"{name} (repeated)"))
        values.setdefault(name, value)
    version = values.get("version", "2.0")
    if version not in VERSIONS:
        problems.append(Diagnostic(5, "Unsupported version", "2.0"))
        version = "2.0"
    if version == "1.1":
        version = "1.2"
    operation = values.get("operation", "")
    if not operation:
        if version != "2.0" and ("query" in values or "scanClause" in values):
            problems.append(Diagnostic(7, "Mandatory parameter not supplied", "operation"))
        operation = (
            "searchRetrieve"
            if "query" in values
            else "scan"
            if "scanClause" in values
            else "explain"
        )
    request = Request(version, operation, values)
    if operation not in PARAMETERS:
        problems.append(Diagnostic(4, "Unsupported operation", operation[:50]))
        request.operation = "explain"
        return request, problems
    for name in values:
        if name not in PARAMETERS[operation] and not name.startswith("x-"):
            problems.append(Diagnostic(8, "Unsupported parameter", name[:50]))
    if "stylesheet" in values:
        problems.append(Diagnostic(110, "Stylesheets not supported"))
    return request, problems


def _whole(request: Request, name: str, default: int, low: int) -> int:
    text = request.values.get(name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < low or len(text) > 9:
        raise _fatal(6, "Unsupported parameter value", name)
    return int(text)


def _schema(request: Request) -> str:
    asked = request.values.get("recordSchema", "") or "marcxml"
    schema = SCHEMA_ALIASES.get(asked.lower())
    if schema is None:
        raise _fatal(66, "Unknown schema for retrieval", asked[:100])
    return schema


def _as_string(request: Request) -> bool:
    """Whether records go as escaped strings (1.2 recordPacking, 2.0 recordXMLEscaping)."""
    name = "recordXMLEscaping" if request.v2 else "recordPacking"
    value = request.values.get(name, "xml") or "xml"
    if value not in {"xml", "string"}:
        raise _fatal(71, "Unsupported record packing", value[:50])
    if request.v2 and request.values.get("recordPacking", "packed") not in {"packed", ""}:
        raise _fatal(6, "Unsupported parameter value", "recordPacking")
    return value == "string"


# --- response writing ------------------------------------------------------------------------


def _root(request: Request, name: str) -> etree._Element:
    if request.v2 and name == "scanResponse":
        root = etree.Element(f"{{{SRU2_SCAN_NS}}}{name}", nsmap={"scan": SRU2_SCAN_NS})
    elif request.v2:
        root = etree.Element(f"{{{SRU2_NS}}}{name}", nsmap={"sru": SRU2_NS})
    else:
        root = etree.Element(f"{{{SRW_NS}}}{name}", nsmap={"srw": SRW_NS})
        etree.SubElement(root, f"{{{SRW_NS}}}version").text = request.version
    return root


def _child(
    parent: etree._Element, request: Request, name: str, text: str | None = None
) -> etree._Element:
    namespace = parent.tag[1:].split("}", 1)[0] if request.v2 else SRW_NS
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _diagnostics(parent: etree._Element, request: Request, found: list[Diagnostic]) -> None:
    if not found:
        return
    container = _child(parent, request, "diagnostics")
    namespace = SRU2_DIAG_NS if request.v2 else SRW_DIAG_NS
    for diagnostic in found:
        item = etree.SubElement(container, f"{{{namespace}}}diagnostic", nsmap={"diag": namespace})
        etree.SubElement(item, f"{{{namespace}}}uri").text = f"{DIAGNOSTIC}{diagnostic.number}"
        if diagnostic.details:
            etree.SubElement(item, f"{{{namespace}}}details").text = records.xml_text(
                diagnostic.details
            )
        etree.SubElement(item, f"{{{namespace}}}message").text = diagnostic.message


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))


def _record(
    parent: etree._Element,
    request: Request,
    schema: str,
    data: etree._Element,
    position: int | None,
    as_string: bool,
) -> None:
    record = _child(parent, request, "record")
    _child(record, request, "recordSchema", SCHEMAS[schema][0] if schema in SCHEMAS else schema)
    if request.v2:
        _child(record, request, "recordXMLEscaping", "string" if as_string else "xml")
    else:
        _child(record, request, "recordPacking", "string" if as_string else "xml")
    holder = _child(record, request, "recordData")
    if as_string:
        holder.text = etree.tostring(data, encoding="unicode")
    else:
        holder.append(data)
    if position is not None:
        _child(record, request, "recordPosition", str(position))


# --- operations ------------------------------------------------------------------------------


def _explain(request: Request, base_url: str, problems: list[Diagnostic]) -> bytes:
    root = _root(request, "explainResponse")
    zeerex = etree.Element(f"{{{EXPLAIN_NS}}}explain", nsmap={None: EXPLAIN_NS})
    url = urlsplit(base_url)
    server = etree.SubElement(
        zeerex,
        f"{{{EXPLAIN_NS}}}serverInfo",
        protocol="SRU",
        version=request.version,
        transport=url.scheme or "http",
        method="GET POST",
    )
    etree.SubElement(server, f"{{{EXPLAIN_NS}}}host").text = url.hostname or "localhost"
    etree.SubElement(server, f"{{{EXPLAIN_NS}}}port").text = str(
        url.port or (443 if url.scheme == "https" else 80)
    )
    etree.SubElement(server, f"{{{EXPLAIN_NS}}}database").text = url.path.lstrip("/") or "sru"
    database = etree.SubElement(zeerex, f"{{{EXPLAIN_NS}}}databaseInfo")
    network = Network.objects.first()
    etree.SubElement(database, f"{{{EXPLAIN_NS}}}title", lang="id", primary="true").text = (
        f"Katalog induk {network.name}" if network else "Katalog induk Simpul"
    )
    etree.SubElement(database, f"{{{EXPLAIN_NS}}}description", lang="en").text = (
        "Union catalogue of the member libraries: one record per title (edition), "
        "with every member's holdings."
    )
    index_info = etree.SubElement(zeerex, f"{{{EXPLAIN_NS}}}indexInfo")
    for name, identifier in cql_search.CONTEXT_SETS.items():
        etree.SubElement(index_info, f"{{{EXPLAIN_NS}}}set", name=name, identifier=identifier)
    for full in cql_search.INDEXES:
        context, _dot, name = full.partition(".")
        index = etree.SubElement(index_info, f"{{{EXPLAIN_NS}}}index")
        if full in cql_search.SORT_INDEXES:
            index.set("sort", "true")
        etree.SubElement(index, f"{{{EXPLAIN_NS}}}title", lang="en").text = full
        mapped = etree.SubElement(index, f"{{{EXPLAIN_NS}}}map")
        etree.SubElement(mapped, f"{{{EXPLAIN_NS}}}name", set=context).text = name
    schema_info = etree.SubElement(zeerex, f"{{{EXPLAIN_NS}}}schemaInfo")
    for name, (identifier, title) in SCHEMAS.items():
        schema = etree.SubElement(
            schema_info, f"{{{EXPLAIN_NS}}}schema", identifier=identifier, name=name
        )
        etree.SubElement(schema, f"{{{EXPLAIN_NS}}}title", lang="en").text = title
    config = etree.SubElement(zeerex, f"{{{EXPLAIN_NS}}}configInfo")
    for kind, value in (("numberOfRecords", DEFAULT_RECORDS), ("retrieveSchema", "marcxml")):
        etree.SubElement(config, f"{{{EXPLAIN_NS}}}default", type=kind).text = str(value)
    etree.SubElement(config, f"{{{EXPLAIN_NS}}}setting", type="maximumRecords").text = str(
        MAX_PAGE_SIZE
    )
    for relation in ("=", "==", "all", "any", "adj", "<", ">", "<=", ">=", "<>", "within"):
        etree.SubElement(config, f"{{{EXPLAIN_NS}}}supports", type="relation").text = relation
    for boolean in ("and", "or", "not", "prox"):
        etree.SubElement(config, f"{{{EXPLAIN_NS}}}supports", type="booleanModifier").text = boolean
    etree.SubElement(config, f"{{{EXPLAIN_NS}}}supports", type="maskingCharacter").text = "*"
    etree.SubElement(config, f"{{{EXPLAIN_NS}}}supports", type="sort").text = "dc.date dc.title"
    etree.SubElement(config, f"{{{EXPLAIN_NS}}}supports", type="scan").text = "true"
    try:
        as_string = _as_string(request)
    except Fatal as fatal:
        problems.append(fatal.diagnostic)
        as_string = False
    record = _child(root, request, "record")
    _child(record, request, "recordSchema", "http://explain.z3950.org/dtd/2.0/")
    if request.v2:
        _child(record, request, "recordXMLEscaping", "string" if as_string else "xml")
    else:
        _child(record, request, "recordPacking", "string" if as_string else "xml")
    holder = _child(record, request, "recordData")
    if as_string:
        holder.text = etree.tostring(zeerex, encoding="unicode")
    else:
        holder.append(zeerex)
    _diagnostics(root, request, problems)
    return _serialise(root)


def _sru_dc(title: records.Title) -> etree._Element:
    """SRU's dc schema: the same elements as oai_dc, in the srw_dc container."""
    oai_dc = records.dublin_core(title)
    element = etree.Element(f"{{{SRW_DC_NS}}}dc", nsmap={"srw_dc": SRW_DC_NS, "dc": DC_NS})
    for child in oai_dc:
        element.append(child)
    return element


def _search(request: Request, problems: list[Diagnostic]) -> bytes:
    root = _root(request, "searchRetrieveResponse")
    try:
        if problems:
            raise Fatal(problems.pop(0))
        query = request.values.get("query")
        if query is None:
            raise _fatal(7, "Mandatory parameter not supplied", "query")
        if request.values.get("queryType", "cql") not in {"cql", ""}:
            raise _fatal(6, "Unsupported parameter value", "queryType")
        start = _whole(request, "startRecord", 1, 1)
        wanted = _whole(request, "maximumRecords", DEFAULT_RECORDS, 0)
        schema = _schema(request)
        as_string = _as_string(request)
        index = search_index()
        compiled = cql_search.compile_query(query, index)
        sort = compiled.sort
        if request.values.get("sortKeys"):
            sort = _sort_keys(request.values["sortKeys"])
        count = min(wanted, MAX_PAGE_SIZE, max(0, MAX_RESULT_WINDOW - (start - 1)))
        result: SearchResult = index.search(
            SearchQuery(
                compiled=compiled.query,  # type: ignore[arg-type]
                offset=start - 1,
                page_size=max(1, count),
                sort=sort,
                facets=False,
            )
        )
    except CQLError as error:
        _child(root, request, "numberOfRecords", "0")
        _diagnostics(root, request, [Diagnostic(error.number, error.message, error.details)])
        return _serialise(root)
    except Fatal as fatal:
        _child(root, request, "numberOfRecords", "0")
        _diagnostics(root, request, [fatal.diagnostic, *problems])
        return _serialise(root)
    total = result.total
    _child(root, request, "numberOfRecords", str(total))
    found: list[Diagnostic] = []
    if count and start > total and total > 0:
        found.append(Diagnostic(61, "First record position out of range", str(start)))
    elif count and start - 1 >= MAX_RESULT_WINDOW:
        found.append(Diagnostic(61, "First record position out of range", str(start)))
    hits = result.hits[:count] if count else []
    if hits:
        titles = {
            t.cluster_id: t
            for t in records.titles_by_id(
                [hit.cluster_id for hit in hits],
                raw=schema == "marcxml",
                holdings=schema == "marcxml",
            )
        }
        names = records.library_names() if schema == "marcxml" else {}
        container = _child(root, request, "records")
        for position, hit in enumerate(hits, start=start):
            title = titles.get(hit.cluster_id)
            data = None
            if title is not None:
                data = records.marcxml(title, names) if schema == "marcxml" else _sru_dc(title)
            if data is None:
                _surrogate(container, request, position)
                continue
            _record(container, request, schema, data, position, as_string)
        if start - 1 + len(hits) < total and start - 1 + len(hits) < MAX_RESULT_WINDOW:
            _child(root, request, "nextRecordPosition", str(start + len(hits)))
    _diagnostics(root, request, found)
    if request.v2:
        _child(
            root,
            request,
            "resultCountPrecision",
            "info:srw/vocabulary/resultCountPrecision/1/exact",
        )
    return _serialise(root)


def _surrogate(container: etree._Element, request: Request, position: int) -> None:
    """A title gone between search and retrieval: a surrogate diagnostic in its place."""
    record = _child(container, request, "record")
    namespace = SRU2_DIAG_NS if request.v2 else SRW_DIAG_NS
    _child(record, request, "recordSchema", "info:srw/schema/1/diagnostics-v1.1")
    if request.v2:
        _child(record, request, "recordXMLEscaping", "xml")
    else:
        _child(record, request, "recordPacking", "xml")
    holder = _child(record, request, "recordData")
    item = etree.SubElement(holder, f"{{{namespace}}}diagnostic", nsmap={"diag": namespace})
    etree.SubElement(item, f"{{{namespace}}}uri").text = f"{DIAGNOSTIC}65"
    etree.SubElement(item, f"{{{namespace}}}message").text = "Record does not exist"
    _child(record, request, "recordPosition", str(position))


def _sort_keys(text: str) -> cql_search.Sort:
    """SRU 1.1 sortKeys ("path,schema,ascending"): one key, dc.date or dc.title."""
    keys = text.split()
    if len(keys) != 1:
        raise _fatal(84, "Too many sort keys", "1")
    path, *rest = keys[0].split(",")
    ascending = rest[1] != "0" if len(rest) > 1 and rest[1] else True
    modifiers = () if ascending else (cql.Modifier("sort.descending"),)
    try:
        return cql_search.sort_of([cql.SortKey(path.lower(), modifiers)], {})
    except CQLError as error:
        raise _fatal(error.number, error.message, error.details) from None


def _scan(request: Request, problems: list[Diagnostic]) -> bytes:
    root = _root(request, "scanResponse")
    try:
        if problems:
            raise Fatal(problems.pop(0))
        clause_text = request.values.get("scanClause")
        if not clause_text:
            raise _fatal(7, "Mandatory parameter not supplied", "scanClause")
        position = _whole(request, "responsePosition", 1, 0)
        count = _whole(request, "maximumTerms", DEFAULT_TERMS, 1)
        if count > MAX_TERMS:
            raise _fatal(6, "Unsupported parameter value", "maximumTerms")
        if position > count + 1:
            raise _fatal(120, "Response position out of range", str(position))
        parsed = cql.parse(clause_text)
        clause = parsed.root
        if not isinstance(clause, cql.SearchClause):
            raise CQLError(10, "Query syntax error", "scan takes one index, relation and term")
        name = cql_search.index_name(clause.index, parsed.prefixes)
        kind, field_name = cql_search.INDEXES[name]
        if kind != "text" or name in {"dc.publisher", "dc.description"}:
            raise CQLError(16, "Unsupported index", clause.index[:100])
        if clause.relation not in {"=", "==", "all", "any", "adj"}:
            raise CQLError(19, "Unsupported relation", clause.relation[:20])
        start = " ".join(analysis.tokens(cql.masked(clause.term).text))
        terms = _terms(SCAN_FIELDS[field_name], start, position, count)
    except CQLError as error:
        _diagnostics(root, request, [Diagnostic(error.number, error.message, error.details)])
        return _serialise(root)
    except Fatal as fatal:
        _diagnostics(root, request, [fatal.diagnostic, *problems])
        return _serialise(root)
    if terms:
        container = _child(root, request, "terms")
        for i, (term, frequency) in enumerate(terms):
            item = _child(container, request, "term")
            _child(item, request, "value", term)
            _child(item, request, "numberOfRecords", str(frequency))
            _child(item, request, "displayTerm", term)
            where = (
                "only"
                if len(terms) == 1
                else "first"
                if i == 0
                else ("last" if i == len(terms) - 1 else "inner")
            )
            _child(item, request, "whereInList", where)
    return _serialise(root)


def _terms(field_name: str, start: str, position: int, count: int) -> list[tuple[str, int]]:
    """Indexed words in order around `start`: `position - 1` before it, the rest from it on."""
    searcher = search_index()._searcher()
    first = start[:1] if position <= 1 else ""
    candidates = sorted(
        (term, n)
        for term, n in searcher.terms_with_prefix(field_name, first, limit=None)
        if n > 0 and term != analysis.VALUE_SEPARATOR
    )
    if position <= 1 and len([t for t, _n in candidates if t >= start]) < count and first:
        candidates = sorted(
            (term, n)
            for term, n in searcher.terms_with_prefix(field_name, "", limit=None)
            if n > 0 and term != analysis.VALUE_SEPARATOR
        )
    at = next((i for i, (term, _n) in enumerate(candidates) if term >= start), len(candidates))
    before = candidates[max(0, at - max(0, position - 1)) : at]
    after = candidates[at : at + count - len(before)]
    return [*before, *after]


def respond(pairs: Sequence[tuple[str, str]], base_url: str) -> tuple[int, bytes]:
    """(HTTP status, body) of the SRU response to a request's arguments."""
    request, problems = read_request(pairs)
    if request.operation == "searchRetrieve":
        return 200, _search(request, problems)
    if request.operation == "scan":
        return 200, _scan(request, problems)
    return 200, _explain(request, base_url, problems)
