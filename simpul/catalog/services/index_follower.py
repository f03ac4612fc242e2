"""The search index following a long import or harvest, from a second process.

Indexing is a seventh of an import's work. Done after the writing, it makes a librarian
wait for it at the end and leaves the titles unsearchable until then; done by another
process as the change log grows, it runs on the other core while the writing goes on, and
the titles become searchable batch by batch.
"""

from __future__ import annotations

import multiprocessing
from types import TracebackType
from typing import Any

from django.db import connection

from simpul.catalog.search.engine import WriterBusy
from simpul.catalog.services import change_log, indexing, read_ahead

# The follower starts once a job has written this many records (starting costs a second),
# and applies the log whenever this many changes wait, in windows short enough that another
# writer of the index (a librarian's merge) never waits long for the lock.
FOLLOW_AFTER_RECORDS = 5_000
FOLLOW_CHANGES = 2_000
_FOLLOW_PAUSE = 0.5
_FOLLOW_LAST_WAIT = 5.0


def _turn(*, wait: float, changes: int = FOLLOW_CHANGES) -> bool:
    """Apply what waits; False when nothing could be: a writer of the log was still
    committing, or another writer held the index (neither is waited for long)."""
    try:
        return indexing.apply_search_changes(window=2 * changes, wait=wait) > 0
    except WriterBusy:
        return False


def follow(stop: Any, changes: int = FOLLOW_CHANGES) -> None:
    """The following process's loop: apply the log whenever `changes` wait; once `stop` is
    set, to its end."""
    try:
        while not stop.is_set():
            if read_ahead.parent_gone():
                break  # the importing process was killed: index what it wrote, then end
            waiting = change_log.highest() - indexing.position()
            if waiting < changes or not _turn(wait=0, changes=changes):
                # Never wait for the importing process's batch: the next turn comes soon.
                stop.wait(_FOLLOW_PAUSE)
        # The last turn: the writing is over. Whatever cannot be had within seconds (another
        # job writing on) is left to the importing process, which applies the log after this.
        _turn(wait=_FOLLOW_LAST_WAIT, changes=changes)
    finally:
        connection.close()


class LogFollower:
    """Keeps the search index following a long job's writing, from a second process.

    Use as a context around the writing and tell it how far the job has got; leaving the
    context waits until the index has caught up (or, after an error, stops the process).
    The job still applies the log itself afterwards: whatever the second process did not
    finish (it failed, or never started) is done there, so the index is never left behind.
    """

    def __init__(self) -> None:
        self.started = False
        self._process: multiprocessing.process.BaseProcess | None = None
        self._stop: Any = None

    @property
    def process_id(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> LogFollower:
        return self

    def progress(self, records_seen: int) -> None:
        if not self.started and records_seen >= FOLLOW_AFTER_RECORDS:
            self.started = True
            self._start()

    def _start(self) -> None:
        database = str(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and (database == ":memory:" or "mode=memory" in database):
            return  # another process cannot open it (the SQLite test database)
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._process = context.Process(
            target=read_ahead.follow_log,
            args=(database, str(indexing.index_path()), FOLLOW_CHANGES, self._stop),
            daemon=True,
        )
        self._process.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        self._stop.set()
        # What was written before a failure stays in the catalogue and is indexed; only an
        # interruption (Ctrl-C, the worker stopping) does not wait for that.
        process.join(timeout=None if error is None or isinstance(error, Exception) else 10)
        if process.is_alive():
            process.terminate()
            process.join()
        self._process = None
