from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from simpul.network import queries
from simpul.network.models import Library, LibraryType

router = Router(tags=["libraries"])


class LibraryOut(Schema):
    code: str
    name: str
    name_en: str
    library_type: str
    institution: str
    province: str
    city: str
    address: str
    email: str
    phone: str
    website: str
    latitude: Decimal | None
    longitude: Decimal | None
    collection_size: int
    library_system: str
    oai_pmh_url: str
    sru_url: str
    iso18626_url: str
    joined_on: dt.date | None
    url: str

    @staticmethod
    def resolve_url(obj: Library) -> str:
        return f"/libraries/{obj.code}/"


class LibraryPage(Schema):
    count: int
    offset: int
    limit: int
    results: list[LibraryOut]


class DirectoryFilters(Schema):
    q: str = Field("", max_length=200, description="Words in code, names, city or province")
    type: LibraryType | None = Field(None, description="Library type")
    province: str = Field("", max_length=100)
    offset: int = Field(0, ge=0, le=100_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("", response=LibraryPage, summary="List member libraries")
def list_libraries(request: HttpRequest, filters: Query[DirectoryFilters]) -> dict[str, object]:
    libraries = queries.search_directory(
        text=filters.q,
        library_type=filters.type.value if filters.type else "",
        province=filters.province,
    )
    return {
        "count": libraries.count(),
        "offset": filters.offset,
        "limit": filters.limit,
        "results": list(libraries[filters.offset : filters.offset + filters.limit]),
    }


@router.get("/{code}", response=LibraryOut, summary="One member library by its code")
def get_library(request: HttpRequest, code: str) -> Library:
    return queries.get_library(code)
