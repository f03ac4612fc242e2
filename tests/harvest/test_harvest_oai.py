"""A library's OAI-PMH source is harvested into the union catalogue: all pages, deletions,
changes since the last harvest, and vanished records found by a full harvest."""

from __future__ import annotations

import datetime as dt

import pytest

from simpul.catalog.models import Cluster, JobStatus, Record, RecordStatus
from simpul.catalog.search import SearchQuery
from simpul.catalog.services import indexing
from simpul.harvest import services
from simpul.harvest.models import HarvestSource, RunMode
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import Behaviour

pytestmark = pytest.mark.django_db


def harvest(source: HarvestSource, mode: str = "", **options):
    return services.harvest(source, mode, client_factory=quick_client, **options)


def test_a_first_harvest_reads_every_page_into_the_catalogue(source, behaviour: Behaviour):
    run = harvest(source)
    job = run.job
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert run.mode == RunMode.FULL  # nothing harvested before: everything is read
    assert run.pages == 4  # 100 records in pages of 30
    assert (job.records_seen, job.added, job.failed) == (100, 100, 0)
    records = Record.objects.filter(library=source.library, origin=source.origin)
    assert records.count() == 100
    assert records.filter(local_id="oai:caltechcstr.library.caltech.edu:4").exists()
    assert all(r.cluster_id for r in records)
    first, *resumed = behaviour.requests
    assert first == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert [sorted(r) for r in resumed] == [["resumptionToken", "verb"]] * 3
    source.refresh_from_db()
    assert source.harvested_until == dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    found = indexing.search_index().search(SearchQuery(text="language processor"))
    assert found.total >= 1, "harvested records are searchable when the harvest ends"


def test_harvesting_again_changes_nothing(source):
    harvest(source)
    clusters = set(Cluster.objects.values_list("pk", flat=True))
    again = harvest(source, RunMode.FULL)
    assert (again.job.added, again.job.updated, again.job.unchanged) == (0, 0, 100)
    assert set(Cluster.objects.values_list("pk", flat=True)) == clusters


def test_an_incremental_harvest_asks_for_changes_since_the_last_one(source, behaviour: Behaviour):
    harvest(source)
    source.refresh_from_db()
    source.full_every_days = 0
    source.save()
    behaviour.requests.clear()
    changed = behaviour.items[0]
    changed.datestamp = "2026-11-21"
    changed.xml = changed.xml.replace(b"A Language Processor", b"A Revised Language Processor")
    behaviour.items[1].datestamp = "2026-11-21"
    behaviour.items[1].deleted = True
    run = harvest(source)
    assert run.mode == RunMode.INCREMENTAL
    assert behaviour.requests[0]["from"] == "2026-11-20"
    assert (run.job.records_seen, run.job.updated, run.job.withdrawn) == (2, 1, 1)
    revised = Record.objects.get(local_id=changed.identifier, origin=source.origin)
    assert revised.title.startswith("A Revised Language Processor")
    gone = Record.objects.get(local_id=behaviour.items[1].identifier, origin=source.origin)
    assert gone.status == RecordStatus.DELETED and gone.cluster_id is None


def test_changes_are_asked_for_from_a_little_before_the_last_harvest_began(source, behaviour):
    """An endpoint that dates a change before committing it must not have it fall between
    two harvests: the next one starts 15 minutes early, and what it reads again is
    recognised as unchanged."""
    source.granularity = behaviour.granularity = "YYYY-MM-DDThh:mm:ssZ"
    source.save()
    behaviour.response_date = "2026-11-20T10:00:07Z"
    harvest(source)
    source.refresh_from_db()
    source.full_every_days = 0
    source.save()
    behaviour.requests.clear()
    for item in behaviour.items[:3]:  # committed late, dated before the last harvest began
        item.datestamp = "2026-11-20T09:58:00Z"
    run = harvest(source)
    assert run.mode == RunMode.INCREMENTAL
    assert behaviour.requests[0]["from"] == "2026-11-20T09:45:07Z"
    assert (run.job.records_seen, run.job.added, run.job.updated) == (3, 0, 0)
    assert run.job.unchanged == 3


def test_a_full_harvest_withdraws_records_the_endpoint_no_longer_lists(source, behaviour):
    harvest(source)
    vanished = behaviour.items.pop(5)
    run = harvest(source, RunMode.FULL)
    assert run.job.withdrawn == 1
    record = Record.objects.get(local_id=vanished.identifier, origin=source.origin)
    assert record.status == RecordStatus.WITHDRAWN and record.cluster_id is None
    assert Record.objects.filter(status=RecordStatus.ACTIVE).count() == 99


def test_one_record_can_be_harvested_again(source, behaviour):
    harvest(source)
    target = behaviour.items[3]
    target.xml = target.xml.replace(b"<dc:title>", b"<dc:title>Corrected: ", 1)
    run = harvest(source, identifier=target.identifier)
    assert run.mode == RunMode.SELECTIVE
    assert run.job.updated == 1
    assert Record.objects.get(local_id=target.identifier).title.startswith("Corrected: ")
    behaviour.items.remove(target)
    gone = harvest(source, identifier=target.identifier)
    assert gone.job.withdrawn == 1
    assert Record.objects.get(local_id=target.identifier).status == RecordStatus.DELETED


def test_two_sources_with_the_same_identifiers_do_not_mix(source, world, endpoint):
    other = HarvestSource.objects.create(library=world.library_a, name="Second", base_url=endpoint)
    harvest(source)
    harvest(other)
    assert Record.objects.filter(library=world.library_a).count() == 200
    assert Record.objects.filter(origin=other.origin).count() == 100


def test_no_records_match_is_not_a_failure(source, behaviour):
    harvest(source)
    source.refresh_from_db()
    source.full_every_days = 0
    source.save()
    run = harvest(source)
    assert run.job.status == JobStatus.SUCCEEDED
    assert run.job.records_seen == 0


def test_a_slims_opac_is_harvested_through_its_mods_search(source, behaviour: Behaviour):
    del behaviour.items[35:]
    source.route = "slims_mods"
    source.save()
    run = harvest(source)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.mode == RunMode.FULL
    assert run.job.added == 35 and run.pages == 5  # 4 pages of records, then an empty one
    first = Record.objects.get(origin=source.origin, local_id="1")
    assert first.title == "A Language Processor and a Sample Language"
    assert first.publisher == "California Institute of Technology"
    assert [r["page"] for r in behaviour.requests] == ["1", "2", "3", "4", "5"]
    del behaviour.items[30:]
    again = harvest(source)
    assert again.job.withdrawn == 5 and again.job.unchanged == 30
