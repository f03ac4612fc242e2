"""The union catalogue in the JSON API: search, titles, members' records, exports, imports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import register_converter, reverse
from ninja import Field, Path, Query, Router, Schema

from simpul.accounts.api import AUTH
from simpul.catalog import queries
from simpul.catalog.exports import FORMATS
from simpul.catalog.models import ImportJob, Record
from simpul.catalog.search import Sort
from simpul.catalog.search.engine import MAX_PAGE_SIZE
from simpul.catalog.search.query import MAX_QUERY_CHARS
from simpul.catalog.services import imports

router = Router(tags=["catalogue"])


class AnyText:
    """A path part that may hold anything, slashes and line breaks too (Django's `path`
    converter stops at a line break, and the request would miss the API's JSON errors)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyText, "anytext")

NO_NUL = r"^[^\x00]*$"
MAX_ID = 9_223_372_036_854_775_807  # the largest id either database can hold
ClusterId = Annotated[int, Path(ge=1, le=MAX_ID, description="The title's number")]


# --- search ---------------------------------------------------------------------------------


class SearchFilters(Schema):
    q: str = Field(
        "",
        max_length=MAX_QUERY_CHARS,
        pattern=NO_NUL,
        description='Words, "phrases", AND/OR/NOT (DAN/ATAU/BUKAN), title:, author:, '
        "subject:, isbn:, year:2010-2020 (see docs/api.md)",
    )
    library: list[Annotated[str, Field(max_length=40, pattern=NO_NUL)]] = Field(
        [], max_length=20, description="Held by any of these libraries (codes)"
    )
    format: list[Annotated[str, Field(max_length=40, pattern=NO_NUL)]] = Field(
        [], max_length=20, description="Any of these formats (book, ebook, serial, thesis, …)"
    )
    language: list[Annotated[str, Field(max_length=40, pattern=NO_NUL)]] = Field(
        [], max_length=20, description="Any of these languages (ISO 639-2/B codes: ind, eng, …)"
    )
    subject: list[Annotated[str, Field(max_length=200, pattern=NO_NUL)]] = Field(
        [], max_length=20, description="Any of these subject headings (facet values)"
    )
    year: str = Field(
        "",
        max_length=20,
        pattern=r"^(|\d{1,4}|\d{0,4}-\d{0,4})$",
        description="A year or a range: 2015, 2010-2020, 2000-, -1949",
    )
    available: bool = Field(False, description="Only titles with a copy available now")
    sort: Sort = Sort.RELEVANCE
    page: int = Field(1, ge=1, le=queries.MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)

    def params(self) -> queries.SearchParams:
        return queries.search_params(
            {
                "q": self.q,
                "library": self.library,
                "format": self.format,
                "language": self.language,
                "subject": self.subject,
                "year": [self.year] if self.year else [],
                "available": ["1"] if self.available else [],
                "sort": [self.sort.value],
                "page": [str(self.page)],
                "page_size": [str(self.page_size)],
            }
        )


class HitOut(Schema):
    id: int = Field(description="The title's number (a cluster of the members' records)")
    title: str
    authors: list[str]
    year: int | None
    format: str
    libraries: list[str] = Field(description="Codes of the libraries that hold it")
    copies: int
    available: int = Field(description="Copies available now")
    url: str = Field(description="The title's page on this site")


class FacetOut(Schema):
    value: str = Field(description="What to send back in the filter parameter")
    label: str = Field(description="For people, in the language of the response")
    count: int


class SearchOut(Schema):
    total: int
    page: int
    page_size: int
    hits: list[HitOut]
    facets: dict[str, list[FacetOut]] = Field(
        description="library, format, language, year (ranges), subject, availability"
    )
    warnings: list[str] = Field(description="What was understood differently from what was typed")
    spelling: list[str] = Field(description='"Did you mean" queries, when nothing matched')
    broader: list[BroaderOut] = Field(
        description="Wider searches that find something, when nothing matched"
    )


class BroaderOut(Schema):
    q: str = Field(description="The wider query, to send as q")
    total: int = Field(description="Titles it finds, with the same filters")
    dropped: list[str] = Field(
        description="Words no title contains, left out; empty when it asks for any of the words"
    )


def _record_url(pk: int) -> str:
    return reverse("catalog:record", args=[pk])


@router.get("/search", response=SearchOut, summary="Search the union catalogue")
def search_catalogue(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """Titles matching a query and filters, a page at a time, with facet counts.

    A query that cannot be parsed is never an error: it is searched as plain words and
    `warnings` says so. Unknown filter values simply match nothing.
    """
    page = queries.search_catalogue(filters.params())
    hits = []
    for hit in page.hits:
        best = hit.record
        hits.append(
            {
                "id": hit.cluster.pk,
                "title": hit.cluster.title,
                "authors": list(best.authors) if best else [],
                "year": hit.cluster.year,
                "format": hit.cluster.material_type,
                "libraries": [library.code for library in hit.libraries],
                "copies": hit.copies,
                "available": hit.available,
                "url": _record_url(hit.cluster.pk),
            }
        )
    return {
        "total": page.total,
        "page": page.result.page,
        "page_size": page.result.page_size,
        "hits": hits,
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in page.facets.items()
        },
        "warnings": page.result.warnings,
        "spelling": page.result.spelling,
        "broader": [
            {"q": b.text, "total": b.total, "dropped": list(b.dropped)} for b in page.result.broader
        ],
    }


# --- a title --------------------------------------------------------------------------------


class HoldingOut(Schema):
    library: str = Field(description="The holding library's code")
    library_name: str
    location: str
    call_number: str
    status: str = Field(description="available, on_loan, reference, lost or unknown")


class MemberRecordRef(Schema):
    library: str
    local_id: str = Field(description="The identifier in the library's own system")
    source_format: str


class EditionOut(Schema):
    id: int
    title: str
    year: int | None
    url: str


class ExportLink(Schema):
    format: str
    mime: str
    url: str


class ClusterOut(Schema):
    id: int
    url: str
    title: str
    subtitle: str
    uniform_title: str = Field(
        description="The work's preferred title (MARC 130/240), e.g. a translation's original "
        "title, when a member gives one that differs from the title; empty otherwise."
    )
    variant_titles: list[str] = Field(
        description="Other titles the members' records give: parallel, cover and spine "
        "titles (MARC 246), titles of related or contained works (730, 740)."
    )
    authors: list[str]
    publisher: str
    place: str
    year: int | None
    edition: str
    extent: str
    isbns: list[str]
    issns: list[str]
    languages: list[str]
    subjects: list[str]
    series: list[str]
    summary: str
    format: str
    holdings: list[HoldingOut]
    records: list[MemberRecordRef]
    other_editions: list[EditionOut]
    exports: list[ExportLink]


def _cluster_out(view: queries.ClusterView) -> dict[str, Any]:
    best, pk = view.best, view.cluster.pk
    return {
        "id": pk,
        "url": _record_url(pk),
        "title": best.title,
        "subtitle": best.subtitle,
        "uniform_title": view.uniform_title,
        "variant_titles": view.variant_titles,
        "authors": view.authors,
        "publisher": best.publisher,
        "place": best.place,
        "year": best.year,
        "edition": best.edition,
        "extent": best.extent,
        "isbns": view.isbns,
        "issns": view.issns,
        "languages": view.languages,
        "subjects": view.subjects,
        "series": view.series,
        "summary": view.summary,
        "format": best.material_type,
        "holdings": [
            {
                "library": group.code,
                "library_name": group.name,
                "location": h.location,
                "call_number": h.call_number,
                "status": h.status,
            }
            for group in view.holdings
            for h in group.holdings
        ],
        "records": [
            {"library": r.library.code, "local_id": r.local_id, "source_format": r.source_format}
            for r in view.records
        ],
        "other_editions": [
            {"id": c.pk, "title": c.title, "year": c.year, "url": _record_url(c.pk)}
            for c in view.other_editions
        ],
        "exports": [
            {"format": f.key, "mime": f.mime, "url": reverse("catalog:export", args=[pk, f.key])}
            for f in FORMATS.values()
        ],
    }


@router.get("/clusters/{id}", response=ClusterOut, summary="One title with its holdings")
def get_cluster(request: HttpRequest, id: ClusterId) -> dict[str, Any]:
    """The description, every holding grouped by library, the members' records and other
    editions of the same work. 404 when no member holds the title any more."""
    return _cluster_out(queries.get_cluster(id))


EXPORT_RESPONSES = {
    200: {
        "description": "The title in the chosen format, as a file to download",
        "content": {
            f.mime: {
                "schema": {"type": "array", "items": {"type": "object"}}
                if f.mime.endswith("+json")
                else {"type": "string", "format": "binary"}
            }
            for f in FORMATS.values()
        },
    }
}


@router.get(
    "/clusters/{id}/export/{format}",
    summary="Export a title (RIS, BibTeX, CSL-JSON, MARCXML, MARC)",
    openapi_extra={"responses": EXPORT_RESPONSES},
)
def export_cluster(
    request: HttpRequest,
    id: ClusterId,
    format: Annotated[str, Path(pattern=r"^(ris|bibtex|csl-json|marcxml|marc)$")],
) -> HttpResponse:
    """The same files as the download links on the title's page."""
    chosen = FORMATS[format]
    view = queries.get_cluster(id)
    body = chosen.render(view, request.build_absolute_uri(_record_url(id)))
    response = HttpResponse(body, content_type=chosen.mime)
    response["Content-Disposition"] = f'attachment; filename="{chosen.file_name(view)}"'
    return response


# --- a member's record ------------------------------------------------------------------------


class RecordOut(Schema):
    library: str
    local_id: str
    source_format: str
    status: str = Field(description="active, withdrawn or deleted")
    title: str
    subtitle: str
    authors: list[str]
    year: int | None
    isbns: list[str]
    cluster_id: int | None = Field(description="The title it belongs to; null when withdrawn")
    cluster_url: str | None

    @staticmethod
    def resolve_library(obj: Record) -> str:
        return obj.library.code

    @staticmethod
    def resolve_cluster_url(obj: Record) -> str | None:
        return _record_url(obj.cluster_id) if obj.cluster_id else None


@router.get(
    "/records/{library_code}/{anytext:local_id}",
    response=RecordOut,
    summary="A member's record by its own identifier",
)
def get_member_record(
    request: HttpRequest,
    library_code: Annotated[
        str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", description="e.g. UNPAD")
    ],
    local_id: Annotated[
        str,
        Path(
            min_length=1,
            max_length=255,
            pattern=NO_NUL,
            description="The identifier in the library's system; may hold / and : "
            "(OAI identifiers such as oai:repo.example.ac.id:123)",
        ),
    ],
) -> Record:
    """The record and the title (cluster) it belongs to."""
    return queries.get_member_record(library_code, local_id)


# --- imports ----------------------------------------------------------------------------------


class ImportJobOut(Schema):
    id: int
    library: str
    file_name: str
    source_format: str
    mode: str
    status: str = Field(description="queued, running, succeeded or failed")
    progress_percent: int
    records_seen: int
    added: int
    updated: int
    unchanged: int
    withdrawn: int
    failed: int
    repaired: int = Field(description="Records imported after a repair by the reader")
    message: str
    seconds_left: int | None = Field(
        description="While running: an estimate from the pace so far; null otherwise"
    )
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_library(obj: ImportJob) -> str:
        return obj.library.code

    @staticmethod
    def resolve_message(obj: ImportJob) -> str:
        return imports.report_message(obj)

    @staticmethod
    def resolve_seconds_left(obj: ImportJob) -> int | None:
        going = imports.pace(obj)
        return round(going.time_left.total_seconds()) if going else None


@router.get(
    "/imports/{id}",
    response=ImportJobOut,
    summary="The state of an import",
    auth=AUTH,
    openapi_extra={"responses": {"403": {"$ref": "#/components/responses/Forbidden"}}},
)
def get_import(request: HttpRequest, id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ImportJob:
    """For staff of the importing library and the coordinator; others get 403."""
    return queries.get_import_job_for(request.user, id)


class ImportJobPage(Schema):
    count: int = Field(description="How many imports match, on all pages")
    offset: int
    limit: int
    next: str | None = Field(description="The next page, or null on the last")
    previous: str | None = Field(description="The previous page, or null on the first")
    results: list[ImportJobOut]


class ImportFilters(Schema):
    library: str = Field(
        "", max_length=40, pattern=NO_NUL, description="Only this library's imports (its code)"
    )
    offset: int = Field(0, ge=0, le=100_000, description="How many results to skip")
    limit: int = Field(20, ge=1, le=200, description="How many results to return")


class ImportProblemOut(Schema):
    position: int = Field(description="The record's number in the file (row for CSV)")
    local_id: str = Field(description="The record's identifier, when it could be read")
    byte_offset: int | None
    reason: str


class ImportProblemPage(Schema):
    count: int
    offset: int
    limit: int
    next: str | None
    previous: str | None
    results: list[ImportProblemOut]


class ImportRepairOut(Schema):
    position: int = Field(description="The record's number in the file (row for CSV)")
    local_id: str = Field(description="The record's identifier")
    note: str = Field(description="What the reader fixed or left out, in the importer's language")


class ImportRepairPage(Schema):
    count: int
    offset: int
    limit: int
    next: str | None
    previous: str | None
    results: list[ImportRepairOut]


class PageFilters(Schema):
    offset: int = Field(0, ge=0, le=10_000_000, description="How many results to skip")
    limit: int = Field(100, ge=1, le=1000, description="How many results to return")


def _page(request: HttpRequest, items: Any, offset: int, limit: int, **query: str) -> dict:
    count = items.count()

    def link(at: int) -> str:
        return f"{request.path}?{urlencode({**query, 'offset': at, 'limit': limit})}"

    return {
        "count": count,
        "offset": offset,
        "limit": limit,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "results": list(items[offset : offset + limit]),
    }


@router.get("/imports", response=ImportJobPage, summary="Imports you may see", auth=AUTH)
def list_imports(request: HttpRequest, filters: Query[ImportFilters]) -> dict[str, Any]:
    """Newest first: the coordinator sees every library's, staff their own library's."""
    jobs = queries.visible_import_jobs(request.user, filters.library)
    query = {"library": filters.library} if filters.library else {}
    return _page(request, jobs, filters.offset, filters.limit, **query)


@router.get(
    "/imports/{id}/problems",
    response=ImportProblemPage,
    summary="The records an import could not take, with the reason",
    auth=AUTH,
    openapi_extra={"responses": {"403": {"$ref": "#/components/responses/Forbidden"}}},
)
def list_import_problems(
    request: HttpRequest,
    id: Annotated[int, Path(ge=1, le=MAX_ID)],
    filters: Query[PageFilters],
) -> dict[str, Any]:
    job = queries.get_import_job_for(request.user, id)
    return _page(request, job.problems.order_by("position", "pk"), filters.offset, filters.limit)


@router.get(
    "/imports/{id}/repairs",
    response=ImportRepairPage,
    summary="The records an import took after fixing or leaving out something, with what",
    auth=AUTH,
    openapi_extra={"responses": {"403": {"$ref": "#/components/responses/Forbidden"}}},
)
def list_import_repairs(
    request: HttpRequest,
    id: Annotated[int, Path(ge=1, le=MAX_ID)],
    filters: Query[PageFilters],
) -> dict[str, Any]:
    job = queries.get_import_job_for(request.user, id)
    return _page(request, job.repairs.order_by("position", "pk"), filters.offset, filters.limit)
