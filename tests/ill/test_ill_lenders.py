"""Choosing lenders: holders with an available copy first, the less busy before the big
one, and never a library whose policy or agreements do not allow the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from simpul.agreements.models import Service
from simpul.catalog.bibliographic import ItemStatus
from simpul.core.errors import InvalidInput
from simpul.ill import services, tasks
from simpul.ill.models import (
    Audience,
    IllRequest,
    LendingClosure,
    LendingPolicy,
    ServiceType,
    Status,
)
from tests.agreements.conftest import make_agreement, make_library
from tests.ill.conftest import Ill, add_title

pytestmark = pytest.mark.django_db


def rota_codes(request: IllRequest) -> list[str]:
    return [entry.library.code for entry in services.build_rota(request)]


def test_available_copies_are_asked_before_copies_on_loan(ill: Ill):
    assert rota_codes(ill.request()) == ["BETA", "GAMMA"]


def test_a_busy_lender_waits_behind_a_quiet_one(ill: Ill):
    w = ill.world
    cluster = add_title(
        "Statistika Dasar", {w.library_b: ItemStatus.AVAILABLE, ill.library_c: ItemStatus.AVAILABLE}
    )
    for _ in range(3):  # Beta (alphabetically first) is already lending a lot
        IllRequest.objects.create(
            service="loan",
            requesting_library=w.library_a,
            supplier=w.library_b,
            title="x",
            status=Status.LOANED,
        )
    request = ill.request()
    request.cluster = cluster
    assert rota_codes(request) == ["GAMMA", "BETA"]


def test_the_requesting_library_never_lends_to_itself(ill: Ill):
    w = ill.world
    add_title("Only here", {w.library_a: ItemStatus.AVAILABLE})
    request = ill.request()
    request.cluster = add_title("Ours", {w.library_a: ItemStatus.AVAILABLE})
    assert rota_codes(request) == []
    request.save()
    with pytest.raises(InvalidInput):
        services.approve(w.librarian_a, request)
    assert IllRequest.objects.get(pk=request.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "rule",
    ["no_loans", "listed_only", "closed", "out_of_town", "too_many_open", "no_agreement"],
)
def test_policy_and_agreements_exclude_a_lender(ill: Ill, rule: str):
    w = ill.world
    policy = LendingPolicy.objects.create(library=w.library_b)
    request = ill.request()
    if rule == "no_loans":
        policy.offers_loans = False
    elif rule == "listed_only":
        policy.audience = Audience.LISTED
        policy.listed_libraries.add(ill.library_c)
    elif rule == "closed":
        today = timezone.localdate()
        LendingClosure.objects.create(
            library=w.library_b,
            starts_on=today,
            ends_on=today + dt.timedelta(days=7),
            reason="Stock opname",
        )
    elif rule == "out_of_town":
        policy.local_patrons_only_for_loans = True
        w.patron_a.city = "Kabupaten Garut"
        w.patron_a.save()
        request.refresh_from_db()
    elif rule == "too_many_open":
        policy.max_open_per_library = 1
        IllRequest.objects.create(
            service="loan",
            requesting_library=w.library_a,
            supplier=w.library_b,
            title="x",
            status=Status.LOANED,
        )
    elif rule == "no_agreement":
        policy.delete()
        other = make_library("DELTA")
        make_agreement([w.library_a, other], [Service.ILL_LOAN])
        request.cluster = add_title(
            "Hanya di Beta dan Delta",
            {
                w.library_b: ItemStatus.AVAILABLE,
                other: ItemStatus.AVAILABLE,
            },
        )
        from simpul.agreements.models import Agreement

        Agreement.objects.filter(parties__library=ill.library_c).delete()
        assert rota_codes(request) == ["DELTA"]
        return
    if policy.pk:
        policy.save()
    assert rota_codes(request) == ["GAMMA"]


def test_copies_only_from_libraries_that_supply_them(ill: Ill):
    LendingPolicy.objects.create(library=ill.world.library_b, offers_copies=False)
    assert rota_codes(ill.request(ServiceType.COPY)) == ["GAMMA"]
    assert rota_codes(ill.request(ServiceType.LOAN)) == ["BETA", "GAMMA"]


def test_a_patron_may_have_only_so_many_open_requests(ill: Ill):
    LendingPolicy.objects.create(library=ill.world.library_a, max_open_per_patron=2)
    ill.request()
    ill.request()
    with pytest.raises(InvalidInput):
        ill.request()
    ill.request(patron=ill.world.patron_a2)  # another patron is not affected


def test_the_worker_round_passes_silent_lenders_and_marks_overdue(ill: Ill):
    w = ill.world
    silent = ill.request()
    services.approve(w.librarian_a, silent)
    IllRequest.objects.filter(pk=silent.pk).update(answer_by=timezone.now() - dt.timedelta(hours=1))
    late = ill.request()
    IllRequest.objects.filter(pk=late.pk).update(
        status=Status.RECEIVED,
        supplier=w.library_b,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    done = tasks.ill_round.call()
    assert done["moved_on"] == 1 and done["overdue"] == 1
    silent.refresh_from_db()
    assert silent.supplier == ill.library_c
    assert IllRequest.objects.get(pk=late.pk).status == Status.OVERDUE


def test_staff_citations_are_matched_to_our_catalogue_by_isbn(ill: Ill):
    w = ill.world
    from simpul.catalog.models import RecordKey

    cluster = add_title("Metode Penelitian", {w.library_b: ItemStatus.AVAILABLE}, "9786020312347")
    RecordKey.objects.create(record=cluster.records.first(), key="isbn:9786020312347")
    request = services.create_request(
        w.librarian_a,
        ServiceType.LOAN,
        services.Citation(title="Metode penelitian kualitatif", isbn="978-602-03-1234-7"),
        patron=w.patron_a,
    )
    assert request.cluster == cluster
    assert request.patron == w.patron_a
