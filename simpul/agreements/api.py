"""Agreements in the JSON API: the agreements a person may read, the service switch that
other systems ask (`/agreements/allowed`), and the network's links."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import WithJsonSchema

from simpul.accounts.api import AUTH
from simpul.agreements import graph, services
from simpul.agreements.models import Agreement, Kind, Party, Service, Status
from simpul.network.models import Library
from simpul.network.queries import current_network

router = Router(tags=["agreements"])
# An unknown library code in the query is answered 404, like one in a path.
NOT_FOUND = {"responses": {"404": {"$ref": "#/components/responses/NotFound"}}}

CODE = r"^[A-Za-z0-9][A-Za-z0-9-]{1,19}$"
NO_NUL = r"^[^\x00]*$"


def _enum_schema(choices: Any, description: str) -> dict[str, Any]:
    return {"type": "string", "enum": [c.value for c in choices], "description": description}


class PartyOut(Schema):
    library: str | None = Field(description="Code of a directory library; null for a partner")
    name: str = Field(description="The library's or outside partner's name")
    signatory: str
    contact_name: str
    contact_email: str
    rights_and_obligations: str

    @staticmethod
    def resolve_library(obj: Party) -> str | None:
        return obj.library.code if obj.library else None

    @staticmethod
    def resolve_name(obj: Party) -> str:
        return obj.display_name


class AgreementOut(Schema):
    id: int
    kind: Kind
    title: str
    reference: str
    parent: int | None = Field(description="The MoU this MoA or IA comes under")
    status: Status
    start_date: dt.date
    end_date: dt.date | None = Field(description="null: no end date")
    services: list[Service]
    parties: list[PartyOut]
    background: str
    scope: str
    division_of_work: str
    financing: str
    implementation: str
    terminated_on: dt.date | None
    has_signed_document: bool
    url: str = Field(description="The agreement's page on this site")

    @staticmethod
    def resolve_parent(obj: Agreement) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_services(obj: Agreement) -> list[str]:
        return obj.service_codes

    @staticmethod
    def resolve_parties(obj: Agreement) -> list[Party]:
        return list(obj.parties.all())

    @staticmethod
    def resolve_has_signed_document(obj: Agreement) -> bool:
        return bool(obj.signed_document)

    @staticmethod
    def resolve_url(obj: Agreement) -> str:
        return f"/agreements/{obj.pk}/"


class AgreementPage(Schema):
    count: int
    offset: int
    limit: int
    results: list[AgreementOut]


class AgreementFilters(Schema):
    status: Annotated[
        Status | None, WithJsonSchema(_enum_schema(Status, "Only agreements with this status"))
    ] = None
    kind: Annotated[Kind | None, WithJsonSchema(_enum_schema(Kind, "Only MoUs, MoAs or IAs"))] = (
        None
    )
    service: Annotated[
        Service | None, WithJsonSchema(_enum_schema(Service, "Only agreements covering this"))
    ] = None
    library: str = Field("", max_length=20, pattern=r"^([A-Za-z0-9][A-Za-z0-9-]{1,19})?$")
    offset: int = Field(0, ge=0, le=100_000)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "", response=AgreementPage, auth=AUTH, summary="List agreements", openapi_extra=NOT_FOUND
)
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]) -> dict[str, Any]:
    """All agreements for the coordinator; for library staff those their library is a party
    to; none for patrons."""
    library = None
    if filters.library:
        library = Library.objects.filter(code=filters.library.upper()).first()
        if library is None:
            raise Http404(_("No member library has the code %(code)s.") % {"code": filters.library})
    agreements = services.filter_agreements(
        services.visible_agreements(request.user),
        status=filters.status.value if filters.status else "",
        kind=filters.kind.value if filters.kind else "",
        service=filters.service.value if filters.service else "",
        library=library,
    ).order_by("-start_date", "pk")
    end = filters.offset + filters.limit
    return {
        "count": agreements.count(),
        "offset": filters.offset,
        "limit": filters.limit,
        "results": list(
            agreements[filters.offset : end].prefetch_related("parties__library", "services")
        ),
    }


class AllowedQuery(Schema):
    service: Annotated[Service, WithJsonSchema(_enum_schema(Service, "The service asked for"))]
    from_library: str = Field(
        max_length=20, pattern=CODE, description="Code of the library that asks or uses"
    )
    to_library: str = Field(
        max_length=20, pattern=CODE, description="Code of the library that provides"
    )
    on_date: dt.date | None = Field(
        None, description="The day asked about; default today in the network's time zone"
    )


class AllowedOut(Schema):
    allowed: bool
    service: Service
    from_library: str
    to_library: str
    on_date: dt.date


def _library(code: str) -> Library:
    library = Library.objects.filter(code=code.upper()).first()
    if library is None:
        raise Http404(_("No member library has the code %(code)s.") % {"code": code})
    return library


@router.get(
    "/allowed",
    response=AllowedOut,
    summary="Is a service allowed between two libraries?",
    openapi_extra=NOT_FOUND,
)
def service_allowed(request: HttpRequest, query: Query[AllowedQuery]) -> dict[str, Any]:
    """The agreement switch that interlibrary loan, member cards and repository deposit ask:
    true only while an active agreement covering the service has both libraries as parties."""
    asking = _library(query.from_library)
    providing = _library(query.to_library)
    on_date = query.on_date or services.network_today()
    return {
        "allowed": services.is_service_allowed(query.service.value, asking, providing, on_date),
        "service": query.service,
        "from_library": asking.code,
        "to_library": providing.code,
        "on_date": on_date,
    }


class LinkOut(Schema):
    libraries: list[str] = Field(description="The two libraries' codes")
    services: list[Service]


class NetworkOut(Schema):
    on_date: dt.date
    members: int
    links: int
    possible_links: int = Field(description="n(n-1)/2 for n members: a full mesh")
    shape: str = Field(description="none, star, partial or mesh")
    link_list: list[LinkOut]


class NetworkQuery(Schema):
    service: Annotated[
        Service | None, WithJsonSchema(_enum_schema(Service, "Only links for this service"))
    ] = None


@router.get("/network", response=NetworkOut, summary="Which members are linked by which services")
def network_links(request: HttpRequest, query: Query[NetworkQuery]) -> dict[str, Any]:
    drawing = graph.build(current_network(), query.service.value if query.service else "")
    return {
        "on_date": drawing.on_date,
        "members": len(drawing.nodes),
        "links": len(drawing.links),
        "possible_links": drawing.possible,
        "shape": drawing.shape,
        "link_list": [
            {
                "libraries": [link.one.library.code, link.other.library.code],
                "services": link.services,
            }
            for link in drawing.links
        ],
    }


@router.get("/{agreement_id}", response=AgreementOut, auth=AUTH, summary="One agreement")
def get_agreement(
    request: HttpRequest,
    agreement_id: Annotated[int, Path(ge=1, le=2_147_483_647, description="The agreement's id")],
) -> Agreement:
    """404 also when it exists but is not the caller's to read."""
    return services.get_visible(request.user, agreement_id)
