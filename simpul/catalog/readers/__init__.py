"""Streaming readers for the union catalogue import: MARC 21, MARCXML, Dublin Core, MODS, CSV.

    for result in read_records(upload, default_library_code="ALPHA"):
        if isinstance(result, RecordProblem): report it
        else: store the BibRecord

Every reader holds one record (or one block of the file) in memory whatever the size
of the file, yields a RecordProblem for a bad record and goes on with the next one
where the format's framing allows (MARC: yes; CSV: yes; XML: until a well-formedness
error, after which nothing can be trusted). The formats and their mappings are
documented for librarians in docs/import-formats.md.
"""

from __future__ import annotations

import codecs
import csv as stdlib_csv  # (the name "csv" is our submodule)
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.readers._stream import replay
from simpul.catalog.readers._xml import WholeDocument, parsed_whole
from simpul.catalog.readers.csv import map_header, read_csv
from simpul.catalog.readers.dublin_core import read_dublin_core
from simpul.catalog.readers.marc import read_marc
from simpul.catalog.readers.marcxml import read_marcxml
from simpul.catalog.readers.mods import read_mods
from simpul.catalog.readers.slims_ucs import read_slims_ucs

__all__ = [
    "READER_VERSION",
    "SNIFF_BYTES",
    "WholeDocument",
    "parsed_whole",
    "read_records",
    "sniff_format",
]

SNIFF_BYTES = 64 * 1024
# Raised whenever the readers derive a record's columns or copies differently, so that
# `simpul check` asks for `simpul reindex --reread` after an upgrade, and the reread reads
# only the records an older version read (it can be stopped and started again).
# 1: before versions were counted; 2: uniform and other titles (2026-12); 3: any language
# the ISO 639 tables name, in English or Indonesian (2026-12); 4: a translation's original
# title from its linking entry (765) or a note ("Judul asli: …") (2026-12).
READER_VERSION = 4

Reader = Callable[..., Iterator[BibRecord | RecordProblem]]
READERS: dict[SourceFormat, Reader] = {
    SourceFormat.MARC21: read_marc,
    SourceFormat.MARCXML: read_marcxml,
    SourceFormat.OAI_DC: read_dublin_core,
    SourceFormat.MODS: read_mods,
    SourceFormat.CSV: read_csv,
    SourceFormat.SLIMS_UCS: read_slims_ucs,
}

# A leader: record length, 7 more leader positions, base address of data.
_LEADER = re.compile(rb"[ \r\n\t\x00]*[0-9]{5}.{7}[0-9]{5}", re.DOTALL)
_XML_MARKERS: list[tuple[re.Pattern[str], SourceFormat]] = [
    (re.compile(r"http://www\.loc\.gov/MARC21/slim|<(?:\w+:)?(?:leader|controlfield|datafield)[\s>]"),
     SourceFormat.MARCXML),
    (re.compile(r"http://www\.loc\.gov/mods/|<(?:\w+:)?mods[\s>]"), SourceFormat.MODS),
    (re.compile(r"http://purl\.org/dc/(?:elements/1\.1|terms)/|http://www\.openarchives\.org/OAI/2\.0/oai_dc/|<dc[\s>]"),
     SourceFormat.OAI_DC),
]  # fmt: skip
_METADATA_PREFIX = re.compile(r"metadataPrefix=[\"']([^\"']+)[\"']")
_PREFIXES = {
    "oai_dc": SourceFormat.OAI_DC,
    "marc21": SourceFormat.MARCXML,
    "marcxml": SourceFormat.MARCXML,
    "marc": SourceFormat.MARCXML,
    "mods": SourceFormat.MODS,
}


def _as_text(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", "replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start > len(head) - 4:  # a character cut at the end of the sample
            return head[: error.start].decode("utf-8")
        return head.decode("cp1252", "replace")


def sniff_format(first_bytes: bytes) -> SourceFormat | None:
    """The format of a file from its first bytes (64 KB is plenty), or None if unknown."""
    if _LEADER.match(first_bytes):
        return SourceFormat.MARC21
    text = _as_text(first_bytes)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        found: list[tuple[int, SourceFormat]] = []
        for pattern, source_format in _XML_MARKERS:
            match = pattern.search(text)
            if match:
                found.append((match.start(), source_format))
        if found:
            return min(found)[1]
        prefix = _METADATA_PREFIX.search(text)
        if prefix:
            return _PREFIXES.get(prefix.group(1).lower())
        return None
    return SourceFormat.CSV if _looks_like_csv(stripped) else None


def _looks_like_csv(text: str) -> bool:
    """A first row that names at least one known column, or SLiMS's header-less export."""
    if not text or text[0] in "{[" or "\x00" in text[:1000]:
        return False  # JSON (MARC-in-JSON is not read), UTF-16 without BOM
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first_line.count)
    if delimiter not in first_line:
        return False
    cells = next(stdlib_csv.reader([first_line], delimiter=delimiter), [])
    return bool(map_header(cells)) or len(cells) in (18, 19)


def read_records(
    stream: BinaryIO,
    source_format: SourceFormat | None = None,
    *,
    default_library_code: str = "",
) -> Iterator[BibRecord | RecordProblem]:
    """BibRecords and RecordProblems from a file, in file order, holding one record at a time.

    `source_format` None: sniffed from the first bytes. `default_library_code` is given to
    copies (Items) whose source does not name a library.
    """
    if source_format is None:
        head = stream.read(SNIFF_BYTES)
        source_format = sniff_format(head)
        stream = replay(head, stream)
        if source_format is None:
            if not head.strip():
                return
            yield RecordProblem(
                position=1,
                reason=_(
                    "The file is not in a format Simpul can read "
                    "(MARC 21, MARCXML, Dublin Core, MODS or CSV)."
                ),
            )
            return
    yield from READERS[source_format](stream, default_library_code=default_library_code)
