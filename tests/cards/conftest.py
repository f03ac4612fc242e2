"""Cards and visits for tests: signing keys in a per-test folder, an agreement covering
reciprocal access between Alpha and Beta, and cards made with exact dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from simpul.accounts.models import User
from simpul.agreements.models import Agreement, Service
from simpul.cards.models import CardStatus, MemberCard, VisitRules
from simpul.network.models import Library
from tests.agreements.conftest import make_agreement
from tests.conftest import World

UTC = dt.UTC
# Monday 23 November 2026, 10:00 WIB: Beta's desk is open, every card below is valid.
MONDAY_10_WIB = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
MONDAY = MONDAY_10_WIB.date()


@pytest.fixture(autouse=True)
def card_keys(settings: Any, tmp_path: Path) -> Path:
    settings.CARD_KEY_DIR = tmp_path / "card-keys"
    return Path(settings.CARD_KEY_DIR)


@pytest.fixture
def reciprocal(world: World) -> Agreement:
    """An MoU between Alpha and Beta that covers reciprocal access (silang layan)."""
    return make_agreement(
        [world.library_a, world.library_b],
        [Service.RECIPROCAL_ACCESS],
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 12, 31),
    )


def make_card(
    holder: User,
    valid_from: dt.date = dt.date(2026, 1, 1),
    valid_until: dt.date = dt.date(2026, 12, 31),
    status: str = CardStatus.ACTIVE,
) -> MemberCard:
    assert holder.library is not None
    card = MemberCard.objects.create(
        holder=holder,
        home_library=holder.library,
        holder_name=holder.get_full_name(),
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    card.number = f"{holder.library.code}-{card.pk:06d}"
    card.save()
    return card


@pytest.fixture
def card_a(world: World) -> MemberCard:
    return make_card(world.patron_a)


def open_all_week(library: Library, **values: Any) -> VisitRules:
    """Rules that receive visitors every day at every hour (for tests that use the real clock)."""
    rules = VisitRules.objects.create(
        library=library,
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        opens=dt.time(0, 0),
        closes=dt.time.max,
        **values,
    )
    return rules
