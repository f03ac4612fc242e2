"""The catalogue's largest tables carry no index that a longer one already leads with: each
index is written for every row of a million-record import. The lookups by library and by
record must still be answered from an index, and the upgrade must keep every row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from simpul.catalog.models import Holding, Record, RecordKey
from tests.conftest import World

BEFORE = [("catalog", "0008_slims_ucs_source_format")]
AFTER = [("catalog", "0009_redundant_indexes_dropped")]
COLUMNS = [
    ("catalog_record", "library_id"),
    ("catalog_holding", "library_id"),
    ("catalog_recordkey", "record_id"),
]


def single_column_indexes(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and info["columns"] == [column]
    ]


def plan(queryset: Any) -> str:
    """How the database answers the query, with table scans ruled out where they can be."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            found = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            return found
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_lookups_by_library_and_record_use_the_longer_indexes(catalogue: World) -> None:
    for table, column in COLUMNS:
        assert single_column_indexes(table, column) == [], table
    record = Record.objects.filter(library=catalogue.library_a).first()
    assert record is not None
    queries = [
        Record.objects.filter(library=catalogue.library_a).values("pk"),
        Holding.objects.filter(library=catalogue.library_a).values("pk"),
        RecordKey.objects.filter(record=record).values("key"),
    ]
    for queryset in queries:
        answer = plan(queryset)
        assert "INDEX" in answer.upper(), answer
        assert "SCAN catalog_" not in answer.replace('"', ""), answer
    assert RecordKey.objects.filter(record=record).count() >= 3


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_every_row_and_can_be_undone(world: World) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for table, column in COLUMNS:
        assert len(single_column_indexes(table, column)) == 1, table
    old = executor.loader.project_state(BEFORE).apps
    record = old.get_model("catalog", "Record").objects.create(
        library_id=world.library_a.pk, local_id="b-1", raw_hash="b-1", title="Biologi sel"
    )
    old.get_model("catalog", "RecordKey").objects.create(record=record, key="isbn:9789790330001")
    old.get_model("catalog", "Holding").objects.create(
        record=record, library_id=world.library_a.pk, call_number="574.87 CAM b"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    for table, column in COLUMNS:
        assert single_column_indexes(table, column) == [], table
    assert RecordKey.objects.get(record_id=record.pk).key == "isbn:9789790330001"
    assert Holding.objects.get(library=world.library_a).call_number == "574.87 CAM b"

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for table, column in COLUMNS:
        assert len(single_column_indexes(table, column)) == 1, table
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Record.objects.get(local_id="b-1").title == "Biologi sel"
