"""Other apps may adjust harvested records before they are written: the repository app
gives the records of members' institutional repositories the format "repository".

Apart from the harvesting service, so that an app registering its adjuster at start-up
does not load the HTTP client and the readers into every process (an import's helper
processes, the worker's jobs) that never harvests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from simpul.catalog.bibliographic import BibRecord, RecordProblem

if TYPE_CHECKING:
    from simpul.harvest.models import HarvestSource

RecordAdjuster = Callable[["HarvestSource", BibRecord], None]
record_adjusters: list[RecordAdjuster] = []


def register_record_adjuster(adjuster: RecordAdjuster) -> None:
    if adjuster not in record_adjusters:
        record_adjusters.append(adjuster)


def adjusted(
    source: HarvestSource,
    items: Iterable[BibRecord | RecordProblem],
    adjusters: list[RecordAdjuster],
) -> Iterator[BibRecord | RecordProblem]:
    for item in items:
        if isinstance(item, BibRecord):
            for adjuster in adjusters:
                adjuster(source, item)
        yield item
