"""Fresh planner statistics on PostgreSQL while an import grows the catalogue.

PostgreSQL plans each query from statistics that ANALYZE gathers, and autovacuum gathers
them only when it gets round to a table (never where it is switched off). A catalogue
imported in one go had none: a title page then read every record of each library to find
the three of its title (170 ms instead of under 1 ms, measured at 200,000 records), and
each batch of an import planned its look-ups as if the tables were empty. So a job
refreshes them itself whenever the tables have grown by a fifth since it last did. On
SQLite, whose planner needs no such statistics for these queries, nothing happens.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

GROWTH = 0.2  # refresh once a job has written this share of the tables' rows
# ... and at least this many rows. Once a table has statistics, PostgreSQL scales its row
# estimates by the table's current size on disk, so a small table growing needs no new
# ones for its counts: refreshing every thousand rows cost a 20,000-record harvest 9 %
# (see docs/benchmarks.md, "On PostgreSQL").
MIN_ROWS = 10_000


class StatisticsKeeper:
    """Counts what a job writes and refreshes the tables' statistics when it is due."""

    def __init__(self, models: Sequence[type[Model]]) -> None:
        self.models = models
        self.written = 0
        self.due_at: int | None = None  # rows to write before the next refresh

    def wrote(self, rows: int) -> None:
        """After a batch: `rows` rows were added or changed."""
        if connection.vendor != "postgresql" or rows <= 0:
            return
        self.written += rows
        if self.due_at is None:
            self.due_at = self._due_at(self._rows())
        if self.written >= self.due_at:
            self.refresh()

    def refresh(self) -> None:
        with connection.cursor() as cursor:
            for model in self.models:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.written = 0
        self.due_at = self._due_at(self._rows())

    def _rows(self) -> float:
        """PostgreSQL's own estimate of the first table's rows; -1 before any statistics."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [self.models[0]._meta.db_table],
            )
            found = cursor.fetchone()
        return float(found[0]) if found else -1.0

    @staticmethod
    def _due_at(rows: float) -> int:
        if rows <= 0:
            return 0  # no statistics yet, or an empty table: refresh now
        return max(MIN_ROWS, int(rows * GROWTH))


def refresh_all_statistics() -> None:
    """After every table was loaded at once (a restore): statistics for all of them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
