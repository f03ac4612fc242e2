"""Serials lists: reading a library's CSV list, checking every row, applying it whole or not at all.

The CSV a library uploads is read as a spreadsheet program writes it: comma, semicolon or tab
between columns; UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode text") or
Windows-1252 (Excel's "CSV" on an Indonesian or English Windows). Column names are accepted in
English and Indonesian (see ``COLUMN_NAMES`` and docs/lists.md). Any row with an error refuses
the whole file: the list stays as it was and the report names each row, column and problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.catalog.normalise import normalise_title
from simpul.core.errors import InvalidInput
from simpul.lists import issn as issn_codes
from simpul.lists.models import SerialFormat, SerialsUpload, Subscription, UploadMode
from simpul.network import permissions
from simpul.network.models import Library

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EARLIEST_YEAR = 1600

# Column -> the names it may have in a header, compacted (lower case, letters and digits only).
COLUMN_NAMES: dict[str, set[str]] = {
    "issn": {
        "issn",
        "pissn",
        "eissn",
        "issncetak",
        "issnonline",
        "issnelektronik",
        "printissn",
        "onlineissn",
    },
    "title": {
        "title",
        "journaltitle",
        "journal",
        "serialtitle",
        "judul",
        "juduljurnal",
        "jurnal",
        "namajurnal",
        "majalah",
        "judulmajalah",
        "judulterbitan",
    },
    "publisher": {"publisher", "penerbit"},
    "from": {
        "from",
        "coveragefrom",
        "start",
        "startyear",
        "yearfrom",
        "dari",
        "mulai",
        "sejak",
        "tahunawal",
        "tahunmulai",
        "daritahun",
    },
    "to": {
        "to",
        "coverageto",
        "end",
        "endyear",
        "yearto",
        "until",
        "sampai",
        "hingga",
        "tahunakhir",
        "tahunselesai",
        "sampaitahun",
    },
    "coverage": {"coverage", "years", "holdings", "cakupan", "tahun", "kepemilikan"},
    "format": {"format", "medium", "media", "type", "bentuk", "jenis"},
    "notes": {"notes", "note", "remarks", "comments", "catatan", "keterangan", "ket"},
}
FORMAT_NAMES: dict[str, str] = {
    **dict.fromkeys(
        ["", "print", "printed", "paper", "p", "cetak", "tercetak", "tc"], SerialFormat.PRINT
    ),
    **dict.fromkeys(
        ["online", "electronic", "elektronik", "e", "o", "daring", "digital", "ejournal"],
        SerialFormat.ONLINE,
    ),
    **dict.fromkeys(
        [
            "both",
            "printonline",
            "printandonline",
            "printelectronic",
            "cetakdaring",
            "cetakdandaring",
            "cetakonline",
            "cetakdanonline",
            "keduanya",
            "printonlinebundle",
            "printandelectronic",
        ],
        SerialFormat.PRINT_ONLINE,
    ),
}
STILL_RUNNING = {"", "present", "now", "current", "ongoing", "sekarang", "kini", "berjalan"}
EXPORT_COLUMNS = ("issn", "title", "publisher", "from", "to", "format", "notes")


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.strip().lower())


@dataclass
class RowError:
    row: int  # the line of the file (the header is line 1)
    column: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SerialRow:
    row: int
    issn: str
    title: str
    publisher: str
    coverage_from: int | None
    coverage_to: int | None
    format: str
    notes: str

    @property
    def match_key(self) -> str:
        return self.issn or "t:" + normalise_title(self.title)[:200]


@dataclass
class ParsedList:
    rows: list[SerialRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ","
    rows_read: int = 0


def decode(data: bytes) -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "iso-8859-1"


def guess_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: whichever the header line has most of (comma on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _year(value: str, row: int, column: str, errors: list[RowError]) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text):
        errors.append(RowError(row, column, _("“%(value)s” is not a year.") % {"value": text}))
        return None
    year = int(text)
    latest = dt.date.today().year + 1
    if not EARLIEST_YEAR <= year <= latest:
        errors.append(
            RowError(
                row,
                column,
                _("The year %(year)s is not between %(first)s and %(last)s.")
                % {"year": year, "first": EARLIEST_YEAR, "last": latest},
            )
        )
        return None
    return year


def _coverage(value: str, row: int, errors: list[RowError]) -> tuple[str, str]:
    """The from and to texts of "1998-2020", "1998-", "1998-sekarang" or "2001"."""
    text = value.strip()
    if not text:
        return "", ""
    parts = re.split(r"\s*(?:[-\u2010-\u2015/]|s\.?d\.?|sampai|to|until)\s*", text, maxsplit=1)
    if len(parts) == 1:
        return parts[0], parts[0]
    end = parts[1]
    return parts[0], "" if _compact(end) in STILL_RUNNING else end


def parse(data: bytes) -> ParsedList:
    """Every row of a serials CSV, checked; `errors` lists what is wrong, row by row."""
    parsed = ParsedList()
    text, parsed.encoding = decode(data)
    # NUL characters have no place in a list (and PostgreSQL cannot store them).
    text = text.lstrip("\ufeff").replace("\x00", "")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    parsed.delimiter = guess_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=parsed.delimiter)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = values
                for position, name in enumerate(values):
                    column = next(
                        (c for c, names in COLUMN_NAMES.items() if _compact(name) in names), None
                    )
                    if column and column not in columns:
                        columns[column] = position
                if "title" not in columns:
                    parsed.errors.append(
                        RowError(
                            line,
                            "",
                            _(
                                "The first line must name the columns, with at least a title "
                                "column (title or judul). Found: %(names)s."
                            )
                            % {"names": ", ".join(v.strip() for v in values if v.strip()) or "—"},
                        )
                    )
                    return parsed
                continue
            parsed.rows_read += 1
            if parsed.rows_read > MAX_ROWS:
                parsed.errors.append(
                    RowError(
                        line, "", _("A list may have at most %(max)d rows.") % {"max": MAX_ROWS}
                    )
                )
                return parsed
            row = _check_row(values, columns, line, parsed.errors)
            if row is None:
                continue
            key = (row.match_key, row.format)
            if key in seen:
                parsed.errors.append(
                    RowError(
                        line,
                        "issn" if row.issn else "title",
                        _("This journal (in this format) is already on line %(line)d.")
                        % {"line": seen[key]},
                    )
                )
                continue
            seen[key] = line
            parsed.rows.append(row)
    except csv.Error as exc:
        parsed.errors.append(
            RowError(
                reader.line_num,
                "",
                _("The file is not readable as CSV: %(error)s") % {"error": exc},
            )
        )
    if header is None:
        parsed.errors.append(RowError(0, "", _("The file is empty.")))
    elif not parsed.rows_read:
        parsed.errors.append(RowError(0, "", _("The file has a header but no journals.")))
    return parsed


def _check_row(
    values: list[str], columns: dict[str, int], line: int, errors: list[RowError]
) -> SerialRow | None:
    def get(name: str) -> str:
        position = columns.get(name)
        if position is None or position >= len(values):
            return ""
        return " ".join(values[position].replace("\x00", "").split())

    before = len(errors)
    title = get("title")
    if not title:
        errors.append(RowError(line, "title", _("The title is missing.")))
    elif len(title) > 500:
        errors.append(RowError(line, "title", _("The title is longer than 500 characters.")))
    raw_issn = get("issn")
    issn = ""
    if raw_issn:
        try:
            issn = issn_codes.normalise(raw_issn)
        except ValueError:
            errors.append(
                RowError(
                    line,
                    "issn",
                    _(
                        "“%(value)s” is not a valid ISSN (four digits, a hyphen, three digits "
                        "and a check digit or X)."
                    )
                    % {"value": raw_issn},
                )
            )
    start_text, end_text = get("from"), get("to")
    if "coverage" in columns and not start_text and not end_text:
        start_text, end_text = _coverage(get("coverage"), line, errors)
    if _compact(end_text) in STILL_RUNNING:
        end_text = ""
    start = _year(start_text, line, "from", errors)
    end = _year(end_text, line, "to", errors)
    if start and end and start > end:
        errors.append(
            RowError(
                line,
                "to",
                _("The coverage ends (%(to)s) before it starts (%(from)s).")
                % {"to": end, "from": start},
            )
        )
    raw_format = get("format")
    serial_format = FORMAT_NAMES.get(_compact(raw_format))
    if serial_format is None:
        errors.append(
            RowError(
                line,
                "format",
                _("“%(value)s” is not a format: use print, online or print+online (cetak, daring).")
                % {"value": raw_format},
            )
        )
    publisher, notes = get("publisher"), get("notes")
    if len(publisher) > 300:
        errors.append(
            RowError(line, "publisher", _("The publisher is longer than 300 characters."))
        )
    if len(notes) > 1000:
        errors.append(RowError(line, "notes", _("The notes are longer than 1000 characters.")))
    if len(errors) > before:
        return None
    return SerialRow(
        row=line,
        issn=issn,
        title=title,
        publisher=publisher,
        coverage_from=start,
        coverage_to=end,
        format=str(serial_format),
        notes=notes,
    )


# --- changing a library's list ----------------------------------------------------------------


def check_can_manage(actor: permissions.Actor, library: Library) -> None:
    """Staff of the library (and the coordinator) keep its serials list."""
    permissions.check_can_edit_library(actor, library)


def libraries_managed_by(actor: permissions.Actor) -> list[Library]:
    if not actor.is_authenticated:
        return []
    return [
        lib for lib in Library.objects.order_by("code") if permissions.can_edit_library(actor, lib)
    ]


def upload_list(
    actor: permissions.Actor,
    library: Library,
    source: IO[bytes],
    file_name: str,
    mode: str = UploadMode.MERGE,
) -> SerialsUpload:
    """Check a CSV list and, only when every row is right, apply it to the library's list.

    Returns the upload, applied or not; its `errors` is the per-row report."""
    check_can_manage(actor, library)
    return load_list(library, source, file_name, mode, uploaded_by=actor)


def load_list(
    library: Library,
    source: IO[bytes],
    file_name: str,
    mode: str = UploadMode.MERGE,
    *,
    uploaded_by: permissions.Actor | None = None,
) -> SerialsUpload:
    """Check and apply a list with no one to authorise (the demo, the command line)."""
    if mode not in UploadMode.values:
        raise InvalidInput({"mode": [_("Unknown mode %(mode)s.") % {"mode": mode}]})
    data = source.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}]}
        )
    parsed = parse(data)
    upload = SerialsUpload(
        library=library,
        uploaded_by=uploaded_by if uploaded_by and uploaded_by.is_authenticated else None,
        file_name=(file_name or "upload.csv").replace("\x00", "")[:255],
        mode=mode,
        rows_read=parsed.rows_read,
        encoding=parsed.encoding,
        delimiter={"\t": "tab"}.get(parsed.delimiter, parsed.delimiter),
        errors=[e.as_json() for e in parsed.errors],
    )
    if parsed.errors:
        upload.save()
        return upload
    with transaction.atomic():
        _apply(upload, parsed.rows)
        upload.applied = True
        upload.save()
    return upload


def _apply(upload: SerialsUpload, rows: list[SerialRow]) -> None:
    library = upload.library
    existing = {
        (s.match_key, s.format): s
        for s in Subscription.objects.select_for_update().filter(library=library)
    }
    now = timezone.now()
    kept: set[int] = set()
    for row in rows:
        values = {
            "issn": row.issn,
            "title": row.title,
            "sort_title": normalise_title(row.title)[:200],
            "publisher": row.publisher,
            "coverage_from": row.coverage_from,
            "coverage_to": row.coverage_to,
            "notes": row.notes,
        }
        found = existing.get((row.match_key, row.format))
        if found is None:
            created = Subscription.objects.create(
                library=library,
                match_key=row.match_key,
                format=row.format,
                updated_at=now,
                **values,
            )
            kept.add(created.pk)
            upload.added += 1
            continue
        kept.add(found.pk)
        if any(getattr(found, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            found.updated_at = now
            found.save()
            upload.updated += 1
    if upload.mode == UploadMode.REPLACE:
        gone = [s.pk for s in existing.values() if s.pk not in kept]
        upload.removed = len(gone)
        Subscription.objects.filter(pk__in=gone).delete()


def delete_subscription(actor: permissions.Actor, subscription: Subscription) -> None:
    check_can_manage(actor, subscription.library)
    subscription.delete()


def uploads_for(actor: permissions.Actor, library: Library) -> list[SerialsUpload]:
    """The library's latest uploads, for its staff and the coordinator."""
    permissions.check_can_view_staff_data(actor, library)
    return list(SerialsUpload.objects.filter(library=library).select_related("uploaded_by")[:20])
