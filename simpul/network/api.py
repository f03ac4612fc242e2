"""Member libraries in the JSON API: the public directory, and changes by a library's own staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from simpul.accounts.api import AUTH
from simpul.network import queries, services
from simpul.network.models import Library, LibraryType

router = Router(tags=["libraries"])

# Text may hold any character but NUL, which no database stores (PostgreSQL refuses it).
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$"
# What Django's URLValidator and EmailValidator accept, narrowed to forms a schema can describe
# (http/https, ASCII host names): a client generating values from the schema always passes.
URL = (
    r"^(https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?::[0-9]{1,5})?(?:[/?#][!-~]*)?)?$"
)
EMAIL = (
    r"^([A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})?$"
)

LibraryCode = Annotated[
    str,
    Path(
        pattern=CODE,
        description="The library's code, e.g. UNPAD or ID-JBR-01 (case does not matter)",
    ),
]


class LibraryOut(Schema):
    code: str
    name: str = Field(description="Name in Indonesian")
    name_en: str = Field(description="Name in English; may be empty")
    library_type: LibraryType
    institution: str
    province: str
    city: str
    address: str
    email: str
    phone: str
    website: str
    latitude: float | None
    longitude: float | None
    collection_size: int
    library_system: str
    oai_pmh_url: str = Field(description="OAI-PMH base URL of its catalogue or repository")
    sru_url: str
    iso18626_url: str = Field(description="ISO 18626 endpoint for interlibrary loan messages")
    joined_on: dt.date | None
    is_active: bool = Field(description="False for a former member; the directory lists members")
    url: str = Field(description="The library's page on this site")

    @staticmethod
    def resolve_url(obj: Library) -> str:
        return f"/libraries/{obj.code}/"


class LibraryPage(Schema):
    count: int = Field(description="How many libraries match, on all pages")
    offset: int
    limit: int
    next: str | None = Field(description="The next page, or null on the last")
    previous: str | None = Field(description="The previous page, or null on the first")
    results: list[LibraryOut]


LIBRARY_TYPE_SCHEMA = {
    "type": "string",
    "enum": [choice.value for choice in LibraryType],
    "description": "Only libraries of this type",
}


class DirectoryFilters(Schema):
    q: str = Field(
        "", max_length=200, pattern=NO_NUL, description="Words in code, names, city or province"
    )
    type: Annotated[LibraryType | None, WithJsonSchema(LIBRARY_TYPE_SCHEMA)] = None
    province: str = Field(
        "", max_length=100, pattern=NO_NUL, description="Only libraries in this province (exact)"
    )
    offset: int = Field(0, ge=0, le=100_000, description="How many results to skip")
    limit: int = Field(50, ge=1, le=200, description="How many results to return")


def _page_link(request: HttpRequest, filters: DirectoryFilters, offset: int) -> str:
    query = {
        name: value
        for name, value in filters.model_dump(mode="json").items()
        if value not in ("", None) and name not in {"offset", "limit"}
    }
    query.update(offset=offset, limit=filters.limit)
    return f"{request.path}?{urlencode(query)}"


@router.get("", response=LibraryPage, summary="List member libraries")
def list_libraries(request: HttpRequest, filters: Query[DirectoryFilters]) -> dict[str, Any]:
    """Active member libraries by name, filtered by words, type and province, a page at a time."""
    libraries = queries.search_directory(
        text=filters.q,
        library_type=filters.type.value if filters.type else "",
        province=filters.province,
    ).order_by("name", "code")  # the code breaks ties, so that pages never overlap
    count = libraries.count()
    end = filters.offset + filters.limit
    return {
        "count": count,
        "offset": filters.offset,
        "limit": filters.limit,
        "next": _page_link(request, filters, end) if end < count else None,
        "previous": (
            _page_link(request, filters, max(filters.offset - filters.limit, 0))
            if filters.offset
            else None
        ),
        "results": list(libraries[filters.offset : end]),
    }


@router.get("/{code}", response=LibraryOut, summary="One library by its code")
def get_library(request: HttpRequest, code: LibraryCode) -> Library:
    """A member library, also a former one (see `is_active`)."""
    return queries.get_library(code)


def _without_defaults(schema: dict[str, Any]) -> None:
    # A field left out of a PATCH stays as it is; no default applies.
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


def _whole_float_to_int(value: Any) -> Any:
    # JSON has one number type: 12.0 is the whole number 12, but "12" and true are not numbers.
    return int(value) if isinstance(value, float) and value.is_integer() else value


Count = Annotated[int, BeforeValidator(_whole_float_to_int)]


def _text(max_length: int, description: str | None = None) -> Any:
    return Field("", max_length=max_length, pattern=NO_NUL, description=description)


class LibraryChanges(Schema):
    """The details a library's staff may change; send only the fields to change."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_without_defaults)

    name: str = Field("", max_length=200, pattern=NOT_BLANK, description="Name in Indonesian")
    name_en: str = _text(200, "Name in English")
    institution: str = _text(200, "Parent institution")
    province: str = _text(100)
    city: str = _text(100)
    address: str = _text(1000)
    postal_code: str = _text(10)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    email: str = Field("", max_length=254, pattern=EMAIL, description="Contact e-mail address")
    phone: str = _text(40)
    website: str = Field("", max_length=200, pattern=URL)
    collection_size: Count = Field(0, ge=0, le=2_147_483_647, description="Titles held")
    staff_count: Count = Field(0, ge=0, le=2_147_483_647)
    description: str = _text(10_000, "About the library, in Indonesian")
    description_en: str = _text(10_000, "About the library, in English")
    visiting_rules: str = _text(10_000, "Rules for visitors, in Indonesian")
    visiting_rules_en: str = _text(10_000, "Rules for visitors, in English")
    oai_pmh_url: str = Field("", max_length=200, pattern=URL)
    sru_url: str = Field("", max_length=200, pattern=URL)
    iso18626_url: str = Field("", max_length=200, pattern=URL)
    library_system: str = _text(60, "e.g. SLiMS 9, INLIS Lite, Koha")

    def changes(self) -> dict[str, Any]:
        changes = self.model_dump(exclude_unset=True)
        for name in ("latitude", "longitude"):
            if changes.get(name) is not None:
                # The database keeps six decimals (about 10 cm); more would be refused.
                changes[name] = round(Decimal(repr(changes[name])), 6)
        return changes


@router.patch(
    "/{code}",
    response=LibraryOut,
    summary="Change a library's details",
    auth=AUTH,
)
def update_library(request: HttpRequest, code: LibraryCode, changes: LibraryChanges) -> Library:
    """For the library's own staff and the network coordinator; others get 403.

    Only the fields sent change. Invalid values change nothing and return 422.
    """
    library = queries.get_library(code)
    return services.update_library(request.user, library, changes.changes())
