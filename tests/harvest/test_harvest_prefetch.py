"""A list's next pages are fetched while the harvest writes the pages before.

A member's endpoint may take a second or more a page; the harvest must not wait for it
after writing each page. Against the loopback server: the request for page 2 is on its
way while page 1 is written, a page fetched ahead that cannot be had stops the harvest
after the pages before it are written, and repairs noted while fetching ahead are
worded in the harvest's language. SLiMS's MODS search is fetched ahead up to the last page
its first page announces, and read on past it while pages bring something new.
"""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from simpul.catalog.models import Cluster, JobStatus
from simpul.catalog.services import indexing
from simpul.harvest import adjusters, oai, services
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

    monkeypatch.setattr(adjusters, "record_adjusters", [watch])
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


def _slims(source: HarvestSource, behaviour: Behaviour, titles: int) -> None:
    del behaviour.items[titles:]
    source.route = "slims_mods"
    source.save()


def _slims_pages_asked(behaviour: Behaviour) -> list[int]:
    return [int(r["page"]) for r in behaviour.requests if r.get("resultXML") == "true"]


def test_slims_search_pages_are_fetched_ahead_up_to_the_last_the_first_page_announces(
    source: HarvestSource, behaviour: Behaviour, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slims(source, behaviour, 60)  # six pages of ten
    seen_while_writing_page_2: list[int] = []

    def watch(_source: HarvestSource, record) -> None:
        if record.local_id != "11" or seen_while_writing_page_2:
            return
        # Page 2 is being written: page 3 can only have been asked for beside the writing.
        deadline = time.monotonic() + 10
        while max(_slims_pages_asked(behaviour)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_while_writing_page_2.append(max(_slims_pages_asked(behaviour)))

    monkeypatch.setattr(adjusters, "record_adjusters", [watch])
    with translation.override("en"):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert seen_while_writing_page_2[0] >= 3
    assert run.job.added == 60
    # Pages 1-6, then one past the last to learn that nothing was added meanwhile.
    assert _slims_pages_asked(behaviour) == [1, 2, 3, 4, 5, 6, 7]


def test_a_title_catalogued_during_a_slims_harvest_pushes_none_out_of_it(
    source: HarvestSource, behaviour: Behaviour, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = behaviour.items[45]
    _slims(source, behaviour, 40)  # four full pages, as the first page announces

    def catalogue_a_title(_source: HarvestSource, record) -> None:
        if record.local_id == "1" and newest not in behaviour.items:
            behaviour.items.insert(0, newest)  # SLiMS lists the newest first

    monkeypatch.setattr(adjusters, "record_adjusters", [catalogue_a_title])
    with translation.override("en"):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.job.added == 40, "the fortieth title, pushed to a fifth page, is read too"
    assert run.job.withdrawn == 0
    assert _slims_pages_asked(behaviour) == [1, 2, 3, 4, 5, 6]


def test_slims_results_that_do_not_say_their_number_are_read_page_by_page(
    source: HarvestSource, behaviour: Behaviour
) -> None:
    _slims(source, behaviour, 25)
    behaviour.slims_result_info = False
    with translation.override("en"):
        run = services.harvest(source, RunMode.FULL, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.job.added == 25
    assert _slims_pages_asked(behaviour) == [1, 2, 3, 4]
