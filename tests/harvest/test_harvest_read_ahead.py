"""A long list is read in a second process while the harvester writes the page before.

The reading process must change nothing a librarian sees: the same records, in the same
order, the same reports for a broken record, and the pages read before a failure kept.
The threshold is lowered here so that the 100 real Caltech records make a long list.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from simpul.catalog.models import ImportProblem, JobStatus, Record
from simpul.catalog.services import reading
from simpul.harvest import services
from simpul.harvest.models import HarvestSource, RunMode
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import Behaviour

pytestmark = pytest.mark.django_db

FIELDS = ("local_id", "title", "subtitle", "authors", "year", "publisher", "subjects")


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[reading.PageReader]:
    """Every reading process started, with read-ahead from the 30th record on."""
    started: list[reading.PageReader] = []

    class CountedReader(reading.PageReader):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.most_waiting = 0
            started.append(self)

        def give(self, page: bytes) -> None:
            super().give(page)
            self.most_waiting = max(self.most_waiting, self.waiting)

    monkeypatch.setattr(services, "READ_AHEAD_RECORDS", 30)
    monkeypatch.setattr(reading, "PageReader", CountedReader)
    return started


def harvest(source: HarvestSource):
    with translation.override("en"):
        return services.harvest(source, RunMode.FULL, client_factory=quick_client)


def catalogue(library_id: int) -> list[tuple[Any, ...]]:
    return list(Record.objects.filter(library_id=library_id).order_by("pk").values_list(*FIELDS))


def test_a_long_list_read_ahead_gives_the_catalogue_read_here(
    world, source, behaviour: Behaviour, readers, monkeypatch: pytest.MonkeyPatch
):
    behaviour.page_size = 10
    ahead = harvest(source)
    assert len(readers) == 1
    assert ahead.job.status == JobStatus.SUCCEEDED, ahead.job.message
    assert (ahead.job.added, ahead.pages) == (100, 10)

    monkeypatch.setattr(services, "READ_AHEAD_RECORDS", 10**9)
    here = HarvestSource.objects.create(
        library=world.library_b, name="Repositori Alpha", base_url=source.base_url
    )
    assert harvest(here).job.added == 100
    assert len(readers) == 1, "the second harvest read its pages itself"
    assert catalogue(world.library_a.pk) == catalogue(world.library_b.pk)
    assert all(
        Record.objects.filter(local_id=local_id).values("cluster").distinct().count() == 1
        for local_id in Record.objects.values_list("local_id", flat=True)
    ), "each record of A sits with B's copy of it"


def test_a_broken_record_met_while_reading_ahead_is_reported(source, behaviour: Behaviour, readers):
    behaviour.page_size = 10
    broken = behaviour.items[75].identifier
    behaviour.break_record = broken
    run = harvest(source)
    assert len(readers) == 1
    assert (run.job.added, run.job.failed) == (99, 1)
    assert ImportProblem.objects.get(job=run.job).local_id == broken


def test_a_failure_while_reading_ahead_keeps_the_pages_before_it(
    source, behaviour: Behaviour, readers
):
    behaviour.page_size = 10
    behaviour.fail_from_request = 8  # pages 1-7 arrive; 4 to 7 go through the reader
    run = harvest(source)
    assert len(readers) == 1
    assert run.job.status == JobStatus.FAILED
    assert "did not answer" in run.job.message
    assert Record.objects.count() == 70, "every page that arrived is kept"
    assert not readers[0]._process.is_alive()


def test_the_reading_process_reads_several_pages_ahead_within_its_bounds(
    source, behaviour: Behaviour, readers, monkeypatch: pytest.MonkeyPatch
):
    """The reader must hold more than the page being written, or it idles while the
    harvest writes and the harvest then waits for it page by page."""
    behaviour.page_size = 10
    monkeypatch.setattr(reading, "PAGES_IN_READER", 4)
    assert harvest(source).job.added == 100
    assert readers[-1].most_waiting == 4

    monkeypatch.setattr(reading, "PAGE_BYTES_IN_READER", 1)  # every page is over the bound
    again = HarvestSource.objects.create(
        library=source.library, name="Again", base_url=source.base_url
    )
    run = harvest(again)
    assert (run.job.added, run.job.status) == (100, JobStatus.SUCCEEDED)
    assert readers[-1].most_waiting == 1
