"""The search change log: written with every change to a title, read by the indexer.

On PostgreSQL a change's number comes from a sequence when the row is written, not when
its transaction commits. A reader that took the highest committed number as the end of
the log would step, for good, over the changes of a transaction still running with lower
numbers (a librarian's merge committed while an import's batch was still being written).
So writers hold a shared lock from their first change to their commit, and a reader reads
the end holding the same lock exclusively: it waits for the writers in flight, or, when
it must not wait, gets no end this time. SQLite lets one writer in at a time, so numbers
are committed in order there and no lock is needed.

The same lock keeps OAI-PMH datestamps honest. A title's datestamp is taken while its
transaction is still open; a harvester that asked at a moment between that and the
commit would not see the change, and its next harvest, from that moment on, would skip
it for good. So writers take the lock before they take the time (`writing_titles`), and
a harvest's first request waits for the writers in flight (`wait_for_writers`) before it
says what time it is. On SQLite it waits for the database's one writer instead.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import Any, overload

from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from simpul.catalog.models import SearchChange
from simpul.core.bulk import insert_values

LOCK_KEY = 5_316_001  # the advisory lock of this log; any number no other lock uses


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def writing_titles() -> None:
    """Hold the log's lock, shared, until the caller's transaction ends: from before a
    title's datestamp is taken or its change numbered until both are committed. Call it
    inside the transaction that writes them."""
    if _on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])


def record_changes(cluster_ids: Iterable[int]) -> None:
    """Log that these titles changed (in the caller's transaction)."""
    ids = list(cluster_ids)
    if not ids:
        return
    with transaction.atomic():  # the lock lasts until the caller's transaction commits
        writing_titles()
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


def wait_for_writers(seconds: float) -> bool:
    """Wait until every title change begun so far is committed, or `seconds` have passed
    (False then). After it, any datestamp still to be written is later than now."""
    if _on_postgresql():
        with connection.cursor() as cursor:
            if not _try_lock(cursor, seconds):
                return False
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return True
    if connection.in_atomic_block:
        return True  # this connection is the writer, if there is one
    try:
        with _sqlite_busy_timeout(seconds), transaction.atomic():
            pass  # BEGIN IMMEDIATE (settings) takes the write lock once the writer lets go
    except OperationalError:  # "database is locked": the writer took longer
        return False
    return True


@contextlib.contextmanager
def _sqlite_busy_timeout(seconds: float) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


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
