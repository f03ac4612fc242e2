"""CSV exports of small library systems (SLiMS, INLISLite, home-made spreadsheets).

Columns are recognised by name, Indonesian or English, in the spellings these
systems and librarians use (judul/title, pengarang/author, tahun_terbit/publish_year,
no_panggil/call_number, eksemplar/item_code ...); docs/import-formats.md lists them.
A CSV usually has one row per copy: rows describing the same title (same biblio id,
or else same title, authors, year, publisher and edition) become one BibRecord with
one Item per row. Rows are grouped within a window of recent titles, so memory stays
flat; a title that reappears much later in an unsorted file yields a second record with
the same local_id, whose copies the importer adds to the first.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"); a line
that is not UTF-8 is read as Windows-1252 (or Latin-1) and the record says so. Text
that was UTF-8 read as Windows-1252 somewhere upstream (the SLiMS sample data has
"Developer" + mojibake + "s" for "Developer's") is repaired. Separators: comma,
semicolon, tab or bar, detected from the header row.
`position` in problems is the row number as a spreadsheet shows it (header = row 1).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import (
    BibRecord,
    Item,
    ItemStatus,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.isbn import normalise_doi, normalise_issn
from simpul.catalog.readers._stream import replay
from simpul.catalog.readers._text import (
    dedupe,
    first_year,
    original_title_in_notes,
    squash,
    status_from_text,
)
from simpul.catalog.readers._values import isbns_or_issn, languages_named
from simpul.catalog.readers.dublin_core import material_from_type

MAX_LINE_BYTES = 1024 * 1024
READ_BLOCK = 64 * 1024
GROUP_WINDOW = 64  # titles kept open for more copies
MAX_CELL_CHARS = 100_000

# Canonical column -> accepted header names. Headers are compared lower-case with every
# character other than a letter or digit removed, so "Tahun Terbit", "tahun_terbit" and
# "TahunTerbit" are one name. Within a column, earlier names win when a file has several.
COLUMNS: dict[str, tuple[str, ...]] = {
    "biblio_id": ("biblio_id", "id_biblio", "bib_id", "biblionumber", "catalog_id", "catalogid",
                  "id_katalog", "no_katalog", "controlnumber", "control_number", "record_id"),
    "title": ("title", "judul", "judul_buku", "judulbuku", "book_title", "nama_buku",
              "judul_utama", "main_title"),
    "subtitle": ("subtitle", "sub_title", "anak_judul", "sub_judul"),
    "uniform_title": ("uniform_title", "judul_seragam", "original_title", "judul_asli"),
    "variant_titles": ("variant_titles", "variant_title", "judul_paralel", "parallel_title",
                       "judul_lain", "alternative_title", "judul_alternatif"),
    "authors": ("authors", "author", "pengarang", "penulis", "nama_pengarang", "author_name",
                "creator", "pengarang_utama", "creators"),
    "responsibility": ("sor", "statement_of_responsibility", "pernyataan_tanggung_jawab",
                       "penanggung_jawab"),
    "publisher": ("publisher", "penerbit", "publisher_name", "nama_penerbit"),
    "place": ("publish_place", "kota_terbit", "tempat_terbit", "place_name", "publishlocation",
              "publish_location", "publication_place", "place", "kota", "city"),
    "year": ("publish_year", "tahun_terbit", "publishyear", "publication_year", "tahun",
             "thn_terbit", "year", "date", "tanggal_terbit"),
    "edition": ("edition", "edisi", "cetakan"),
    "isbn_issn": ("isbn_issn", "isbn", "no_isbn", "isbn13", "isbn10"),
    "issn": ("issn", "no_issn"),
    "doi": ("doi",),
    "call_number": ("call_number", "no_panggil", "nomor_panggil", "callnumber", "call_no",
                    "nomor_klasifikasi", "itemcallnumber"),
    "item_code": ("item_code", "eksemplar", "kode_eksemplar", "barcode", "nomor_barcode",
                  "nomorbarcode", "no_barcode", "kode_buku", "kodebuku", "item_codes",
                  "kode_item", "no_induk", "noinduk", "nomor_induk", "inventory_code"),
    "copies": ("jumlah_eksemplar", "jml_eksemplar", "jumlah", "copies", "qty", "stok", "stock"),
    "location": ("location_name", "lokasi", "location", "lokasi_rak", "rak", "shelf", "ruang",
                 "site"),
    "library": ("library_code", "kode_perpustakaan", "library", "perpustakaan", "homebranch",
                "branch", "cabang"),
    "status": ("item_status_name", "status_eksemplar", "item_status", "status", "ketersediaan",
               "availability", "status_buku"),
    "language": ("language_name", "language", "bahasa", "languages", "lang"),
    "subjects": ("topics", "topic", "subject", "subjects", "subjek", "topik", "kata_kunci",
                 "keywords"),
    "extent": ("collation", "kolasi", "deskripsi_fisik", "physical_description",
               "physicaldescription", "extent", "jumlah_halaman", "halaman", "pages"),
    "series": ("series_title", "series", "seri", "judul_seri"),
    "summary": ("abstract", "abstrak", "summary", "ringkasan", "sinopsis", "notes", "catatan",
                "note", "description", "deskripsi"),
    "url": ("url", "link", "tautan", "uri"),
    "material": ("gmd_name", "gmd", "jenis_bahan", "jenis_koleksi", "material_type", "media",
                 "jenis", "tipe", "type"),
}  # fmt: skip

# SLiMS "Export Tool" (bibliography) writes these columns in this order and, unless the
# librarian ticks "Put columns names in the first row", no header at all.
SLIMS_BIBLIO_EXPORT = (
    "title", "gmd_name", "edition", "isbn_issn", "publisher_name", "publish_year", "collation",
    "series_title", "call_number", "language_name", "place_name", "classification", "notes",
    "image", "sor", "authors", "topics", "item_code",
)  # fmt: skip

_ITEM_COLUMNS = ("item_code", "call_number", "location", "status", "library", "copies")
_HEADER_KEY = re.compile(r"[^0-9a-z]")
_EOL = re.compile(rb"\r\n|\r|\n")
# A UTF-8 lead byte read as Windows-1252 (Ã Â â) followed by a continuation byte read so.
_MOJIBAKE = re.compile(
    "[\u00c3\u00c2\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
# Academic degrees and honorifics written after a comma ("Randi Adrika Putra,S.T").
_DEGREE = re.compile(r"^(?:[A-Za-z]{1,5}\.){1,4}[A-Za-z]{0,5}\.?$|^(?:[A-Za-z]{1,5}\.?)?$")
_DEGREE_WORDS = frozenset(
    "mm mt msc mba phd se sh st skom mkom mpd spd msi ssi ak ca ma ba bsc meng mhum mag sag "
    "sip mip mkes skm lc mh spsi ssos map mpa sikom cpa amd jr sr dr drs dra ir prof msa mti "
    "mak msm mpsi mkn llm med dkk cs etal".split()
)
# Academic titles before a name, and the Haji honorific when written against the name
# ("Drs.H.Widada R"); "H.B. Jassin" keeps its initials.
_LEADING_TITLES = re.compile(
    r"^(?:(?:Prof|Pro|Dr|Drs|Dra|Ir)\.\s*|(?:H|Hj|KH)\.(?=[A-Z][a-z]{2}))+", re.IGNORECASE
)


def _header_key(name: str) -> str:
    return _HEADER_KEY.sub("", name.lower())


_ALIASES: dict[str, tuple[str, int]] = {}
for _column, _names in COLUMNS.items():
    for _rank, _name in enumerate(_names):
        _ALIASES.setdefault(_header_key(_name), (_column, _rank))


def map_header(cells: list[str]) -> dict[str, int]:
    """Canonical column -> index in the row, for the headers this reader knows."""
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(cells):
        alias = _ALIASES.get(_header_key(cell.lstrip("\ufeff")))
        if alias is None:
            continue
        column, rank = alias
        if column not in best or rank < best[column][0]:
            best[column] = (rank, index)
    return {column: index for column, (_rank, index) in best.items()}


# --- bytes to text lines -----------------------------------------------------------------


@dataclass
class _LineState:
    repaired_encoding: str = ""  # set when a line of the current row was not UTF-8
    too_long: int = 0  # lines dropped for being longer than MAX_LINE_BYTES


def _byte_lines(stream: BinaryIO, state: _LineState) -> Iterator[bytes]:
    """Lines with their endings (\\r\\n, \\n or a lone \\r, as SLiMS can write)."""
    pending = b""
    discarding = False
    while True:
        block = stream.read(READ_BLOCK)
        data = pending + block
        start = 0
        for match in _EOL.finditer(data):
            if match.group() == b"\r" and match.end() == len(data) and block:
                break  # may be the first half of \r\n
            if discarding:
                discarding = False
            else:
                yield data[start : match.end()]
            start = match.end()
        pending = data[start:]
        if len(pending) > MAX_LINE_BYTES:
            if not discarding:
                state.too_long += 1
            discarding = True
            pending = b""
        if not block:
            if pending and not discarding:
                yield pending
            return


def _decode_line(line: bytes, state: _LineState) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = line.decode("cp1252")
        state.repaired_encoding = "Windows-1252"
    except UnicodeDecodeError:
        text = line.decode("latin-1")
        state.repaired_encoding = "Latin-1"
    return text


def _text_lines(stream: BinaryIO, state: _LineState) -> Iterator[str]:
    head = stream.read(4)
    rest = replay(head, stream)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = io.TextIOWrapper(rest, encoding="utf-16", newline="")
        while True:
            text_line = text.readline(MAX_LINE_BYTES)
            if not text_line:
                return
            yield text_line
    first = True
    for raw_line in _byte_lines(rest, state):
        if first:
            raw_line = raw_line.removeprefix(codecs.BOM_UTF8)
            first = False
        yield _decode_line(raw_line, state)


def _delimiter(header: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- cell values -------------------------------------------------------------------------


def fix_mojibake(value: str) -> tuple[str, bool]:
    """Undo UTF-8 that was read as Windows-1252 (once or twice); the flag says it was."""
    fixed = False
    for _attempt in range(2):
        if not _MOJIBAKE.search(value):
            break
        try:
            value = value.encode("cp1252").decode("utf-8")
            fixed = True
        except (UnicodeEncodeError, UnicodeDecodeError):
            break
    return value, fixed


def split_values(value: str) -> list[str]:
    """Several values in one cell: SLiMS "<a><b>", or separated by ";" or "|"."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return [squash(v) for v in re.findall(r"<([^<>]*)>", value) if v.strip()]
    return [squash(v) for v in re.split(r"[;|]", value) if v.strip()]


def _is_degree(token: str) -> bool:
    token = token.strip().lstrip(".")
    return (
        bool(token)
        and " " not in token
        and (
            token.replace(".", "").lower() in _DEGREE_WORDS
            or (len(token) <= 10 and "." in token and bool(_DEGREE.match(token)))
        )
    )


def split_authors(value: str) -> list[str]:
    """Author names from one cell, degrees and academic titles left out.

    "Agus Komarudin,Reni Permata Sari" -> two names; "Dr.Suarga,M.Sc,M.Math.,Ph.D" ->
    ["Suarga"]; "Valade, Janet" (inverted, one name) stays one name.
    """
    value = squash(value)
    if not value:
        return []
    if (value.startswith("<") and value.endswith(">")) or ";" in value or "|" in value:
        parts = split_values(value)
    else:
        tokens = [t.strip() for t in value.split(",")]
        names = [t for t in tokens if t and not _is_degree(t)]
        if len(names) == 2 and all(" " not in n for n in names) and len(tokens) == 2:
            parts = [f"{names[0]}, {names[1]}"]  # "Surname, Given"
        else:
            parts = names
    result = []
    for part in parts:
        tokens = [t.strip() for t in part.split(",")]
        if len(tokens) > 1:
            part = ", ".join(t for t in tokens if t and not _is_degree(t))
        part = _LEADING_TITLES.sub("", part).strip(" ,")
        if part:
            result.append(part)
    return dedupe(result)


def _group_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


# --- rows to records ---------------------------------------------------------------------


@dataclass
class _Group:
    local_id: str
    position: int
    header: list[str]
    record: BibRecord
    rows: list[list[str]] = field(default_factory=list)


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _row_items(row: list[str], columns: dict[str, int], default_library_code: str) -> list[Item]:
    status_text = _cell(row, columns, "status")
    status = status_from_text(status_text) if status_text else ItemStatus.UNKNOWN
    library_code = _cell(row, columns, "library") or default_library_code
    location = squash(_cell(row, columns, "location"))
    call_number = squash(_cell(row, columns, "call_number"))
    codes = split_values(_cell(row, columns, "item_code"))
    if len(codes) == 1 and "," in codes[0] and " " not in codes[0]:
        codes = [c for c in codes[0].split(",") if c]
    if not codes:
        count_text = _cell(row, columns, "copies")
        count = int(count_text) if count_text.isdigit() else 1
        codes = [""] * max(1, min(count, 1000))
    return [
        Item(
            library_code=library_code,
            location=location,
            call_number=call_number,
            status=status,
            barcode=code,
        )
        for code in codes
    ]


def _row_record(
    row: list[str], columns: dict[str, int], local_id: str, repairs: list[str]
) -> BibRecord:
    isbns, issn_given_as_isbn = isbns_or_issn(_cell(row, columns, "isbn_issn"), repairs)
    issns = [i for i in (normalise_issn(_cell(row, columns, "issn")),) if i] + issn_given_as_isbn
    material_text = _cell(row, columns, "material")
    material = material_from_type([material_text]) if material_text else MaterialType.BOOK
    if material == MaterialType.REPOSITORY:
        material = MaterialType.BOOK
    url = _cell(row, columns, "url")
    # "Indonesia, Inggris": no language name holds a comma, unlike subjects and titles.
    names = [n.strip() for v in split_values(_cell(row, columns, "language")) for n in v.split(",")]
    languages = languages_named([n for n in names if n], repairs)
    return BibRecord(
        local_id=local_id,
        source_format=SourceFormat.CSV,
        raw=b"",
        title=squash(_cell(row, columns, "title")),
        subtitle=squash(_cell(row, columns, "subtitle")),
        responsibility=squash(_cell(row, columns, "responsibility")),
        uniform_title=squash(_cell(row, columns, "uniform_title"))
        or original_title_in_notes([_cell(row, columns, "summary")]),
        variant_titles=split_values(_cell(row, columns, "variant_titles")),
        authors=split_authors(_cell(row, columns, "authors")),
        publisher=squash(_cell(row, columns, "publisher")),
        place=squash(_cell(row, columns, "place")),
        year=first_year(_cell(row, columns, "year")),
        edition=squash(_cell(row, columns, "edition")),
        extent=squash(_cell(row, columns, "extent")),
        isbns=isbns,
        issns=dedupe(issns),
        doi=normalise_doi(_cell(row, columns, "doi")),
        languages=dedupe(languages),
        material_type=material,
        subjects=split_values(_cell(row, columns, "subjects")),
        series=split_values(_cell(row, columns, "series")),
        summary=squash(_cell(row, columns, "summary")),
        urls=[url] if url.lower().startswith(("http://", "https://")) else [],
        repairs=repairs,
    )


def _merge(record: BibRecord, other: BibRecord) -> None:
    """Fold the description on a further row of the same title into the record."""
    for name in ("subtitle", "responsibility", "uniform_title", "place", "edition", "extent",
                 "doi", "summary"):  # fmt: skip
        if not getattr(record, name) and getattr(other, name):
            setattr(record, name, getattr(other, name))
    for name in ("isbns", "issns", "languages", "subjects", "series", "urls", "authors",
                 "variant_titles"):  # fmt: skip
        setattr(record, name, dedupe(getattr(record, name) + getattr(other, name)))
    record.repairs = dedupe(record.repairs + other.repairs)


def _raw(header: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def read_csv(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Records of a CSV export, one per title, each copy row an Item."""
    state = _LineState()
    lines = _text_lines(stream, state)
    first = next(lines, None)
    while first is not None and not first.strip():
        first = next(lines, None)  # blank lines before the header
    if first is None:
        return
    delimiter = _delimiter(first)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    header: list[str] = []
    columns: dict[str, int] = {}
    extra_repairs: list[str] = []
    row_number = 0
    open_groups: OrderedDict[str, _Group] = OrderedDict()

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            row_number += 1
            yield RecordProblem(
                position=row_number,
                reason=_("Row %(row)d cannot be read as CSV: %(error)s.")
                % {"row": row_number, "error": str(error)},
            )
            continue
        row_number += 1
        encoding_note, state.repaired_encoding = state.repaired_encoding, ""
        if state.too_long:
            yield RecordProblem(
                position=row_number,
                reason=_("A line longer than %(limit)d bytes before row %(row)d was skipped.")
                % {"limit": MAX_LINE_BYTES, "row": row_number},
            )
            state.too_long = 0
        if row_number == 1:
            columns = map_header(row)
            if "title" in columns:
                header = [cell.lstrip("\ufeff") for cell in row]
                continue
            if len(row) in (18, 19) and len(columns) <= 1 and row[0].strip():
                columns = map_header(list(SLIMS_BIBLIO_EXPORT))
                header = []
                extra_repairs.append(
                    _("The file has no header row; its columns were read in SLiMS export order.")
                )
            else:
                yield RecordProblem(
                    position=1,
                    reason=_(
                        "No title column found. The first row must name the columns, e.g. "
                        "judul or title, pengarang or author (see the import guide)."
                    ),
                )
                return
        if not any(cell.strip() for cell in row):
            continue
        if any(len(cell) > MAX_CELL_CHARS for cell in row):
            yield RecordProblem(
                position=row_number,
                reason=_("Row %(row)d has a cell longer than %(limit)d characters.")
                % {"row": row_number, "limit": MAX_CELL_CHARS},
            )
            continue
        repairs = list(extra_repairs)
        if encoding_note:
            repairs.append(
                _("Row %(row)d was not valid UTF-8; it was read as %(encoding)s.")
                % {"row": row_number, "encoding": encoding_note}
            )
        cleaned: list[str] = []
        mojibake = False
        for cell in row:
            value, fixed = fix_mojibake(cell)
            mojibake = mojibake or fixed
            cleaned.append(value)
        if mojibake:
            repairs.append(
                _("Row %(row)d had UTF-8 text garbled as Windows-1252; it was repaired.")
                % {"row": row_number}
            )
        title = squash(_cell(cleaned, columns, "title"))
        if not title:
            yield RecordProblem(
                position=row_number,
                reason=_("Row %(row)d has no title.") % {"row": row_number},
                local_id=_cell(cleaned, columns, "biblio_id"),
            )
            continue
        biblio_id = _cell(cleaned, columns, "biblio_id")
        if biblio_id:
            key = "id:" + biblio_id
            local_id = biblio_id
        else:
            key = "\x1f".join(
                _group_key(_cell(cleaned, columns, name))
                for name in ("title", "authors", "year", "publisher", "edition")
            )
            digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()
            local_id = "csv-" + digest[:16]
        record = _row_record(cleaned, columns, local_id, repairs)
        items = _row_items(cleaned, columns, default_library_code)
        group = open_groups.get(key)
        if group is None:
            group = _Group(local_id=local_id, position=row_number, header=header, record=record)
            open_groups[key] = group
        else:
            _merge(group.record, record)
        group.rows.append(row)
        group.record.items.extend(items)
        if len(open_groups) > GROUP_WINDOW:
            _key, oldest = open_groups.popitem(last=False)
            yield _finish(oldest, delimiter)
    while open_groups:
        _key, oldest = open_groups.popitem(last=False)
        yield _finish(oldest, delimiter)


def _finish(group: _Group, delimiter: str) -> BibRecord:
    group.record.raw = _raw(group.header, group.rows, delimiter)
    return group.record


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest
