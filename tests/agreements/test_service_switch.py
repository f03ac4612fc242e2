"""`is_service_allowed`: the one switch that ILL, member cards and repository deposit ask.
A service between two libraries is on only while an active agreement naming it has both as
parties, between its start and end dates (both included), in the network's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from simpul.agreements.models import Kind, Service, Status
from simpul.agreements.services import is_service_allowed, network_today
from tests.agreements.conftest import make_agreement, make_library

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_no_agreement_no_service(world):
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_b, world.library_a)


def test_a_library_always_serves_itself(world):
    for service in Service.values:
        assert is_service_allowed(service, world.library_a, world.library_a)


def test_active_agreement_switches_on_only_its_services_both_ways(world):
    make_agreement([world.library_a, world.library_b], [Service.ILL_LOAN, Service.ILL_COPY])
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert is_service_allowed(Service.ILL_COPY, world.library_b, world.library_a)
    assert not is_service_allowed(Service.RECIPROCAL_ACCESS, world.library_a, world.library_b)
    assert not is_service_allowed(Service.REPOSITORY_DEPOSIT, world.library_b, world.library_a)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.EXPIRED, Status.TERMINATED])
def test_only_an_active_agreement_counts(world, status):
    make_agreement([world.library_a, world.library_b], status=status)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)


def test_ends_today_is_still_valid_today_and_not_tomorrow(world):
    today = network_today()
    make_agreement([world.library_a, world.library_b], start=today - 300 * DAY, end=today)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today + DAY)


def test_starts_tomorrow_is_not_valid_today(world):
    today = network_today()
    make_agreement([world.library_a, world.library_b], start=today + DAY, end=today + 400 * DAY)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today + DAY)


def test_starts_today_is_valid_today(world):
    today = network_today()
    make_agreement([world.library_a, world.library_b], start=today)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today - DAY)


def test_open_ended_agreement_has_no_last_day(world):
    make_agreement([world.library_a, world.library_b], start=dt.date(2024, 1, 1), end=None)
    assert is_service_allowed(
        Service.ILL_LOAN, world.library_a, world.library_b, dt.date(2099, 12, 31)
    )


def test_an_active_agreement_past_its_end_date_is_off_even_before_the_expiry_job_runs(world):
    today = network_today()
    make_agreement([world.library_a, world.library_b], start=today - 400 * DAY, end=today - DAY)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)


def test_mou_covers_every_pair_of_its_parties(world):
    gamma = make_library("GAMMA")
    make_agreement([world.library_a, world.library_b, gamma], [Service.RECIPROCAL_ACCESS])
    for one, other in [
        (world.library_a, world.library_b),
        (world.library_b, gamma),
        (gamma, world.library_a),
    ]:
        assert is_service_allowed(Service.RECIPROCAL_ACCESS, one, other)
        assert is_service_allowed(Service.RECIPROCAL_ACCESS, other, one)


def test_a_library_outside_the_agreement_is_not_covered(world):
    gamma = make_library("GAMMA")
    make_agreement([world.library_a, world.library_b, "Pojok Baca Bank Nusantara"])
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, gamma)
    assert not is_service_allowed(Service.ILL_LOAN, gamma, world.library_b)


def test_moa_under_an_mou_covers_its_own_parties_and_services(world):
    gamma = make_library("GAMMA")
    mou = make_agreement(
        [world.library_a, world.library_b, gamma], [Service.KNOWLEDGE_SHARING], kind=Kind.MOU
    )
    make_agreement(
        [world.library_a, gamma], [Service.ILL_LOAN], kind=Kind.MOA, parent=mou, title="MoA ILL"
    )
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, gamma)
    assert is_service_allowed(Service.ILL_LOAN, gamma, world.library_a)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)
    assert is_service_allowed(Service.KNOWLEDGE_SHARING, world.library_a, world.library_b)


@pytest.mark.parametrize("mou_status", [Status.EXPIRED, Status.TERMINATED, Status.DRAFT])
def test_ia_falls_with_its_mou(world, mou_status):
    mou = make_agreement([world.library_a, world.library_b], [], status=mou_status)
    make_agreement([world.library_a, world.library_b], kind=Kind.IA, parent=mou)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b)


def test_ia_is_off_after_its_mou_ends_even_if_its_own_dates_run_on(world):
    today = network_today()
    mou = make_agreement([world.library_a, world.library_b], [], end=today)
    make_agreement([world.library_a, world.library_b], kind=Kind.IA, parent=mou, end=None)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today)
    assert not is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b, today + DAY)


def test_unknown_service_name_is_a_programming_error(world):
    with pytest.raises(ValueError, match="unknown service"):
        is_service_allowed("ill", world.library_a, world.library_b)


def test_shared_contract_values_are_stable():
    assert [s.value for s in Service] == [
        "ill_loan",
        "ill_copy",
        "reciprocal_access",
        "repository_deposit",
        "cooperative_acquisition",
        "knowledge_sharing",
    ]


# 17:30 UTC on 31 December is 00:30 WIB on 1 January; 15:30 UTC is 00:30 WIT (UTC+9) but still
# 22:30 WIB on 31 December.
@pytest.mark.parametrize(
    ("time_zone", "utc_time", "still_valid"),
    [
        ("Asia/Jakarta", dt.time(16, 59), True),  # WIB 23:59 on the last day
        ("Asia/Jakarta", dt.time(17, 30), False),  # WIB 00:30 the day after
        ("Asia/Makassar", dt.time(16, 30), False),  # WITA 00:30 the day after
        ("Asia/Jayapura", dt.time(15, 30), False),  # WIT 00:30 the day after
        ("Asia/Jayapura", dt.time(14, 30), True),  # WIT 23:30 on the last day
        ("UTC", dt.time(17, 30), True),
    ],
)
def test_today_is_the_network_time_zones_date(
    world, settings, monkeypatch, time_zone, utc_time, still_valid
):
    settings.TIME_ZONE = time_zone
    last_day = dt.date(2026, 12, 31)
    instant = dt.datetime.combine(last_day, utc_time, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    make_agreement([world.library_a, world.library_b], start=dt.date(2026, 1, 1), end=last_day)
    assert network_today() == (last_day if still_valid else last_day + DAY)
    assert is_service_allowed(Service.ILL_LOAN, world.library_a, world.library_b) is still_valid
