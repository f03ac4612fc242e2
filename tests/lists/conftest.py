"""Fixtures of the lists tests: the catalogue of real sample records (see catalogue_world.py),
and the same catalogue with the dates its records first appeared spread over three months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from simpul.catalog.models import Record
from tests.catalog.catalogue_world import catalogue, en_client  # noqa: F401
from tests.conftest import World

SEPTEMBER = dt.date(2026, 9, 1)
OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def dated(catalogue: World) -> World:  # noqa: F811
    """ALPHA's shared records arrived in September, its own in October; BETA joined in November."""
    alpha_only = {"zebra-sample.mrc"}
    for record in Record.objects.select_related("last_job"):
        if record.library_id == catalogue.library_b.pk:
            when = at(NOVEMBER.replace(day=3))
        elif record.last_job and record.last_job.file_name in alpha_only:
            when = at(OCTOBER.replace(day=20))
        else:
            when = at(SEPTEMBER.replace(day=15))
        Record.objects.filter(pk=record.pk).update(first_seen_at=when)
    return catalogue
