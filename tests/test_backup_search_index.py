"""After a restore the catalogue is searchable again: the index is rebuilt from the rows."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from simpul.catalog.models import Record
from simpul.catalog.search.engine import SearchQuery
from simpul.catalog.services import imports
from simpul.catalog.services.indexing import forget_open_indexes, search_index
from simpul.core.backup import restore_backup, write_backup

pytestmark = pytest.mark.django_db(transaction=True)


def test_restore_rebuilds_the_search_index(world, settings, tmp_path, shared_data):
    data = (shared_data / "marc21/traject-index_bench-batch.mrc").read_bytes()
    job = imports.create_import_job(None, world.library_a, io.BytesIO(data), "lc.mrc")
    imports.run_import_job(job)
    archive = write_backup(tmp_path / "backup.tar.gz")
    forget_open_indexes()
    settings.SEARCH_INDEX_DIR = tmp_path / "empty-index"
    assert search_index().num_docs == 0
    restore_backup(archive)
    assert search_index().num_docs == 31
    assert search_index().search(SearchQuery(text="")).total == 31


def test_restore_leaves_the_planner_statistics_of_the_rows_it_loaded(
    world, settings, tmp_path, shared_data
):
    """On PostgreSQL; SQLite plans these queries without statistics."""
    data = (shared_data / "marc21/traject-index_bench-batch.mrc").read_bytes()
    job = imports.create_import_job(None, world.library_a, io.BytesIO(data), "lc.mrc")
    imports.run_import_job(job)
    archive = write_backup(tmp_path / "backup.tar.gz")
    Record.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_record")
        assert _estimated_records() == 0
    restore_backup(archive)
    assert Record.objects.count() == 31
    if connection.vendor == "postgresql":
        assert _estimated_records() == 31


def _estimated_records() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_record'")
        return float(cursor.fetchone()[0])
