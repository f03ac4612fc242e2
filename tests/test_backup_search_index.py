"""After a restore the catalogue is searchable again: the index is rebuilt from the rows."""

from __future__ import annotations

import io

import pytest

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
