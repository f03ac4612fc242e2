"""Read the stored records again from their source form, with this version's readers.

Everything in the catalogue but `Record.raw` is derived from it. When a release reads
records better (a field it did not read before, a corrected mapping), `simpul reindex
--reread` brings every stored record up to date without asking the members for their
files again: records whose derived columns or copies come out differently are written,
placed again in their clusters and re-indexed; the others are left alone. A record
today's readers cannot read is reported and kept as it is.

Each record remembers which version of the readers read it (`READER_VERSION`), so a
reread reads only the records an older version read: stopped half-way, it goes on
where it was when started again, and `simpul check` knows when one is due.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import Holding, Record, RecordStatus
from simpul.catalog.readers import READER_VERSION, WholeDocument, read_records
from simpul.catalog.services import clustering, index_follower, indexing, reading
from simpul.catalog.services.imports import HOLDING_FIELDS, RECORD_FIELDS, holding_rows
from simpul.core import garbage
from simpul.core.bulk import insert_values, update_rows
from simpul.core.errors import InvalidInput
from simpul.network.models import Library

BATCH_SIZE = 2000
# The repairs are sentences in the language of the import that read the record: another
# language alone is no change.
_COMPARED_FIELDS = tuple(name for name in RECORD_FIELDS if name != "repairs")


def _form_values(form: bytes) -> bytes:
    """A stored matcher form without its code tag: what the matcher sees of the record."""
    return form.partition(b":")[2]


@dataclass
class Unreadable:
    library_code: str
    local_id: str
    reason: str


@dataclass
class RereadReport:
    read: int = 0
    changed: int = 0  # description or copies differ from what was stored
    failed: list[Unreadable] = field(default_factory=list)


def records_to_reread() -> QuerySet[Record]:
    """Active records an older version of the readers read."""
    return Record.objects.filter(status=RecordStatus.ACTIVE, reader_version__lt=READER_VERSION)


def reread_records(
    library_code: str = "",
    *,
    everything: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[RereadReport], None] | None = None,
) -> RereadReport:
    """Read the active records an older version read (all of them, with `everything`;
    of one library, if given) again and write what changed."""
    records = (
        Record.objects.filter(status=RecordStatus.ACTIVE) if everything else records_to_reread()
    )
    if library_code:
        library = Library.objects.filter(code=library_code.strip().upper()).first()
        if library is None:
            raise InvalidInput(
                _("No member library has the code %(code)s.") % {"code": library_code}
            )
        records = records.filter(library=library)
    codes = dict(Library.objects.values_list("pk", "code"))
    report = RereadReport()
    last: int | None = 0
    with garbage.bulk_work(), index_follower.LogFollower() as follower:
        while (last := _reread_batch(records, last or 0, batch_size, codes, report)) is not None:
            follower.progress(report.read)
            if progress is not None:
                progress(report)
    indexing.apply_search_changes()
    return report


def _read_again(record: Record, library_code: str) -> BibRecord | str:
    """The record as today's readers read its stored source, or why they cannot."""
    source = WholeDocument(bytes(record.raw))
    fmt = SourceFormat(record.source_format)
    found = list(read_records(source, fmt, default_library_code=library_code))
    bibs = [item for item in found if isinstance(item, BibRecord)]
    if not bibs:
        reasons = (item.reason for item in found if isinstance(item, RecordProblem))
        return next(reasons, _("The stored source holds no record."))
    bib = bibs[0]
    for other in bibs[1:]:  # a CSV title whose copies came in several rows
        bib.items.extend(other.items)
    return reading.fit_to_columns(bib)


def _stored_copies(record_ids: list[int]) -> dict[int, Counter[tuple[Any, ...]]]:
    copies: dict[int, Counter[tuple[Any, ...]]] = {pk: Counter() for pk in record_ids}
    for row in Holding.objects.filter(record_id__in=record_ids).values_list(*HOLDING_FIELDS):
        copies[row[0]][row[1:]] += 1
    return copies


@transaction.atomic
def _reread_batch(
    records: QuerySet[Record], after: int, size: int, codes: dict[int, str], report: RereadReport
) -> int | None:
    """Read the next `size` records after primary key `after` again; the last key read, or
    None when none are left. The records are locked while read and written, so an import
    changing one of them meanwhile waits instead of being overwritten by its old source."""
    batch = list(records.select_for_update().filter(pk__gt=after).order_by("pk")[:size])
    if not batch:
        return None
    copies = _stored_copies([r.pk for r in batch])
    described: list[Record] = []  # only the description changed
    placed_again: list[Record] = []  # what the matcher sees changed too
    new_copies: dict[int, list[tuple[Any, ...]]] = {}
    for record in batch:
        report.read += 1
        bib = _read_again(record, codes[record.library_id])
        if isinstance(bib, str):
            report.failed.append(Unreadable(codes[record.library_id], record.local_id, bib))
            continue
        rows = holding_rows(record.pk, record.library_id, bib)
        # A CSV's copies met in a later batch of its import are not in the record's source:
        # its copies stay as stored (the next import of the file brings them up to date).
        if (
            record.source_format != SourceFormat.CSV
            and Counter(r[1:] for r in rows) != copies[record.pk]
        ):
            new_copies[record.pk] = rows
        described_anew = any(getattr(record, n) != getattr(bib, n) for n in _COMPARED_FIELDS)
        if not described_anew and record.pk not in new_copies:
            continue
        report.changed += 1
        for name in RECORD_FIELDS:
            setattr(record, name, getattr(bib, name))
        form = matching.stored_form(matching.features(bib))
        if _form_values(bytes(record.match_form)) != _form_values(form):
            record.match_form = form
            clustering.remember_prepared(record, matching.features(bib))
            placed_again.append(record)
        else:
            described.append(record)
    # Read by this version now, written or not (or reported unreadable).
    Record.objects.filter(pk__in=[r.pk for r in batch]).update(reader_version=READER_VERSION)
    update_rows(Record, [*described, *placed_again], [*RECORD_FIELDS, "match_form"])
    Holding.objects.filter(record_id__in=list(new_copies)).delete()
    insert_values(Holding, HOLDING_FIELDS, [row for rows in new_copies.values() for row in rows])
    clustering.recluster(placed_again)
    clustering.refresh_clusters(r.cluster_id for r in described if r.cluster_id)
    return batch[-1].pk
