"""Bring a member library's catalogue file into the union catalogue.

Each batch of records is written in one transaction together with its holdings,
clusters and search-log entries, so no record is ever half-written. Importing the
same file again changes nothing (records whose raw bytes did not change are left
alone); an interrupted import is completed by running it again. In replace mode,
records missing from the file are withdrawn only after the whole file was read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import (
    Cluster,
    Holding,
    ImportJob,
    ImportMode,
    ImportProblem,
    ImportRepair,
    JobStatus,
    Record,
    RecordKey,
    RecordStatus,
)
from simpul.catalog.readers import READER_VERSION, sniff_format
from simpul.catalog.services import clustering, index_follower, indexing, key_holders, reading
from simpul.core import garbage
from simpul.core.bulk import NewInstances, insert_values, reserve_keys, update_rows
from simpul.core.errors import InvalidInput
from simpul.core.planner import StatisticsKeeper
from simpul.network import permissions
from simpul.network.models import Library

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
JOB_COUNTS = ["records_seen", "added", "updated", "unchanged", "withdrawn", "failed", "repaired"]
FILE_ORIGIN = "file"
MAX_UPLOAD_BYTES = 2 * 1024**3


def check_can_import(actor: permissions.Actor, library: Library) -> None:
    permissions.check_can_edit_library(actor, library)


def _imports_dir() -> Path:
    path = Path(settings.CONFIG.data_dir) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)
    return keep[-120:] or "upload"


def create_import_job(
    actor: permissions.Actor | None,
    library: Library,
    source: IO[bytes],
    file_name: str,
    *,
    mode: str = ImportMode.UPDATE,
    source_format: str = "",
) -> ImportJob:
    """Keep the file in the data folder and queue a job; nothing enters the catalogue yet."""
    if actor is not None:
        check_can_import(actor, library)
    if mode not in ImportMode.values:
        raise InvalidInput(_("Unknown import mode %(mode)s.") % {"mode": mode})
    if source_format and source_format not in SourceFormat.__members__.values():
        raise InvalidInput(_("Unknown record format %(format)s.") % {"format": source_format})
    job = ImportJob.objects.create(
        library=library,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        file_name=Path(file_name).name[:255] or "upload",
        mode=mode,
        source_format=source_format,
        language=(translation.get_language() or "")[:10],
    )
    # Unique even if job numbers repeat (a restored or a second database on this folder).
    target = _imports_dir() / f"{job.pk}-{uuid.uuid4().hex[:12]}-{_safe_name(file_name)}"
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, length=1024 * 1024)
    size = target.stat().st_size
    if size == 0:
        target.unlink()
        job.delete()
        raise InvalidInput(_("The file is empty."))
    if size > MAX_UPLOAD_BYTES:
        target.unlink()
        job.delete()
        raise InvalidInput(_("The file is larger than 2 GB; split it into smaller files."))
    with target.open("rb") as head:
        sniffed = sniff_format(head.read(4096))
    if not source_format and sniffed is None:
        target.unlink()
        job.delete()
        raise InvalidInput(
            _(
                "The file is not in a format Simpul reads (MARC 21, MARCXML, Dublin Core, "
                "MODS or CSV)."
            )
        )
    job.stored_path = str(target)
    job.total_bytes = size
    job.source_format = source_format or (sniffed.value if sniffed else "")
    job.save(update_fields=["stored_path", "total_bytes", "source_format"])
    return job


@garbage.bulk_work()
def run_import_job(job: ImportJob) -> ImportJob:
    """Read the job's file and apply it batch by batch; safe to run again after an interruption."""
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.added = job.updated = job.unchanged = job.withdrawn = job.failed = job.records_seen = 0
    job.repaired = 0
    job.save()
    job.problems.all().delete()
    job.repairs.all().delete()
    try:
        memory = JobMemory()
        fmt = SourceFormat(job.source_format) if job.source_format else None
        with index_follower.LogFollower() as follower:
            for batch, bytes_read in reading.read_batches(
                job.stored_path,
                fmt,
                job.library.code,
                BATCH_SIZE,
                holders_from=memory.holders_log.watch(),
            ):
                apply_batch(job, batch, memory)
                job.bytes_read = bytes_read
                job.save(update_fields=["bytes_read", *JOB_COUNTS])
                follower.progress(job.records_seen)
            if job.mode == ImportMode.REPLACE:
                job.withdrawn += withdraw_missing(job.library, FILE_ORIGIN, memory.present())
    except OSError as exc:
        indexing.apply_search_changes()  # the batches written before stay, and are found
        reason = exc.strerror or str(exc)
        return _fail(job, _("The file could not be read: %(error)s") % {"error": reason})
    indexing.apply_search_changes()
    job.status = JobStatus.SUCCEEDED
    job.bytes_read = job.total_bytes
    job.finished_at = timezone.now()
    job.message = summary_text(job)
    job.save()
    return job


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.message = message
    job.save()
    return job


@dataclass(frozen=True)
class Pace:
    """How fast a running import goes, and when it will be done at that pace."""

    records_per_second: float
    time_left: dt.timedelta


def pace(job: ImportJob, now: dt.datetime | None = None) -> Pace | None:
    """A running import's pace through its file so far; None before there is one to go by
    (not started, a few seconds in, or nothing read yet)."""
    if job.status != JobStatus.RUNNING or job.started_at is None or not job.total_bytes:
        return None
    elapsed = (now or timezone.now()) - job.started_at
    done = min(job.bytes_read / job.total_bytes, 1.0)
    if elapsed.total_seconds() < 2 or done <= 0 or not job.records_seen:
        return None
    return Pace(job.records_seen / elapsed.total_seconds(), elapsed * (1 - done) / done)


def time_left_text(left: dt.timedelta) -> str:
    minutes = round(left.total_seconds() / 60)
    if minutes < 1:
        return _("less than a minute left")
    if minutes < 120:
        return ngettext("about %(count)d minute left", "about %(count)d minutes left", minutes) % {
            "count": minutes
        }
    hours = round(minutes / 60)
    return ngettext("about %(count)d hour left", "about %(count)d hours left", hours) % {
        "count": hours
    }


def report_message(job: ImportJob) -> str:
    """What the job says about itself, in the language of whoever reads it when it says
    no more than its counts; a stopped job's reason stays as it was worded when it
    stopped (in the uploader's language)."""
    return summary_text(job) if job.status == JobStatus.SUCCEEDED else job.message


def summary_text(job: ImportJob) -> str:
    text = _(
        "%(seen)d records read: %(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
        "%(withdrawn)d withdrawn, %(failed)d could not be imported."
    ) % {
        "seen": job.records_seen,
        "added": job.added,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "withdrawn": job.withdrawn,
        "failed": job.failed,
    }
    if job.repaired:
        text += " " + ngettext(
            "%(count)d record was imported with repairs.",
            "%(count)d records were imported with repairs.",
            job.repaired,
        ) % {"count": job.repaired}
    return text


RECORD_FIELDS = (*clustering.DESCRIPTIVE_FIELDS, "summary", "urls", "repairs")


def _fill(record: Record, bib: BibRecord) -> None:
    reading.fit_to_columns(bib)
    for name in RECORD_FIELDS:
        setattr(record, name, getattr(bib, name))
    record.source_format = bib.source_format.value
    record.reader_version = READER_VERSION
    record.raw = bib.raw
    record.raw_hash, record.match_form = reading.written_form(bib)
    record.status = RecordStatus.DELETED if bib.deleted else RecordStatus.ACTIVE


HOLDING_FIELDS = ("record_id", "library_id", "location", "call_number", "status", "barcode", "url")


def holding_rows(record_id: int, library_id: int, bib: BibRecord) -> list[tuple[Any, ...]]:
    """Rows of `HOLDING_FIELDS` for the copies a record carries."""
    return [
        (
            record_id,
            library_id,
            (item.location or item.library_code)[:255],
            item.call_number[:255],
            item.status.value,
            item.barcode[:100],
            item.url[:1000],
        )
        for item in bib.items
    ]


@dataclass
class JobMemory:
    """What one job has seen so far, across its batches."""

    seen: set[str] = field(default_factory=set)  # identifiers read (for replace mode)
    written: dict[str, int] = field(default_factory=dict)  # identifier -> record written now
    unreadable: set[str] = field(default_factory=set)  # identifiers of records that failed
    statistics: StatisticsKeeper = field(
        default_factory=lambda: StatisticsKeeper((Record, RecordKey, Holding, Cluster))
    )
    # What the job's batches added to the holders of keys (for holders read ahead).
    holders_log: key_holders.WrittenSince = field(default_factory=key_holders.WrittenSince)

    def present(self) -> set[str]:
        """Identifiers in the source, readable or not: a full export withdraws the others."""
        return self.seen | self.unreadable


def _duplicate(position: int, local_id: str) -> RecordProblem:
    return RecordProblem(
        position=position,
        local_id=local_id,
        reason=_("The identifier %(id)s appears twice in the file; the later record was used.")
        % {"id": local_id},
    )


def apply_batch(
    job: ImportJob,
    batch: list[BibRecord | RecordProblem],
    memory: JobMemory,
    origin: str = FILE_ORIGIN,
    *,
    repeats_allowed: bool = False,
) -> None:
    """Write one batch: new and changed records with their holdings, then their clusters.

    A CSV lists one row per copy, so the same title met again adds copies instead of
    replacing the record; in other formats a repeated identifier is reported, unless
    `repeats_allowed` (a harvest whose pages shift while it runs meets records twice)."""
    before = job.added + job.updated + job.withdrawn
    _write_batch(job, batch, memory, origin, repeats_allowed)
    memory.statistics.wrote(job.added + job.updated + job.withdrawn - before)


@transaction.atomic
def _write_batch(
    job: ImportJob,
    batch: list[BibRecord | RecordProblem],
    memory: JobMemory,
    origin: str,
    repeats_allowed: bool,
) -> None:
    memory.holders_log.batch_started()
    library = job.library
    problems = [item for item in batch if isinstance(item, RecordProblem)]
    job.failed += len(problems)
    good: dict[str, BibRecord] = {}
    positions: dict[str, int] = {}
    extra_copies: list[tuple[int, BibRecord]] = []
    for position, item in enumerate(batch, start=job.records_seen + 1):
        if not isinstance(item, BibRecord):
            continue
        is_csv = item.source_format == SourceFormat.CSV
        if item.local_id in good:
            if is_csv:
                good[item.local_id].items.extend(item.items)
                good[item.local_id].raw += b"\n" + item.raw
                continue
            if not repeats_allowed:
                problems.append(_duplicate(position, item.local_id))
        elif item.local_id in memory.seen:
            if is_csv:
                if item.local_id in memory.written:
                    extra_copies.append((memory.written[item.local_id], item))
                continue
            if not repeats_allowed:
                problems.append(_duplicate(position, item.local_id))
        good[item.local_id] = item
        positions[item.local_id] = position
    job.records_seen += len(batch)
    memory.seen.update(good)
    memory.unreadable.update(p.local_id for p in problems if p.local_id)
    ImportProblem.objects.bulk_create(
        ImportProblem(
            job=job,
            position=problem.position,
            local_id=problem.local_id[:255],
            byte_offset=problem.byte_offset,
            reason=problem.reason,
        )
        for problem in problems
    )
    repairs = [
        (job.pk, positions[local_id], local_id[:255], " ".join(bib.repairs))
        for local_id, bib in good.items()
        if bib.repairs and not bib.deleted
    ]
    insert_values(ImportRepair, ["job_id", "position", "local_id", "note"], repairs)
    job.repaired += len(repairs)
    existing = {
        record.local_id: record
        for record in Record.objects.filter(library=library, origin=origin, local_id__in=list(good))
    }
    created: list[Record] = []
    changed: list[Record] = []
    # The batch is written together: one time for its new records.
    new_record = NewInstances(
        Record, library=library, origin=origin, last_job=job, first_seen_at=timezone.now()
    )
    for local_id, bib in good.items():
        record = existing.get(local_id)
        if bib.deleted:
            if record is not None and record.status == RecordStatus.ACTIVE:
                _fill(record, bib)
                record.last_job = job
                changed.append(record)
                job.withdrawn += 1
            continue
        if (
            record is not None
            and record.raw_hash == reading.hash_of(bib)
            and record.status == RecordStatus.ACTIVE
        ):
            job.unchanged += 1
            continue
        if record is None:
            record = new_record(local_id=local_id[:255])
            _fill(record, bib)
            created.append(record)
            job.added += 1
        else:
            _fill(record, bib)
            record.last_job = job
            changed.append(record)
            job.updated += 1
    # New records are written by the clustering, once placed; their keys are known now so
    # that their copies can be written first.
    for record, key in zip(created, reserve_keys(Record, len(created)), strict=True):
        record.pk = key
    if changed:
        update_rows(
            Record,
            changed,
            [
                *RECORD_FIELDS,
                "source_format",
                "reader_version",
                "raw",
                "raw_hash",
                "status",
                "match_form",
                "last_job",
            ],
        )
        Holding.objects.filter(record__in=changed).delete()
    readings: dict[int, key_holders.HoldersRead] = {}  # holders read ahead, new records only
    for record in itertools.chain(created, changed):
        memory.written[record.local_id] = record.pk
        if record.status == RecordStatus.ACTIVE:
            bib = good[record.local_id]
            features = matching.features(bib)
            clustering.remember_prepared(record, features)
            read = key_holders.reading_of(bib, features)
            if read is not None and record._state.adding:
                readings[record.pk] = read
    holdings = [
        holding
        for record in itertools.chain(created, changed)
        if record.status == RecordStatus.ACTIVE
        for holding in holding_rows(record.pk, library.pk, good[record.local_id])
    ]
    for record_id, bib in extra_copies:
        holdings.extend(holding_rows(record_id, library.pk, bib))
    insert_values(Holding, HOLDING_FIELDS, holdings)
    copies = Counter(row[0] for row in holdings)  # HOLDING_FIELDS begins with record_id
    clustering.recluster(
        list(itertools.chain(created, changed)),
        holding_counts=copies,
        readings=readings,
        written=memory.holders_log,
    )
    if extra_copies:
        clustering.refresh_clusters(
            Record.objects.filter(pk__in=[pk for pk, _bib in extra_copies])
            .exclude(cluster=None)
            .values_list("cluster_id", flat=True)
        )


@transaction.atomic
def withdraw_missing(library: Library, origin: str, seen_ids: set[str]) -> int:
    """Replace mode: this library's records of this origin missing from a full export leave."""
    active = Record.objects.filter(library=library, origin=origin, status=RecordStatus.ACTIVE)
    missing = [
        pk
        for pk, local_id in active.values_list("pk", "local_id").iterator(chunk_size=5000)
        if local_id not in seen_ids
    ]
    for start in range(0, len(missing), 1000):
        records = list(Record.objects.filter(pk__in=missing[start : start + 1000]))
        for record in records:
            record.status = RecordStatus.WITHDRAWN
        update_rows(Record, records, ["status"])
        clustering.recluster(records)
    return len(missing)
