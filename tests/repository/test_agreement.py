"""Hosted deposit needs an agreement between the depositing library and the coordinator's."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from simpul.agreements.models import Service, Status
from simpul.core.errors import AccessDenied
from simpul.repository import services
from tests.agreements.conftest import make_agreement
from tests.repository.conftest import make_pdf, thesis_values

pytestmark = pytest.mark.usefixtures("repository_dir")


def deposit_for_b(world):
    return services.deposit(
        world.librarian_b, world.library_b, thesis_values(), [("a.pdf", io.BytesIO(make_pdf("x")))]
    )


def test_without_an_agreement_a_member_cannot_deposit_in_the_shared_repository(world, english):
    make_agreement([world.library_a, world.library_b], [Service.ILL_LOAN])
    with pytest.raises(AccessDenied) as refused:
        deposit_for_b(world)
    assert "no active agreement" in refused.value.message


def test_an_active_agreement_covering_deposit_opens_it(world):
    make_agreement([world.library_a, world.library_b], [Service.REPOSITORY_DEPOSIT])
    assert deposit_for_b(world).library == world.library_b


def test_an_ended_or_draft_agreement_does_not(world):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    make_agreement([world.library_a, world.library_b], [Service.REPOSITORY_DEPOSIT], end=yesterday)
    make_agreement(
        [world.library_a, world.library_b], [Service.REPOSITORY_DEPOSIT], status=Status.DRAFT
    )
    with pytest.raises(AccessDenied):
        deposit_for_b(world)


def test_the_coordinator_library_deposits_without_an_agreement(world):
    item = services.deposit(
        world.librarian_a, world.library_a, thesis_values(), [("a.pdf", io.BytesIO(make_pdf("x")))]
    )
    assert item.pk
