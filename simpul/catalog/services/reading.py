"""Read a catalogue file into batches ready to write, in a second process for large files.

Parsing a record and normalising it for the matcher take about a third of an import's
time and need nothing from the database, so for a large file a child process does them
while this one writes and clusters the previous batch: on two cores the import runs
that much faster. Small files (an upload of a few hundred records, the tests) are read
in-process, where starting a Python interpreter would cost more than it saves.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import multiprocessing
import queue
from collections.abc import Iterable, Iterator
from multiprocessing.process import BaseProcess
from typing import Any, BinaryIO

from django.utils import translation

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import Record
from simpul.catalog.readers import WholeDocument, read_records
from simpul.catalog.services import key_holders, read_ahead

Batch = list[BibRecord | RecordProblem]
READ_AHEAD_BYTES = 4 * 1024**2  # files at least this large (some 8,000 records) are read ahead
BATCHES_AHEAD = 3  # parsed batches waiting for the writer (bounds memory)
# A harvest hands the reading process pages as they arrive; it keeps at most this many
# (and this many bytes) there, so that it reads the next pages while the harvest writes.
PAGES_IN_READER = 8
PAGE_BYTES_IN_READER = 16 * 1024**2
_POLL_SECONDS = 1.0
_DONE = "done"

# Text columns of Record and their lengths: what a BibRecord keeps is what the table holds.
_TEXT_LIMITS: dict[str, int] = {
    f.name: int(f.max_length)
    for f in Record._meta.concrete_fields
    if f.max_length and f.get_internal_type() == "CharField"
}


def fit_to_columns(bib: BibRecord) -> BibRecord:
    """Cut text fields to their column's length, so that the matcher sees what is stored."""
    for name, limit in _TEXT_LIMITS.items():
        value = getattr(bib, name, None)
        if isinstance(value, str) and len(value) > limit:
            setattr(bib, name, value[:limit])
    return bib


def raw_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_WRITTEN_ATTRIBUTE = "_simpul_written_form"


def written_form(bib: BibRecord) -> tuple[str, bytes]:
    """The record's raw hash and its stored match form (`matching.stored_form`; empty for a
    deletion), remembered on it: the reading process makes them beside the features, so
    the writing process, which every record waits for, does not."""
    prepared = None if bib.deleted else matching.features(bib)
    cached = getattr(bib, _WRITTEN_ATTRIBUTE, None)
    if cached is not None and cached[0] is bib.raw and cached[1] is prepared:
        return cached[2], cached[3]
    made = (raw_hash(bib.raw), b"" if prepared is None else matching.stored_form(prepared))
    setattr(bib, _WRITTEN_ATTRIBUTE, (bib.raw, prepared, *made))
    return made


def hash_of(bib: BibRecord) -> str:
    """The record's raw hash: the one the reading process made, or made now, without the
    match form (an unchanged record needs only this)."""
    cached = getattr(bib, _WRITTEN_ATTRIBUTE, None)
    if cached is not None and cached[0] is bib.raw:
        return str(cached[2])
    return raw_hash(bib.raw)


def _ready(item: BibRecord | RecordProblem) -> BibRecord | RecordProblem:
    """A record fitted to the table, normalised for the matcher and in its stored form
    (all remembered on it)."""
    if isinstance(item, BibRecord):
        fit_to_columns(item)
        written_form(item)
    return item


class CountingReader:
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


def batches(items: Iterable[BibRecord | RecordProblem], size: int) -> Iterator[Batch]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _read_here(
    path: str, source_format: SourceFormat | None, library_code: str, size: int
) -> Iterator[tuple[Batch, int]]:
    with open(path, "rb") as handle:
        stream = CountingReader(handle)
        records = read_records(
            stream,  # type: ignore[arg-type]
            source_format,
            default_library_code=library_code,
        )
        for batch in batches(records, size):
            yield [_ready(item) for item in batch], stream.count


class _ParentGone(Exception):
    """The importing process was killed: the reading process has nobody to read for."""


def _hand_over(out: multiprocessing.Queue[Any], item: Any) -> None:
    while True:
        try:
            out.put(item, timeout=_POLL_SECONDS)
            return
        except queue.Full:
            if read_ahead.parent_gone():
                raise _ParentGone from None


def _abandon(out: multiprocessing.Queue[Any]) -> None:
    """Let the process end without handing over what is still buffered for the killed
    importing process: the queue's pipe stays open at this end too, so once full it would
    wait for a reader that never comes, and the process with it."""
    out.cancel_join_thread()


def _take(inbox: multiprocessing.Queue[Any]) -> Any:
    while True:
        try:
            return inbox.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if read_ahead.parent_gone():
                raise _ParentGone from None


def read_into(
    out: multiprocessing.Queue[Any],
    path: str,
    source_format: str,
    library_code: str,
    size: int,
    holders_from: str | None = None,
) -> None:
    """The reading process's work (see read_ahead.run): batches, then `_DONE` or the error.
    It ends by itself if the importing process is killed."""
    try:
        fmt = SourceFormat(source_format) if source_format else None
        with key_holders.HoldersReader(holders_from) as holders:
            for batch, position in _read_here(path, fmt, library_code, size):
                holders.attach(batch)
                _hand_over(out, (batch, position))
        _hand_over(out, _DONE)
    except _ParentGone:
        _abandon(out)
    except BaseException as error:  # handed to the importing process, which raises it
        out.put(error)


def _read_in_child(
    path: str,
    source_format: SourceFormat | None,
    library_code: str,
    size: int,
    holders_from: str | None = None,
) -> Iterator[tuple[Batch, int]]:
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[Any] = context.Queue(maxsize=BATCHES_AHEAD)
    process: BaseProcess = context.Process(
        target=read_ahead.run,
        args=(
            path,
            source_format.value if source_format else "",
            library_code,
            size,
            translation.get_language() or "en",
            holders_from,
            out,
        ),
        daemon=True,
    )
    process.start()
    try:
        while (item := _next_from(out, process)) != _DONE:
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        out.close()


def _next_from(out: multiprocessing.Queue[Any], process: BaseProcess) -> Any:
    """The reading process's next item; its error is raised here, as is its death."""
    while True:
        try:
            item = out.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if not process.is_alive():
                raise OSError(  # noqa: B904 (the child is gone: there is no exception)
                    f"the reading process stopped (exit code {process.exitcode})"
                )
            continue
        if isinstance(item, BaseException):
            raise item
        return item


def read_batches(
    path: str,
    source_format: SourceFormat | None,
    library_code: str,
    size: int,
    *,
    holders_from: str | None = None,
) -> Iterator[tuple[Batch, int]]:
    """The file's records in batches of `size`, each with how many bytes were read so far;
    a large file's with the holders of their keys read ahead from the database file
    `holders_from` (`key_holders`), if given."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        large = handle.tell() >= READ_AHEAD_BYTES
    if large:
        return _read_in_child(path, source_format, library_code, size, holders_from)
    return _read_here(path, source_format, library_code, size)


def read_pages_into(
    inbox: multiprocessing.Queue[Any],
    out: multiprocessing.Queue[Any],
    fmt: str,
    holders_from: str | None = None,
) -> None:
    """The page-reading process's work (see read_ahead.run_pages): each page's records,
    fitted and normalised (with their keys' holders read from `holders_from`, if given),
    until `None` arrives; an error ends it and is handed back."""
    source_format = SourceFormat(fmt)
    try:
        with key_holders.HoldersReader(holders_from) as holders:
            while (data := _take(inbox)) is not None:
                try:
                    page = WholeDocument(data)
                    records = [_ready(item) for item in read_records(page, source_format)]
                    holders.attach(records)
                except BaseException as error:  # handed to the harvesting process
                    out.put(error)
                    return
                _hand_over(out, records)
    except _ParentGone:
        _abandon(out)


class PageReader:
    """Reads harvested pages in a second process while this one writes the pages before.

    A harvest spends about a third of its time parsing pages and normalising their
    records, which needs nothing from the database: on two cores, doing it beside the
    writing lets the two overlap, as `read_batches` does for a file. Pages come back in
    the order they were given.
    """

    def __init__(self, source_format: SourceFormat, holders_from: str | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._inbox: multiprocessing.Queue[Any] = context.Queue()
        self._out: multiprocessing.Queue[Any] = context.Queue(maxsize=PAGES_IN_READER)
        self._process: BaseProcess = context.Process(
            target=read_ahead.run_pages,
            args=(
                source_format.value,
                translation.get_language() or "en",
                holders_from,
                self._inbox,
                self._out,
            ),
            daemon=True,
        )
        self._process.start()
        self._sizes: collections.deque[int] = collections.deque()  # pages given, not taken

    @property
    def waiting(self) -> int:
        """Pages given and not yet taken back."""
        return len(self._sizes)

    @property
    def full(self) -> bool:
        """Whether the oldest page must be taken before another is given: the reading
        process keeps a few pages so that it reads on while the harvest writes."""
        return self.waiting >= PAGES_IN_READER or sum(self._sizes) >= PAGE_BYTES_IN_READER

    def give(self, page: bytes) -> None:
        self._inbox.put(page)
        self._sizes.append(len(page))

    def take(self) -> Batch:
        """The records of the oldest page given, as `read_records` reads them."""
        self._sizes.popleft()
        batch: Batch = _next_from(self._out, self._process)
        return batch

    def close(self) -> None:
        """Stop the process: at once if pages are still in it (the harvest failed)."""
        if self.waiting == 0 and self._process.is_alive():
            self._inbox.put(None)
            self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)
        self._inbox.cancel_join_thread()  # pages it never read must not hold up the exit
        self._inbox.close()
        self._out.close()
