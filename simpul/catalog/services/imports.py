"""Bring a member library's catalogue file into the union catalogue.

Each batch of records is written in one transaction together with its holdings,
clusters and search-log entries, so no record is ever half-written. Importing the
same file again changes nothing (records whose raw bytes did not change are left
alone); an interrupted import is completed by running it again. In replace mode,
records missing from the file are withdrawn only after the whole file was read.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import (
    Holding,
    ImportJob,
    ImportMode,
    ImportProblem,
    JobStatus,
    Record,
    RecordStatus,
)
from simpul.catalog.readers import read_records, sniff_format
from simpul.catalog.services import clustering, indexing
from simpul.core.bulk import insert_rows, update_rows
from simpul.core.errors import InvalidInput
from simpul.network import permissions
from simpul.network.models import Library

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
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


class _CountingReader:
    """Wraps a binary file so the job can report how far through the file it is."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.raw.readline(size)
        self.count += len(data)
        return data

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)


def run_import_job(job: ImportJob) -> ImportJob:
    """Read the job's file and apply it batch by batch; safe to run again after an interruption."""
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.added = job.updated = job.unchanged = job.withdrawn = job.failed = job.records_seen = 0
    job.save()
    job.problems.all().delete()
    try:
        with open(job.stored_path, "rb") as handle:
            stream = _CountingReader(handle)
            fmt = SourceFormat(job.source_format) if job.source_format else None
            records = read_records(
                stream,  # type: ignore[arg-type]
                fmt,
                default_library_code=job.library.code,
            )
            memory = JobMemory()
            for batch in _batches(records, BATCH_SIZE):
                apply_batch(job, batch, memory)
                job.bytes_read = stream.count
                job.save(
                    update_fields=[
                        "bytes_read",
                        "records_seen",
                        "added",
                        "updated",
                        "unchanged",
                        "withdrawn",
                        "failed",
                    ]
                )
        if job.mode == ImportMode.REPLACE:
            job.withdrawn += withdraw_missing(job.library, FILE_ORIGIN, memory.seen)
    except OSError as exc:
        return _fail(job, _("The file could not be read: %(error)s") % {"error": exc.strerror})
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


def summary_text(job: ImportJob) -> str:
    return _(
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


def _batches(
    items: Iterable[BibRecord | RecordProblem], size: int
) -> Iterator[list[BibRecord | RecordProblem]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def raw_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


RECORD_FIELDS = (
    "title",
    "subtitle",
    "responsibility",
    "authors",
    "publisher",
    "place",
    "year",
    "edition",
    "extent",
    "isbns",
    "issns",
    "doi",
    "lccn",
    "oclc",
    "languages",
    "material_type",
    "subjects",
    "series",
    "summary",
    "urls",
    "repairs",
)


def _fill(record: Record, bib: BibRecord) -> None:
    for name in RECORD_FIELDS:
        value = getattr(bib, name)
        if isinstance(value, str):
            field = Record._meta.get_field(name)
            max_length = getattr(field, "max_length", None)
            if max_length:
                value = value[:max_length]
        setattr(record, name, value)
    record.source_format = bib.source_format.value
    record.raw = bib.raw
    record.raw_hash = raw_hash(bib.raw)
    record.status = RecordStatus.DELETED if bib.deleted else RecordStatus.ACTIVE


def _holdings(record: Record, bib: BibRecord) -> list[Holding]:
    return [
        Holding(
            record=record,
            library_id=record.library_id,
            location=(item.location or item.library_code)[:255],
            call_number=item.call_number[:255],
            status=item.status.value,
            barcode=item.barcode[:100],
            url=item.url[:1000],
        )
        for item in bib.items
    ]


@dataclass
class JobMemory:
    """What one job has seen so far, across its batches."""

    seen: set[str] = field(default_factory=set)  # identifiers read (for replace mode)
    written: dict[str, int] = field(default_factory=dict)  # identifier -> record written now


def _duplicate(position: int, local_id: str) -> RecordProblem:
    return RecordProblem(
        position=position,
        local_id=local_id,
        reason=_("The identifier %(id)s appears twice in the file; the later record was used.")
        % {"id": local_id},
    )


@transaction.atomic
def apply_batch(
    job: ImportJob,
    batch: list[BibRecord | RecordProblem],
    memory: JobMemory,
    origin: str = FILE_ORIGIN,
) -> None:
    """Write one batch: new and changed records with their holdings, then their clusters.

    A CSV lists one row per copy, so the same title met again adds copies instead of
    replacing the record; in other formats a repeated identifier is reported."""
    library = job.library
    problems = [item for item in batch if isinstance(item, RecordProblem)]
    job.failed += len(problems)
    good: dict[str, BibRecord] = {}
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
            problems.append(_duplicate(position, item.local_id))
        elif item.local_id in memory.seen:
            if is_csv:
                if item.local_id in memory.written:
                    extra_copies.append((memory.written[item.local_id], item))
                continue
            problems.append(_duplicate(position, item.local_id))
        good[item.local_id] = item
    job.records_seen += len(batch)
    memory.seen.update(good)
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
    existing = {
        record.local_id: record
        for record in Record.objects.filter(library=library, origin=origin, local_id__in=list(good))
    }
    created: list[Record] = []
    changed: list[Record] = []
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
            and record.raw_hash == raw_hash(bib.raw)
            and record.status == RecordStatus.ACTIVE
        ):
            job.unchanged += 1
            continue
        if record is None:
            record = Record(library=library, origin=origin, local_id=local_id[:255], last_job=job)
            _fill(record, bib)
            created.append(record)
            job.added += 1
        else:
            _fill(record, bib)
            record.last_job = job
            changed.append(record)
            job.updated += 1
    Record.objects.bulk_create(created)
    if changed:
        update_rows(
            Record,
            changed,
            [*RECORD_FIELDS, "source_format", "raw", "raw_hash", "status", "last_job"],
        )
        Holding.objects.filter(record__in=changed).delete()
    for record in itertools.chain(created, changed):
        memory.written[record.local_id] = record.pk
    holdings = [
        holding
        for record in itertools.chain(created, changed)
        if record.status == RecordStatus.ACTIVE
        for holding in _holdings(record, good[record.local_id])
    ]
    for record_id, bib in extra_copies:
        holder = Record(pk=record_id, library=library)
        holdings.extend(_holdings(holder, bib))
    insert_rows(Holding, holdings)
    clustering.recluster(list(itertools.chain(created, changed)))
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
