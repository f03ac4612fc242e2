"""The worker queues and runs the daily fixity audit, and opens ended embargoes in the
catalogue."""

from __future__ import annotations

import datetime as dt

import pytest

from simpul.catalog.models import Holding
from simpul.repository import tasks
from simpul.repository.models import FixityRun
from tests.repository.conftest import make_pdf, published
from tests.worker import run_worker


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("repository_dir")
def test_worker_runs_the_due_fixity_audit_once_a_day(world):
    published(world, ("a.pdf", make_pdf("x")))
    assert tasks.enqueue_due() is True
    assert tasks.enqueue_due() is False  # queued already: not twice
    run_worker()
    run = FixityRun.objects.get()
    assert run.finished_at is not None and run.files_checked == 1 and run.ok


@pytest.mark.usefixtures("repository_dir")
def test_the_catalogue_shows_an_embargoed_item_available_from_its_date(world, settings):
    until = dt.date.today() + dt.timedelta(days=10)
    item = published(world, ("a.pdf", make_pdf("x")), access_level="embargoed", embargo_until=until)
    holding = Holding.objects.get(record=item.catalogue_record)
    assert holding.status == "reference"
    tasks.enqueue_due()
    assert Holding.objects.get(record=item.catalogue_record).status == "reference"
    settings.REPOSITORY_TODAY = until
    tasks.enqueue_due()
    assert Holding.objects.get(record=item.catalogue_record).status == "available"
