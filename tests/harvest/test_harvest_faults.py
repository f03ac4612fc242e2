"""Real endpoints misbehave; the harvester retries what can be retried, repairs what can be
repaired and says so, skips one broken record and keeps the rest, and a harvest that
fails half-way leaves the catalogue consistent for the next one to complete."""

from __future__ import annotations

import pytest
from django.utils import translation

from simpul.catalog.models import ImportProblem, JobStatus, Record
from simpul.harvest import oai, services
from simpul.harvest.models import HarvestSource, Quirk, RunMode
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import Behaviour

pytestmark = pytest.mark.django_db


def harvest(source: HarvestSource, mode: str = RunMode.FULL):
    with translation.override("en"):
        return services.harvest(source, mode, client_factory=quick_client)


def test_busy_and_failing_answers_are_retried(source, behaviour: Behaviour):
    behaviour.busy_first = 1
    behaviour.errors_first = 2
    run = harvest(source)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.job.added == 100
    assert len(behaviour.requests) == 3 + 4  # three refused attempts, then four pages


def test_an_endpoint_that_keeps_failing_fails_the_harvest_with_the_reason(source, behaviour):
    behaviour.errors_first = 99
    run = harvest(source)
    assert run.job.status == JobStatus.FAILED
    assert "did not answer after 5 attempts: HTTP 500" in run.job.message
    assert Record.objects.count() == 0


def test_a_harvest_stopped_half_way_is_completed_by_the_next(source, behaviour: Behaviour):
    behaviour.fail_from_request = 3  # pages 1 and 2 arrive, then the endpoint breaks
    broken = harvest(source)
    assert broken.job.status == JobStatus.FAILED
    assert Record.objects.count() == 60, "whole pages are kept"
    source.refresh_from_db()
    assert source.harvested_until is None, "a failed harvest does not move the date on"
    behaviour.fail_from_request = None
    again = harvest(source, "")
    assert again.job.status == JobStatus.SUCCEEDED
    assert (again.job.added, again.job.unchanged) == (40, 60)
    assert Record.objects.count() == 100


def test_stray_text_before_the_xml_is_removed_and_reported(source, behaviour: Behaviour):
    behaviour.stray_text = True
    run = harvest(source)
    assert run.job.added == 100
    assert any("Text before the XML was removed" in repair for repair in run.repairs)
    source.refresh_from_db()
    assert Quirk.STRAY_TEXT in source.quirks


def test_a_wrong_charset_declaration_is_overruled_by_the_bytes(source, behaviour: Behaviour):
    item = behaviour.items[0]
    item.xml = item.xml.replace(b"A Language Processor", "Pemrosesan Bahasa — édition".encode())
    behaviour.declare_latin1 = True
    run = harvest(source)
    record = Record.objects.get(local_id=item.identifier)
    assert record.title.startswith("Pemrosesan Bahasa — édition")
    assert any("ISO-8859-1" in repair for repair in run.repairs)
    source.refresh_from_db()
    assert Quirk.WRONG_CHARSET in source.quirks


def test_one_broken_record_is_reported_and_the_rest_imported(source, behaviour: Behaviour):
    broken = behaviour.items[40].identifier
    behaviour.break_record = broken
    run = harvest(source)
    assert run.job.status == JobStatus.SUCCEEDED
    assert (run.job.added, run.job.failed) == (99, 1)
    problem = ImportProblem.objects.get(job=run.job)
    assert problem.local_id == broken
    assert "not well-formed" in problem.reason
    assert not Record.objects.filter(local_id=broken).exists()


def test_a_broken_record_is_not_withdrawn_by_a_full_harvest(source, behaviour: Behaviour):
    harvest(source)
    behaviour.break_record = behaviour.items[40].identifier
    run = harvest(source)
    assert run.job.withdrawn == 0, "a record we could not read is still at the source"


def test_an_expired_resumption_token_starts_the_list_again(source, behaviour: Behaviour):
    behaviour.expire_tokens_once = True
    run = harvest(source)
    assert run.job.status == JobStatus.SUCCEEDED
    assert run.job.added == 100 and run.job.failed == 0
    assert any("resumption token" in repair for repair in run.repairs)


def test_offset_tokens_and_shifting_pages_are_recognised(source, behaviour: Behaviour):
    behaviour.offset_tokens = True
    run = harvest(source)
    assert run.job.added == 100
    source.refresh_from_db()
    assert Quirk.OFFSET_TOKENS in source.quirks


def test_an_entity_bomb_is_refused_unread(source, behaviour: Behaviour):
    behaviour.raw_answer = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><OAI-PMH><responseDate>&lol2;</responseDate></OAI-PMH>'
    )
    run = harvest(source)
    assert run.job.status == JobStatus.FAILED
    assert "DOCTYPE" in run.job.message
    assert Record.objects.count() == 0


def test_testing_a_source_shows_what_the_endpoint_offers(endpoint):
    description = services.test_source(endpoint, quick_client)
    assert description.repository_name == "Loopback test repository"
    assert description.granularity == "YYYY-MM-DD"
    assert description.formats == ["oai_dc"]
    assert ("theses", "Theses") in description.sets
    assert description.deleted_record == "persistent"


def test_testing_something_that_is_not_oai_pmh_says_so(endpoint, behaviour: Behaviour):
    behaviour.raw_answer = b"<html><body>Selamat datang di OPAC</body></html>"
    with translation.override("en"), pytest.raises(oai.HarvestError, match="not an OAI-PMH"):
        services.test_source(endpoint, quick_client)


def test_an_endpoint_without_dates_or_deletions_is_always_harvested_in_full(
    source, behaviour: Behaviour
):
    behaviour.earliest = ""
    behaviour.deleted_record = "no"
    services.apply_description(source, services.test_source(source.base_url, quick_client))
    assert {Quirk.NO_INCREMENTAL, Quirk.NO_DELETIONS} <= set(source.quirks)
    source.save()
    harvest(source, "")
    source.refresh_from_db()
    assert services.choose_mode(source) == RunMode.FULL


def test_a_page_that_cannot_be_read_at_all_withdraws_nothing(source, behaviour: Behaviour):
    harvest(source)
    behaviour.raw_answer = (
        b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI'
        b'/2.0/"><responseDate>2026-11-22T10:00:00Z</responseDate><ListRecords><recor'
    )
    run = harvest(source)
    assert run.job.failed == 1 and run.job.withdrawn == 0
    assert "no record could be taken out of it" in run.job.problems.get().reason
    assert any("were not withdrawn" in repair for repair in run.repairs)
    assert Record.objects.filter(status="active").count() == 100
