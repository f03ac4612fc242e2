"""Demo interlibrary loan: lending policies, a closed period, and requests from the demo
patrons at every stage (awaiting review, out at a lender, on loan, a delivered copy,
completed), made through the real services so each has its full history."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

from simpul.accounts.models import User
from simpul.catalog.models import Cluster, Holding, Record
from simpul.core.errors import InvalidInput
from simpul.ill import services
from simpul.ill.models import FeePayer, LendingClosure, LendingPolicy, ServiceType
from simpul.network.models import Library, Network

logger = logging.getLogger(__name__)


def _staff(code: str) -> User | None:
    return User.objects.filter(library__code=code, role__in=["librarian", "library_admin"]).first()


def _titles_not_held_by(library: Library, count: int) -> list[Cluster]:
    """Titles other members hold but this library does not: what its patrons would request.

    Read from the available copies in title order, a few at a time: one grouped query over
    the whole catalogue took minutes on the demo's 50,000 records."""
    available = (
        Holding.objects.filter(status="available", record__cluster__isnull=False)
        .exclude(library=library)
        .order_by("record__cluster_id")
        .values_list("record__cluster_id", flat=True)
        .distinct()
    )
    picked: list[int] = []
    start = 0
    while len(picked) < count:
        ids = list(available[start : start + 10 * count])
        if not ids:
            break
        held = set(
            Record.objects.filter(library=library, cluster_id__in=ids).values_list(
                "cluster_id", flat=True
            )
        )
        picked.extend(i for i in ids if i not in held)
        start += len(ids)
    return list(Cluster.objects.filter(pk__in=picked[:count]).order_by("pk"))


def load_demo(network: Network) -> int:
    """Seed policies and requests; returns how many requests were made."""
    today = timezone.localdate()
    policies: dict[str, dict[str, Any]] = {
        "UNIBA": {"loan_days": 21, "max_open_per_library": 100},
        "STIEP": {"offers_loans": False, "copy_fee": 5000, "fee_payer": FeePayer.LIBRARY},
        "POLTEK-CMI": {"loan_days": 14, "local_patrons_only_for_loans": True},
    }
    for code, values in policies.items():
        library = Library.objects.filter(code=code).first()
        if library:
            LendingPolicy.objects.update_or_create(library=library, defaults=values)
    if poltek := Library.objects.filter(code="POLTEK-CMI").first():
        LendingClosure.objects.get_or_create(
            library=poltek,
            starts_on=today + dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=37),
            defaults={"reason": "Stock opname"},
        )
    made = 0
    for patron in User.objects.filter(role="patron").select_related("library").order_by("pk"):
        home = patron.library
        home_staff = _staff(home.code) if home else None
        if home is None or home_staff is None:
            continue
        stages = ["submitted", "out", "loaned", "copy", "completed"]
        for stage, cluster in zip(stages, _titles_not_held_by(home, len(stages)), strict=False):
            try:
                made += _request_at(stage, patron, home_staff, cluster)
            except InvalidInput as exc:
                logger.info("demo request skipped: %s", exc)
    return made


def _request_at(stage: str, patron: User, home: User, cluster: Cluster) -> int:
    service = ServiceType.COPY if stage == "copy" else ServiceType.LOAN
    citation = services.citation_from_cluster(cluster)
    if service == ServiceType.COPY:
        citation.pages = "1-20"
        citation.article_title = "Bab 1"
    citation.note = "Untuk tugas akhir"
    request = services.create_request(
        patron, service, citation, cluster=cluster, copyright_accepted=True
    )
    if stage == "submitted":
        return 1
    services.approve(home, request, "Disetujui")
    if stage == "out" or request.supplier is None:
        return 1
    lender = _staff(request.supplier.code)
    if lender is None:
        return 1
    services.act(lender, request, "will_supply")
    if stage == "copy":
        services.deliver_copy(lender, request, None, "Dikirim lewat surel")
        return 1
    services.ship(lender, request)
    services.act(home, request, "receive")
    if stage == "completed":
        services.act(home, request, "ship_return")
        services.act(lender, request, "check_in")
    return 1
