"""New titles and serials lists in the JSON API (mounted at /api/v1/new-titles and /serials)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from simpul.accounts.api import AUTH
from simpul.lists import new_titles, queries, serials
from simpul.lists.models import SerialFormat, UploadMode
from simpul.network.models import Library

new_titles_router = Router(tags=["new titles"])
serials_router = Router(tags=["serials"])

NO_NUL = r"^[^\x00]*$"
LIBRARY_CODE = r"^([A-Za-z0-9][A-Za-z0-9-]{0,39})?$"


class NewTitlesFilters(Schema):
    library: str = Field(
        "",
        max_length=40,
        pattern=LIBRARY_CODE,
        description="New at this library (its code); empty: the network",
    )
    month: str = Field(
        "",
        pattern=r"^(|\d{4}-(0[1-9]|1[0-2]))$",
        description="YYYY-MM; empty: the latest month that brought new titles",
    )
    subject: str = Field("", max_length=200, pattern=NO_NUL, description="A subject main heading")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=200)


class NewTitleOut(Schema):
    id: int = Field(description="The title's number (cluster)")
    title: str
    authors: list[str]
    year: int | None
    format: str
    publisher: str
    subjects: list[str] = Field(description="Subject main headings")
    libraries: list[str] = Field(description="Codes of the libraries that hold it")
    call_numbers: list[str] = Field(description="Call numbers at the chosen library")
    first_appeared: dt.datetime = Field(
        description="When it first appeared (in the network or at the library)"
    )
    url: str


class SubjectOut(Schema):
    subject: str
    count: int


class NewTitlesOut(Schema):
    library: str | None
    month: str
    subject: str
    total: int
    page: int
    page_count: int
    titles: list[NewTitleOut]
    latest_month: str | None = Field(
        description="YYYY-MM of the latest new title (of the network or the library); null: none"
    )
    subjects: list[SubjectOut] = Field(
        description="Subjects of the month's new titles, most frequent first"
    )
    feed: str = Field(description="The Atom feed of these new titles")


def _library(code: str) -> Library | None:
    if not code:
        return None
    library = Library.objects.filter(code=code.upper()).first()
    if library is None:
        raise Http404(
            _("There is no member library with the code %(code)s.") % {"code": code.upper()}
        )
    return library


@new_titles_router.get(
    "",
    response=NewTitlesOut,
    summary="New titles of a month",
    openapi_extra={"responses": {"404": {"$ref": "#/components/responses/NotFound"}}},
)
def list_new_titles(request: HttpRequest, filters: Query[NewTitlesFilters]) -> dict[str, Any]:
    """Titles by the month they first appeared in the network (or at one library), newest first."""
    library = _library(filters.library)
    latest = new_titles.latest_month(library)
    month = new_titles.parse_month(filters.month) or latest or timezone.localdate().replace(day=1)
    page = new_titles.new_titles(library, month, filters.subject, filters.page, filters.page_size)
    feed_items = [("library", library.code)] if library else []
    if filters.subject:
        feed_items.append(("subject", filters.subject))
    return {
        "library": library.code if library else None,
        "month": f"{month:%Y-%m}",
        "subject": filters.subject,
        "total": page.total,
        "page": page.page,
        "page_count": page.page_count,
        "titles": [
            {
                "id": t.cluster_id,
                "title": t.hit.cluster.title,
                "authors": list(t.hit.record.authors or []) if t.hit.record else [],
                "year": t.hit.cluster.year,
                "format": t.hit.cluster.material_type,
                "publisher": t.hit.record.publisher if t.hit.record else "",
                "subjects": t.subjects,
                "libraries": [held.code for held in t.hit.libraries],
                "call_numbers": t.call_numbers,
                "first_appeared": timezone.localtime(t.first_seen_at),
                "url": reverse("catalog:record", args=[t.cluster_id]),
            }
            for t in page.titles
        ],
        "latest_month": f"{latest:%Y-%m}" if latest else None,
        "subjects": [{"subject": s, "count": n} for s, n in page.subjects],
        "feed": reverse("lists:new_feed") + (f"?{urlencode(feed_items)}" if feed_items else ""),
    }


# --- serials ----------------------------------------------------------------------------------


class SerialsFilters(Schema):
    q: str = Field(
        "",
        max_length=200,
        pattern=NO_NUL,
        description="Words of the title or publisher, or an ISSN",
    )
    library: str = Field(
        "", max_length=40, pattern=LIBRARY_CODE, description="Only this library (its code)"
    )
    format: SerialFormat | None = Field(
        None, description="print also finds print_online; so does online"
    )
    year: int | None = Field(None, ge=1600, le=2999, description="Held in this year")
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(100, ge=1, le=1000)


class SubscriptionOut(Schema):
    library: str
    issn: str
    title: str
    publisher: str
    coverage_from: int | None
    coverage_to: int | None = Field(description="null: still subscribed")
    format: str = Field(description="print, online or print_online")
    notes: str


class SubscriptionPage(Schema):
    count: int
    offset: int
    limit: int
    next: str | None
    previous: str | None
    results: list[SubscriptionOut]


@serials_router.get("", response=SubscriptionPage, summary="Who subscribes to which journal")
def list_serials(request: HttpRequest, filters: Query[SerialsFilters]) -> dict[str, Any]:
    """The members' serials lists, by title then library."""
    chosen = queries.SerialsFilter(
        q=filters.q.strip(),
        library=filters.library.upper(),
        format=filters.format.value if filters.format else "",
        year=filters.year,
    )
    found = queries.subscriptions(chosen)
    count = found.count()
    query = dict(chosen.as_items())

    def link(at: int) -> str:
        return f"{request.path}?{urlencode({**query, 'offset': at, 'limit': filters.limit})}"

    end = filters.offset + filters.limit
    return {
        "count": count,
        "offset": filters.offset,
        "limit": filters.limit,
        "next": link(end) if end < count else None,
        "previous": link(max(0, filters.offset - filters.limit)) if filters.offset > 0 else None,
        "results": [
            {
                "library": s.library.code,
                "issn": s.issn,
                "title": s.title,
                "publisher": s.publisher,
                "coverage_from": s.coverage_from,
                "coverage_to": s.coverage_to,
                "format": s.format,
                "notes": s.notes,
            }
            for s in found[filters.offset : end]
        ],
    }


class RowErrorOut(Schema):
    row: int = Field(description="The line of the file (the header is line 1; 0: the whole file)")
    column: str = Field(description="issn, title, publisher, from, to, format, notes or empty")
    message: str


class UploadOut(Schema):
    applied: bool = Field(description="false: the list did not change; `errors` says why")
    rows_read: int
    added: int
    updated: int
    removed: int
    errors: list[RowErrorOut]


@serials_router.post(
    "/{library}/upload",
    response=UploadOut,
    summary="Upload a library's serials list (CSV)",
    auth=AUTH,
)
def upload_serials(
    request: HttpRequest,
    library: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")],
    file: File[UploadedFile],
    mode: Form[UploadMode] = UploadMode.MERGE,
) -> dict[str, Any]:
    """The same file and rules as the upload page (docs/lists.md). A file with any bad row
    changes nothing: `applied` is false and `errors` names each line, column and problem."""
    found = _library(library)
    assert found is not None
    upload = serials.upload_list(request.user, found, file, file.name or "upload.csv", mode)
    return {
        "errors": upload.errors,
        "applied": upload.applied,
        "rows_read": upload.rows_read,
        "added": upload.added,
        "updated": upload.updated,
        "removed": upload.removed,
    }
