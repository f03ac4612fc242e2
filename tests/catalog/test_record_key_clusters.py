"""Each record's keys carry its cluster, so that an import finds a key's clusters in one
index. The copy must follow the record through imports, a librarian's corrections and a
withdrawal, and the upgrade must fill it in for a catalogue already stored."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from simpul.catalog.models import Record, RecordKey, RecordStatus
from simpul.catalog.services import clustering, decisions, imports
from tests.catalog.catalogue_world import shared_cluster
from tests.conftest import World

BEFORE = [("catalog", "0003_author_last_word_keys")]
# One edition, as two libraries' records describe it.
BIOLOGI_SEL = {
    "source_format": "marc21",
    "raw": b"",
    "title": "Biologi sel",
    "authors": ["Campbell, Neil A."],
    "publisher": "Erlangga",
    "year": 2010,
    "isbns": ["9789790330001"],
    "material_type": "book",
}
AFTER = [("catalog", "0004_record_key_clusters")]


def assert_keys_follow_their_records() -> None:
    rows = list(RecordKey.objects.values_list("cluster_id", "record__cluster_id", "record__status"))
    assert rows
    assert [row for row in rows if row[0] != row[1] or row[2] != RecordStatus.ACTIVE] == []


def test_keys_follow_their_records_through_corrections_and_withdrawal(catalogue: World) -> None:
    assert_keys_follow_their_records()
    cluster = shared_cluster()
    record = Record.objects.get(cluster=cluster, library__code="ALPHA")
    beta = Record.objects.get(cluster=cluster, library__code="BETA")

    decisions.keep_apart(catalogue.librarian_a, record)
    record.refresh_from_db()
    assert record.cluster_id != cluster.pk
    assert set(RecordKey.objects.filter(record=record).values_list("cluster_id", flat=True)) == {
        record.cluster_id
    }
    assert_keys_follow_their_records()

    decisions.keep_together(catalogue.librarian_a, record, beta)
    record.refresh_from_db()
    assert record.cluster_id == beta.cluster_id
    assert_keys_follow_their_records()

    others = set(
        Record.objects.filter(library=record.library, origin=imports.FILE_ORIGIN)
        .exclude(pk=record.pk)
        .values_list("local_id", flat=True)
    )
    assert imports.withdraw_missing(record.library, imports.FILE_ORIGIN, others) == 1
    assert not RecordKey.objects.filter(record=record).exists()
    assert_keys_follow_their_records()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_stored_keys_their_clusters(world: World) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    cluster = old.get_model("catalog", "Cluster").objects.create(title="Biologi sel")
    record_model = old.get_model("catalog", "Record")
    key_model = old.get_model("catalog", "RecordKey")

    def stored(local_id: str, status: str, cluster_id: int | None) -> object:
        record = record_model.objects.create(
            library_id=world.library_a.pk,
            local_id=local_id,
            raw_hash=local_id,
            status=status,
            cluster_id=cluster_id,
            **BIOLOGI_SEL,
        )
        key_model.objects.create(record=record, key="isbn:9789790330001")
        return record

    active = stored("b-1", "active", cluster.pk)
    withdrawn = stored("b-2", "withdrawn", None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("catalog", "RecordKey")
    assert new.objects.get(record_id=active.pk).cluster_id == cluster.pk
    assert new.objects.get(record_id=withdrawn.pk).cluster_id is None

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # A record arriving after the upgrade finds the stored one's cluster through its ISBN.
    arriving = Record.objects.create(
        library=world.library_b, local_id="x-9", raw_hash="x-9", **BIOLOGI_SEL
    )
    clustering.recluster([arriving])
    arriving.refresh_from_db()
    assert arriving.cluster_id == cluster.pk
