"""Agreements: which services they switch on, and recording and changing them.

Dates are calendar dates in the network's time zone (settings.TIME_ZONE, by default
Asia/Jakarta, WIB). A library in WITA or WIT reaches midnight one or two hours earlier,
but an agreement's first and last days are those of the network's calendar, the one
written on the signed document: an agreement ending on 31 December is in force until
midnight WIB that day, everywhere in the network.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from simpul.agreements.models import Agreement, Service, Status
from simpul.network.models import Library


def network_today() -> dt.date:
    """Today's date in the network's time zone (settings.TIME_ZONE), not the server's."""
    return timezone.localdate()


def _in_force(on_date: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.ACTIVE, f"{prefix}start_date__lte": on_date}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on_date})
    )


def agreements_in_force(on_date: dt.date | None = None) -> QuerySet[Agreement]:
    """Active agreements whose dates include on_date (an MoA/IA only while its MoU is too)."""
    on_date = on_date or network_today()
    return Agreement.objects.filter(_in_force(on_date)).filter(
        Q(parent__isnull=True) | _in_force(on_date, "parent__")
    )


def is_service_allowed(
    service: str,
    from_library: Library,
    to_library: Library,
    on_date: dt.date | None = None,
) -> bool:
    """Whether `from_library` (the one asking: borrower, visitor's home library, depositor)
    may use `service` at `to_library` (the one providing) on `on_date` (default: today in
    the network's time zone).

    True only while an active agreement naming the service has both libraries as parties
    and on_date lies between its start and end dates, both included; an MoA or IA counts
    only while its MoU is in force too. A library may always serve itself. An unknown
    service name is a programming error and raises ValueError rather than answering False.
    """
    if service not in Service.values:
        raise ValueError(f"unknown service {service!r}; use one of {Service.values}")
    if from_library.pk == to_library.pk:
        return True
    return (
        agreements_in_force(on_date)
        .filter(services__service=service)
        .filter(parties__library=from_library)
        .filter(parties__library=to_library)
        .exists()
    )
