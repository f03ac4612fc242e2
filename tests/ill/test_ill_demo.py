"""The demo seeds lending policies and requests at every stage, each with its history."""

from __future__ import annotations

import pytest

from simpul.catalog.bibliographic import ItemStatus
from simpul.ill.demo import load_demo
from simpul.ill.models import IllRequest, Status
from tests.ill.conftest import Ill, add_title

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_the_stages(ill: Ill, tmp_path, settings):
    settings.ILL_COPY_DIR = tmp_path
    w = ill.world
    for n in range(5):
        add_title(f"Judul demo {n}", {w.library_b: ItemStatus.AVAILABLE})
    assert load_demo(w.network) >= 5
    statuses = set(IllRequest.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.REQUEST_RECEIVED, Status.RECEIVED} <= statuses
    assert {Status.COPY_COMPLETED, Status.LOAN_COMPLETED} <= statuses
    assert all(r.messages.exists() for r in IllRequest.objects.all())
