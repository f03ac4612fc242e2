"""The search change log: written with every change to a title, read by the indexer.

On PostgreSQL a change's number comes from a sequence when the row is written, not when
its transaction commits. A reader that took the highest committed number as the end of
the log would step, for good, over the changes of a transaction still running with lower
numbers (a librarian's merge committed while an import's batch was still being written).
So writers hold a shared lock from their first change to their commit, and a reader reads
the end holding the same lock exclusively: it waits for the writers in flight, or, when
it must not wait, gets no end this time. SQLite lets one writer in at a time, so numbers
are committed in order there and no lock is needed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, overload

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from simpul.catalog.models import SearchChange
from simpul.core.bulk import insert_values

LOCK_KEY = 5_316_001  # the advisory lock of this log; any number no other lock uses


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def record_changes(cluster_ids: Iterable[int]) -> None:
    """Log that these titles changed (in the caller's transaction)."""
    ids = list(cluster_ids)
    if not ids:
        return
    with transaction.atomic():  # the lock lasts until the caller's transaction commits
        if _on_postgresql():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])
        now = timezone.now()
        insert_values(SearchChange, ["cluster_id", "created_at"], [(pk, now) for pk in ids])


def highest() -> int:
    """The highest change number written and committed (later ones may commit below it)."""
    return int(SearchChange.objects.aggregate(last=Max("pk"))["last"] or 0)


@overload
def committed_end() -> int: ...
@overload
def committed_end(*, wait: float | None) -> int | None: ...
def committed_end(*, wait: float | None = None) -> int | None:
    """The number up to which every change is committed.

    `wait`: seconds to wait for writers in flight, after which None is returned; None waits
    as long as they take (a batch, seconds). A process's own open transaction never blocks
    it: its own changes are visible to it.
    """
    if not _on_postgresql():
        return highest()
    with connection.cursor() as cursor:
        if wait is None:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        elif not _try_lock(cursor, wait):
            return None
        try:
            with transaction.atomic():  # should the read fail, the unlock below still runs
                return highest()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _try_lock(cursor: Any, seconds: float) -> bool:
    """Take the log's lock exclusively if the writers in flight commit within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        row = cursor.fetchone()
        if row and row[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
