"""What each person may see of interlibrary requests: the patron their own, staff their
library's (as borrower or lender), the coordinator everything."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from simpul.ill import services
from simpul.ill.models import (
    OPEN_STATUSES,
    IllRequest,
    Outcome,
    Status,
)
from simpul.network import permissions
from simpul.network.models import Library

S = Status


def _base() -> QuerySet[IllRequest]:
    return IllRequest.objects.select_related("requesting_library", "supplier", "patron")


LISTED_FIELDS = (
    "service", "status", "title", "due_on", "created_at", "updated_at", "answer_by",
    "requesting_library__code", "supplier__code",
)  # fmt: skip


def _listed() -> QuerySet[IllRequest]:
    """What a row of a desk list shows, and no more: a desk page lists a few hundred rows
    and building whole requests, patrons and libraries for each was half its time."""
    return IllRequest.objects.select_related("requesting_library", "supplier").only(*LISTED_FIELDS)


def request_for(actor: Any, pk: int) -> IllRequest | None:
    """The request if the actor may see it (None, shown as 404, otherwise)."""
    request = _base().filter(pk=pk).first()
    if request is None:
        return None
    if permissions.is_coordinator(actor) or services.can_see(actor, request):
        return request
    return None


def patron_requests(actor: Any) -> QuerySet[IllRequest]:
    return _base().filter(patron=actor).order_by("-created_at")


def staff_library(actor: Any) -> Library | None:
    """The library whose ILL desk the actor works at (staff only)."""
    if getattr(actor, "is_library_staff", False) and actor.library_id:
        library: Library = actor.library
        return library
    return None


def queues(library: Library) -> dict[str, QuerySet[IllRequest]]:
    """Every list on the staff dashboard: what needs this library's action now."""
    made = _listed().filter(requesting_library=library)
    received = _listed().filter(supplier=library)
    today = timezone.localdate()
    return {
        "review": made.filter(status__in=[S.SUBMITTED, S.INFO_REQUESTED]).order_by("created_at"),
        "conditions": made.filter(status=S.CONDITIONAL).order_by("updated_at"),
        "to_receive": made.filter(status=S.LOANED).order_by("due_on"),
        "on_loan": made.filter(status__in=[S.RECEIVED, S.RENEW_PENDING, S.RECALLED]).order_by(
            "due_on"
        ),
        "incoming": received.filter(status__in=[S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY]).order_by(
            "answer_by"
        ),
        "to_ship": received.filter(status=S.WILL_SUPPLY).order_by("updated_at"),
        "renewals": received.filter(status=S.RENEW_PENDING).order_by("due_on"),
        "returns": received.filter(status=S.RETURN_SHIPPED).order_by("updated_at"),
        "overdue": _listed()
        .filter(Q(requesting_library=library) | Q(supplier=library))
        .filter(Q(status=S.OVERDUE) | Q(status__in=[S.RECEIVED, S.LOANED], due_on__lt=today))
        .order_by("due_on"),
    }


def all_requests(library: Library, status: str = "", page_size: int = 100) -> QuerySet[IllRequest]:
    """Every request the library made or received, newest first (for the full list)."""
    rows = _listed().filter(Q(requesting_library=library) | Q(supplier=library))
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at")[:page_size]


def declined_by(library: Library, days: int = 30) -> QuerySet[IllRequest]:
    since = timezone.now() - dt.timedelta(days=days)
    return _base().filter(
        rota__library=library,
        rota__outcome__in=[Outcome.DECLINED, Outcome.NO_ANSWER],
        rota__answered_at__gte=since,
    )
