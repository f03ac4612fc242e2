"""The upgrade that brings a new kind of blocking key applies to a catalogue already
holding records: each active record gains its "z:" key, nothing else changes, and a
record imported afterwards finds the old one through it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, SourceFormat
from tests.conftest import World

BEFORE = [("catalog", "0002_oai_datestamps")]
AFTER = [("catalog", "0003_author_last_word_keys")]


@pytest.mark.django_db(transaction=True)
def test_records_already_in_the_catalogue_gain_the_new_key(world: World) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    record_model = old.get_model("catalog", "Record")
    key_model = old.get_model("catalog", "RecordKey")

    def stored(local_id: str, status: str) -> object:
        record = record_model.objects.create(
            library_id=world.library_a.pk,
            local_id=local_id,
            source_format="marc21",
            raw=b"",
            raw_hash=local_id,
            status=status,
            title="Spearheads for reform",
            subtitle="the social settlements and the progressive movement",
            authors=["Davis, Allen Freeman"],
            year=1967,
            material_type="book",
        )
        key_model.objects.create(record=record, key="t:spearheads_reform")
        return record

    active = stored("ocm00264219", "active")
    withdrawn = stored("ocm00264220", "withdrawn")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("catalog", "RecordKey")
    assert sorted(new.objects.filter(record_id=active.pk).values_list("key", flat=True)) == [
        "t:spearheads_reform",
        "z:davis:ref",
    ]
    assert list(new.objects.filter(record_id=withdrawn.pk).values_list("key", flat=True)) == [
        "t:spearheads_reform"
    ]
    typo = BibRecord(
        local_id="b-1",
        source_format=SourceFormat.CSV,
        raw=b"",
        title="Sppearheads for reform",
        authors=["Davis, A. F."],
    )
    assert "z:davis:ref" in matching.blocking_keys(typo)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_keys = executor.loader.project_state(BEFORE).apps.get_model("catalog", "RecordKey")
    assert not old_keys.objects.filter(key__startswith="z:").exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
