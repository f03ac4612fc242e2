"""The indexer never steps over a change that commits after a later-numbered one.

On PostgreSQL a change gets its number when written, not when committed: an import's batch
still being written holds lower numbers than a librarian's merge committed meanwhile. The
indexer must not take the merge's number as the end of the log, or the batch's titles
would never be indexed.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from simpul.catalog.services import change_log, indexing

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_committed_late_with_a_lower_number_is_still_indexed() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite admits one writer at a time: its changes commit in number order")
    written, commit = threading.Event(), threading.Event()

    def batch_still_being_written() -> None:
        try:
            with transaction.atomic():
                change_log.record_changes([101])
                written.set()
                commit.wait(timeout=30)
        finally:
            connection.close()

    writer = threading.Thread(target=batch_still_being_written)
    writer.start()
    try:
        assert written.wait(timeout=30)
        change_log.record_changes([202])  # the merge: a higher number, committed at once
        assert change_log.committed_end(wait=0.2) is None, "a writer is still in flight"
        assert indexing.apply_search_changes(wait=0.2) == 0, "nothing applied past it"
    finally:
        commit.set()
        writer.join(timeout=30)
    assert change_log.committed_end(wait=0) == change_log.highest()
    assert indexing.apply_search_changes() == 2, "both titles' changes, the late one too"
    assert indexing.pending_changes() == 0


def test_the_end_of_the_log_is_its_highest_change_when_nobody_writes() -> None:
    change_log.record_changes([7, 8, 9])
    assert change_log.committed_end() == change_log.highest() > 0
    assert indexing.apply_search_changes() == 3
