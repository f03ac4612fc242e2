"""Which titles hold a record's keys: read by the writing process, or ahead by the reading one.

A record's candidates are the titles (clusters) that hold one of its exact or blocking
keys. In a large catalogue, reading them is a third of the writing process's time, nearly
all of it SQLite walking its index, while the process reading the file or the harvested
pages has time to spare. So in a long job on the embedded database the reading process
reads the holders of each batch's keys from the catalogue as last committed, and notes how
far that state goes: the highest record key it held (`HoldersRead`). By the time the
writing process places that batch, its own batches in between have added holders; it keeps
what each added (`WrittenSince`) and adds it, which gives exactly what reading the holders
then would. Whenever that cannot be known for sure (a batch changed or withdrew records,
another connection wrote, the reading is older than what is kept), the writing process
reads the holders itself, as it does for every batch on PostgreSQL.
"""

from __future__ import annotations

import logging
import sqlite3
from array import array
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, RecordProblem
from simpul.catalog.models import Record, RecordKey

logger = logging.getLogger(__name__)

KEYS_A_QUERY = 500
KEY_LENGTH = 200  # RecordKey.key
# A reading is at most five batches behind (reading.BATCHES_AHEAD, PAGES_IN_READER); each
# batch kept holds a few MB.
BATCHES_KEPT = 8
READ_AHEAD = True  # off: the writing process reads every batch's holders (for comparisons)
_ATTRIBUTE = "_simpul_holders_read"
_NONE: tuple[int, ...] = ()
_HOLDERS_SQL = (
    f"SELECT DISTINCT key, cluster_id FROM {RecordKey._meta.db_table}"  # noqa: S608
    " WHERE cluster_id IS NOT NULL AND key IN ({})"
)
_HIGHEST_RECORD_SQL = f"SELECT MAX(id) FROM {Record._meta.db_table}"  # noqa: S608


def record_keys(bib: BibRecord | matching.Features) -> set[str]:
    return {key[:KEY_LENGTH] for key in matching.exact_keys(bib) | matching.blocking_keys(bib)}


def holders_of(keys: Iterable[str]) -> dict[str, set[int]]:
    """The clusters holding each key now, read by this process."""
    found: dict[str, set[int]] = {}
    wanted = list(keys)
    for start in range(0, len(wanted), KEYS_A_QUERY):
        for key, holder in (
            RecordKey.objects.filter(
                key__in=wanted[start : start + KEYS_A_QUERY], cluster_id__isnull=False
            )
            .values_list("key", "cluster_id")
            .distinct()
        ):
            if holder is not None:  # the filter says so; the column may hold none
                found.setdefault(key, set()).add(holder)
    return found


@dataclass(frozen=True)
class HoldersRead:
    """The clusters holding a record's keys when `marker` was the highest record key."""

    features: matching.Features  # what the keys were made from; a changed record reads again
    marker: int
    holders: Mapping[str, Sequence[int]]


def reading_of(bib: BibRecord, features: matching.Features) -> HoldersRead | None:
    """The holders the reading process read for this record, if `features` (its current
    `matching.features`) are still those they were read for (a harvest's adjusters may
    have changed its fields)."""
    read: HoldersRead | None = getattr(bib, _ATTRIBUTE, None)
    if read is None or read.features is not features:
        return None
    return read


class HoldersReader:
    """The reading process's side: each batch's holders read in one read transaction of a
    connection of its own, so that they show one committed state of the catalogue. With
    no database (none given to the reading process) it notes nothing."""

    def __init__(self, database: str | None) -> None:
        self._connection: sqlite3.Connection | None = None
        if database:
            self._connection = sqlite3.connect(database, isolation_level=None)
            self._connection.execute("PRAGMA busy_timeout=10000")

    def __enter__(self) -> HoldersReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            self._connection.close()

    def attach(self, items: Sequence[BibRecord | RecordProblem]) -> None:
        """Note on each record the holders of its keys (`reading_of`)."""
        if self._connection is None:
            return
        bibs = [
            (item, matching.features(item))
            for item in items
            if isinstance(item, BibRecord) and not item.deleted
        ]
        if not bibs:
            return
        keys_of = [record_keys(features) for _bib, features in bibs]
        wanted = sorted(set().union(*keys_of))
        try:
            marker, found = self._read(wanted)
        except sqlite3.Error as error:
            # Only a shortcut: the writing process reads the holders of these itself.
            logger.warning("Holders of keys not read ahead: %s", error)
            return
        # Arrays cross to the writing process as plain bytes.
        packed = {key: array("q", clusters) for key, clusters in found.items()}
        for (bib, features), keys in zip(bibs, keys_of, strict=True):
            holders = {key: packed.get(key, _NONE) for key in keys}
            setattr(bib, _ATTRIBUTE, HoldersRead(features, marker, holders))

    def _read(self, wanted: list[str]) -> tuple[int, dict[str, list[int]]]:
        assert self._connection is not None
        found: dict[str, list[int]] = {}
        connection = self._connection
        cursor = connection.cursor()
        cursor.execute("BEGIN")
        try:
            marker = cursor.execute(_HIGHEST_RECORD_SQL).fetchone()[0] or 0
            for start in range(0, len(wanted), KEYS_A_QUERY):
                chunk = wanted[start : start + KEYS_A_QUERY]
                cursor.execute(_HOLDERS_SQL.format(",".join("?" * len(chunk))), chunk)
                for key, holder in cursor:
                    found.setdefault(key, []).append(holder)
        finally:
            if connection.in_transaction:
                cursor.execute("COMMIT")  # ends the read: the log may be checkpointed
        return int(marker), found


@dataclass(frozen=True)
class _Written:
    """One batch, or another connection's writing, as far as holders of keys go."""

    first_record: int | None  # the lowest key of the records it created
    added: Mapping[str, Sequence[int]] | None  # the holders it added; None: not known


class WrittenSince:
    """The writing process's side: what its batches added to the holders of keys, to bring
    holders read earlier up to what the catalogue holds now."""

    def __init__(self) -> None:
        self._batches: deque[_Written] = deque(maxlen=BATCHES_KEPT)
        self._forgotten = False
        self._watched: tuple[int, int] | None = None  # (connection, its PRAGMA data_version)
        self._since: dict[int, dict[str, set[int]] | None] = {}
        self.used = 0  # readings the writing process took
        self.caught_up = 0  # of those, readings that had missed batches written since
        self.read_again = 0  # readings it could not use, whose keys it read itself

    def watch(self) -> str | None:
        """The database file a reading process may read holders from, once this process
        notes other connections' writing (call before that process starts); None where
        holders are not read ahead: PostgreSQL, an in-memory database."""
        if not READ_AHEAD or connection.vendor != "sqlite":
            return None
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            return None
        self.start()
        return name

    def start(self) -> None:
        """Keep what batches add from now on, and note other connections' writing."""
        self._watched = self._data_version()

    @staticmethod
    def _data_version() -> tuple[int, int]:
        """Changes whenever another connection commits (SQLite's own count; PostgreSQL,
        where holders are not read ahead, has none)."""
        connection.ensure_connection()
        if connection.vendor != "sqlite":
            return id(connection.connection), 0
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            version = int(cursor.fetchone()[0])
        return id(connection.connection), version

    def batch_started(self) -> None:
        """Call inside a batch's transaction before it writes: another connection's commit
        since the last batch makes readings from before it uncertain."""
        if self._watched is None:
            return
        now = self._data_version()
        if now != self._watched:
            self._note(_Written(None, None))
            self._watched = now

    def batch_written(
        self, first_record: int | None, added: Mapping[str, Sequence[int]] | None
    ) -> None:
        """A batch placed: the records it created begin at `first_record`; `added` is None
        when it also changed or withdrew records (holders may have been lost)."""
        if self._watched is not None and (first_record is not None or added is None):
            self._note(_Written(first_record, added))

    def _note(self, written: _Written) -> None:
        if len(self._batches) == self._batches.maxlen:
            self._forgotten = True
        self._batches.append(written)
        self._since.clear()

    def holders(self, readings: Iterable[HoldersRead]) -> dict[str, set[int]]:
        """The clusters holding each key now, for the keys the readings can tell exactly."""
        found: dict[str, set[int]] = {}
        for read in readings:
            since = self._added_since(read.marker)
            if since is None:
                self.read_again += 1
                continue
            self.used += 1
            self.caught_up += bool(since)
            for key, clusters in read.holders.items():
                if key not in found:
                    now = set(clusters)
                    now.update(since.get(key, _NONE))
                    found[key] = now
        return found

    def _added_since(self, marker: int) -> dict[str, set[int]] | None:
        """The holders added by the batches a reading at `marker` did not see; None when
        which it saw, or what they did, is not known."""
        if marker in self._since:
            return self._since[marker]
        batches = list(self._batches)
        # A reading sees every batch up to the last whose records it saw, and none after.
        seen = max(
            (
                number
                for number, batch in enumerate(batches)
                if batch.first_record is not None and batch.first_record <= marker
            ),
            default=-1,
        )
        unseen = batches[seen + 1 :]
        since: dict[str, set[int]] | None = None
        if not (seen < 0 and self._forgotten):
            since = {}
            for batch in unseen:
                if batch.added is None:
                    since = None
                    break
                for key, clusters in batch.added.items():
                    since.setdefault(key, set()).update(clusters)
        self._since[marker] = since
        return since
