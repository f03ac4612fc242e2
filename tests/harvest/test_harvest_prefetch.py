"""A list's next pages are fetched while the harvest writes the pages before.

A member's endpoint may take a second or more a page; the harvest must not wait for it
after writing each page. Against the loopback server: the request for page 2 is on its
way while page 1 is written, a page fetched ahead that cannot be had stops the harvest
after the pages before it are written, and repairs noted while fetching ahead are
worded in the harvest's language.
"""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from simpul.catalog.models import Cluster, JobStatus
from simpul.catalog.services import indexing
from simpul.harvest import oai, services
from simpul.harvest.models import HarvestSource, RunMode
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import Behaviour

pytestmark = pytest.mark.django_db


def _list_requests(behaviour: Behaviour) -> int:
    return sum(1 for request in behaviour.requests if request.get("verb") == "ListRecords")


def test_the_next_page_is_requested_while_a_page_is_written(
    source: HarvestSource, behaviour: Behaviour, monkeypatch: pytest.MonkeyPatch
) -> None:
    behaviour.page_size = 10
    monkeypatch.setattr(oai, "PAGES_AHEAD", 3)
    seen_while_writing_page_1: list[int] = []

    def watch(_source: HarvestSource, record) -> None:
        if seen_while_writing_page_1:
            return
        # The first record of page 1 is being written: wait (up to 10 s) for the
        # request of page 2, which only a fetch running beside the writing can make.
        deadline = time.monotonic() + 10
        while _list_requests(behaviour) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # time enough to fetch the whole list, were nothing to stop it
        seen_while_writing_page_1.append(_list_requests(behaviour))

    monkeypatch.setattr(services, "record_adjusters", [watch])
    with translation.override("en"):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    # Page 1, three waiting, one fetched and waiting for room: never the whole list at once.
    assert 2 <= seen_while_writing_page_1[0] <= 5
    assert (run.job.added, run.pages) == (100, 10)
    assert _list_requests(behaviour) == 10, "no page is asked for twice or past the end"


def test_a_page_fetched_ahead_that_fails_stops_the_harvest_after_the_pages_before(
    source: HarvestSource, behaviour: Behaviour
) -> None:
    behaviour.page_size = 10
    behaviour.fail_from_request = 4  # pages 1-3 answer, every later request gets HTTP 500
    with translation.override("en"):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.FAILED
    assert "HTTP 500" in run.job.message
    assert run.job.added == 30, "the three pages that arrived are written"
    assert run.pages == 3
    assert indexing.pending_changes() == 0, "and what was written is searchable"
    assert indexing.search_index().num_docs == Cluster.objects.count() > 0


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "text before the xml was removed"), ("id", "teks sebelum xml dibuang")],
)
def test_repairs_noted_while_fetching_ahead_are_in_the_harvests_language(
    source: HarvestSource, behaviour: Behaviour, language: str, words: str
) -> None:
    behaviour.page_size = 10
    behaviour.stray_text = True  # every page, so pages 2-10 are repaired in the fetch thread
    with translation.override(language):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.job.added == 100
    assert len(run.repairs) == 1, run.repairs
    assert words in run.repairs[0].lower()
