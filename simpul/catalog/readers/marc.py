"""MARC 21 in ISO 2709 ("binary" .mrc files, UTF-8 or MARC-8), and the MARC -> BibRecord mapping.

Framing and the directory are read here rather than by pymarc's MARCReader because
an import report needs what MARCReader cannot give: the byte offset of each
record, a reason a librarian can act on, reading on after a record whose length
is wrong (records are cut at the end-of-record mark 0x1D, the leader length is
only checked), and a choice of character set per record when the leader lies.
pymarc still supplies the record model (Record/Field) and the MARC-8 converter.
The mapping (`marc_to_bib`) is shared with the MARCXML reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Record, Subfield, marc8_mapping
from pymarc.marc8 import marc8_to_unicode

from simpul.catalog.bibliographic import (
    BibRecord,
    Item,
    ItemStatus,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.isbn import (
    extract_isbns,
    looks_like_isbn,
    normalise_doi,
    normalise_issn,
    normalise_lccn,
    normalise_oclc,
)
from simpul.catalog.readers._text import (
    clean_isbd,
    dedupe,
    first_year,
    is_cyrillic_language,
    normalise_language,
    original_title_in_notes,
    plausible_year,
    squash,
    status_from_text,
    strip_brackets,
)

END_OF_RECORD = 0x1D
END_OF_FIELD = 0x1E
SUBFIELD_DELIMITER = 0x1F
MAX_RECORD_BYTES = 99_999  # ISO 2709: five digits of record length
# How far to look for an end-of-record mark before giving up on a record (memory stays flat).
MAX_SCAN_BYTES = 1024 * 1024
READ_BLOCK = 64 * 1024
_PADDING = frozenset(b" \r\n\t\x00\x1a")  # what exporters put between records

# Bytes that are not characters in MARC-8's default sets (ASCII + ANSEL): their presence in
# a record without escape sequences means the record is in some other 8-bit code page.
_ANSEL = marc8_mapping.CODESETS[0x45]
_NOT_ANSEL = frozenset(
    b for b in range(0x80, 0x100) if b not in _ANSEL and b not in marc8_mapping.ODD_MAP
) - frozenset(range(0x81, 0xA0))  # C1 controls: pymarc drops them silently, harmless
_ANSEL_COMBINING = frozenset(range(0xE0, 0xFF))
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class MarcError(Exception):
    """A record that cannot be read; the message is for the librarian."""


@dataclass
class _Frame:
    position: int
    offset: int
    data: bytes
    complete: bool  # False: the file ended before the record's end-of-record mark
    oversize: bool = False  # True: no end-of-record mark within MAX_SCAN_BYTES


def _frames(stream: BinaryIO) -> Iterator[_Frame]:
    """Cut the stream into records at the end-of-record mark, holding one block at a time."""
    buf = b""
    start = 0  # index in buf where the next record starts
    base = 0  # file offset of buf[0]
    position = 0
    eof = False
    discarding = False  # after an oversize record: drop bytes up to the next mark
    while True:
        if discarding:
            mark = buf.find(b"\x1d", start)
            if mark == -1:
                base += len(buf)
                buf, start = b"", 0
            else:
                start = mark + 1
                discarding = False
        while start < len(buf) and buf[start] in _PADDING:
            start += 1
        mark = buf.find(b"\x1d", start) if not discarding else -1
        if mark != -1:
            if mark > start:
                position += 1
                yield _Frame(position, base + start, buf[start : mark + 1], complete=True)
            start = mark + 1
            continue
        if eof:
            if start < len(buf) and not discarding:
                position += 1
                yield _Frame(position, base + start, buf[start:], complete=False)
            return
        if not discarding and len(buf) - start > MAX_SCAN_BYTES:
            position += 1
            yield _Frame(position, base + start, b"", complete=False, oversize=True)
            discarding = True
            base += len(buf)
            buf, start = b"", 0
        block = stream.read(READ_BLOCK)
        if not block:
            eof = True
        if start:
            base += start
            buf = buf[start:]
            start = 0
        buf += block


# --- decoding one record ---------------------------------------------------------------


def _count_replacements(text: str) -> int:
    return text.count("\ufffd")


def _ansel_plausible(body: bytes) -> bool:
    """Whether 8-bit text reads as MARC-8: only ANSEL characters, diacritics before a letter."""
    has_high = False
    for i, byte in enumerate(body):
        if byte < 0x80:
            continue
        has_high = True
        if byte in _NOT_ANSEL:
            return False
        if byte in _ANSEL_COMBINING:
            following = body[i + 1 : i + 2]
            if not following or not (following.isalnum() or following[0] in _ANSEL_COMBINING):
                return False
    return has_high


def _language_hint(fields: list[tuple[str, bytes]]) -> str:
    for tag, data in fields:
        if tag == "008" and len(data) >= 38:
            return normalise_language(data[35:38].decode("ascii", "replace"))
    return ""


def _choose_encoding(leader9: str, body: bytes, language: str) -> tuple[str, list[str]]:
    """How to decode this record's text, and what was repaired to get there."""
    has_escape = b"\x1b" in body
    if body.isascii() and not has_escape:
        return ("utf-8" if leader9 == "a" else "marc8"), []
    try:
        body.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError:
        valid_utf8 = False
    repairs: list[str] = []
    if leader9 == "a":
        if valid_utf8:
            return "utf-8", []
        if not has_escape and _ansel_plausible(body):
            return "marc8", [
                _("The leader says UTF-8 but the text is MARC-8; it was read as MARC-8.")
            ]
        bad = _count_replacements(body.decode("utf-8", "replace"))
        return "utf-8-replace", [
            _("%(count)d byte sequence(s) that are not valid UTF-8 were replaced by �.")
            % {"count": bad}
        ]
    if leader9 != " ":
        repairs.append(
            _("Leader position 09 (character coding) was %(value)r; it should be blank or 'a'.")
            % {"value": leader9}
        )
    if has_escape:
        return "marc8", repairs
    if valid_utf8:
        repairs.append(_("The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."))
        return "utf-8", repairs
    if any(byte in _NOT_ANSEL for byte in body):
        if is_cyrillic_language(language):
            repairs.append(
                _("The leader says MARC-8 but the text is Windows-1251 (Cyrillic); read as such.")
            )
            return "cp1251", repairs
        repairs.append(
            _("The leader says MARC-8 but the text is not; it was read as Windows-1252.")
        )
        return "cp1252", repairs
    return "marc8", repairs


class _Decoder:
    """Decodes the byte values of one record and remembers what it had to repair."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.failed_tags: list[str] = []
        self.controls_removed = False

    def text(self, data: bytes, tag: str) -> str:
        if data.isascii() and b"\x1b" not in data:
            value = data.decode("ascii")
            if self.encoding == "marc8" and "&#x" in value:
                value = _NCR.sub(_ncr_char, value)
        elif self.encoding == "utf-8":
            value = data.decode("utf-8")
        elif self.encoding == "utf-8-replace":
            value = data.decode("utf-8", "replace")
        elif self.encoding == "marc8":
            value = self._marc8(data, tag)
        else:
            value = data.decode(self.encoding, "replace")
        if CONTROL_CHARS.search(value):
            self.controls_removed = True
            value = CONTROL_CHARS.sub("", value)
        if not value.isascii():
            value = unicodedata.normalize("NFC", value)
        return value

    def _marc8(self, data: bytes, tag: str) -> str:
        if _marc8_framing_ok(data):
            try:
                return _NCR.sub(_ncr_char, marc8_to_unicode(data, hide_utf8_warnings=True))
            except UnicodeDecodeError:
                pass
        if tag not in self.failed_tags:
            self.failed_tags.append(tag)
        # Keep what is readable: the single-byte stretches; a broken multibyte run becomes one
        # replacement character rather than a string of misaligned CJK characters.
        parts: list[str] = []
        for piece in re.split(rb"(\x1b\$,?1[^\x1b]*)", data):
            if piece.startswith(b"\x1b$"):
                parts.append("\ufffd")
            elif piece:
                try:
                    parts.append(marc8_to_unicode(piece.replace(b"\x1b", b""), True))
                except UnicodeDecodeError:
                    parts.append("\ufffd")
        return "".join(parts)


_NCR = re.compile(r"&#x([0-9A-Fa-f]{2,6});")


def _ncr_char(match: re.Match[str]) -> str:
    """MARC-8's escape for characters it lacks ("lossless conversion", e.g. &#x20AC;)."""
    code = int(match.group(1), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _marc8_framing_ok(data: bytes) -> bool:
    """Whether pymarc's converter can take these bytes: escapes complete, multibyte runs whole.

    pymarc prints to stderr and pads with spaces when a three-byte (CJK) run is cut short; we
    would rather say in the record's repairs that the text was damaged.
    """
    multibyte = False
    run = 0
    index = 0
    while index < len(data):
        if data[index] != 0x1B:
            if multibyte:
                run += 1
            index += 1
            continue
        if multibyte and run % 3:
            return False
        run = 0
        kind = data[index + 1 : index + 2]
        if kind == b"$":
            final_at = index + 3 if data[index + 2 : index + 3] == b"," else index + 2
            final = data[final_at : final_at + 1]
            if not final:
                return False
            multibyte = final == b"1"
            index = final_at + 1
        elif kind in (b"(", b","):
            final = data[index + 2 : index + 3]
            if not final:
                return False
            multibyte = final == b"1"
            index += 3
        elif kind in (b")", b"-"):
            if len(data) < index + 3:
                return False
            index += 3
        elif kind and (kind[0] in marc8_mapping.CODESETS or kind == b"s"):
            multibyte = kind == b"1"
            index += 2
        elif not kind:
            return False
        else:
            index += 1
    return not (multibyte and run % 3)


def _subfield_code(part: bytes) -> tuple[str, bytes, bool]:
    """The code and value of one subfield; the flag says the code had to be guessed."""
    first = part[0]
    if 0x61 <= first <= 0x7A or 0x30 <= first <= 0x39:  # a-z, 0-9: the usual case
        return chr(first), part[1:], False
    if 0x41 <= first <= 0x5A:  # A-Z: not a MARC code, but plainly meant as its lower case
        return chr(first + 32), part[1:], True
    if first >= 0x80:
        # An accented letter typed as the code ("á" for "a"), as pymarc also reads it.
        for size in (2, 3, 4):
            try:
                letter = part[:size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            base = unicodedata.normalize("NFKD", letter).encode("ascii", "ignore").decode()
            if base.isalnum():
                return base.lower(), part[size:], True
            break
        # Stray 8-bit bytes (often MARC-8 diacritics typed before the code): the first ASCII
        # letter or digit after them is the code.
        for i in range(1, min(len(part), 4)):
            if part[i] < 0x80:
                if part[i : i + 1].isalnum():
                    return part[i : i + 1].decode("ascii").lower(), part[i + 1 :], True
                break
    return "", part, True


_CLEAN_DIRECTORY = re.compile(rb"(?:[0-9A-Za-z]{3}[0-9]{9})+")
_DIRECTORY_ENTRY = re.compile(rb"([0-9A-Za-z]{3})([0-9]{4})([0-9]{5})")


def _directory_fields(
    chunk: bytes, base: int, directory: bytes, repairs: list[str]
) -> list[tuple[str, bytes]]:
    """(tag, data) of every field, found by the directory or, if its numbers are off, by marks.

    Some systems write a directory whose lengths are off by a byte or two (a field edited
    after the directory was built); when the end-of-field marks still agree with the number
    and order of entries, the fields are taken between the marks.
    """
    parsed: list[tuple[str, int, int]] = []
    skipped: list[str] = []
    if _CLEAN_DIRECTORY.fullmatch(directory):  # the usual case, read in one pass
        parsed = [
            (tag.decode("ascii"), int(length), int(start))
            for tag, length, start in _DIRECTORY_ENTRY.findall(directory)
        ]
    else:
        for index in range(0, len(directory), 12):
            entry = directory[index : index + 12]
            tag_bytes, length_bytes, start_bytes = entry[:3], entry[3:7], entry[7:12]
            if not (length_bytes.isdigit() and start_bytes.isdigit()):
                raise MarcError(
                    _("Directory entry %(number)d (%(entry)r) is damaged.")
                    % {"number": index // 12 + 1, "entry": entry.decode("ascii", "replace")}
                )
            tag = tag_bytes.decode("ascii", "replace")
            if not (tag_bytes.isascii() and tag_bytes.isalnum()):
                skipped.append(tag)
            parsed.append((tag, int(length_bytes), int(start_bytes)))
    entries: list[tuple[str, bytes]] = []
    for tag, length, start in parsed:
        end = base + start + length
        if length < 1 or end > len(chunk) - 1 or chunk[end - 1] != END_OF_FIELD:
            break
        entries.append((tag, chunk[base + start : end - 1]))
    else:
        return _drop_bad_tags(entries, skipped, repairs)
    pieces = chunk[base:-1].split(b"\x1e")
    starts = [start for _tag, _length, start in parsed]
    if pieces[-1] == b"" and len(pieces) - 1 == len(parsed) and starts == sorted(starts):
        repairs.append(
            _("The directory's field lengths were wrong; fields were read between their marks.")
        )
        entries = [(tag, piece) for (tag, _l, _s), piece in zip(parsed, pieces, strict=False)]
        return _drop_bad_tags(entries, skipped, repairs)
    tag = parsed[len(entries)][0]
    raise MarcError(_("Field %(tag)s is not where the directory says it is.") % {"tag": tag})


def _drop_bad_tags(
    entries: list[tuple[str, bytes]], skipped: list[str], repairs: list[str]
) -> list[tuple[str, bytes]]:
    if not skipped:
        return entries
    repairs.append(
        _("Field(s) with invalid tags were left out: %(tags)s.")
        % {"tags": ", ".join(repr(t) for t in skipped)}
    )
    return [(tag, data) for tag, data in entries if tag not in skipped]


def _structure(chunk: bytes) -> tuple[str, int, list[tuple[str, bytes]], list[str]]:
    """The leader, base address, (tag, data) entries and repairs of one ISO 2709 record.

    Raises MarcError for what cannot be read safely (wrong length, broken base address or
    directory).
    """
    repairs: list[str] = []
    if len(chunk) < 26:
        raise MarcError(
            _("The record is only %(length)d bytes long: too short for a leader and a field.")
            % {"length": len(chunk)}
        )
    leader = chunk[:24].decode("ascii", "replace")
    if not leader[:5].isdigit():
        raise MarcError(
            _("The record length in the leader (%(value)r) is not a number.")
            % {"value": leader[:5]}
        )
    declared = int(leader[:5])
    if len(chunk) > MAX_RECORD_BYTES:
        raise MarcError(
            _(
                "The record is %(length)d bytes long, more than the 99,999 bytes ISO 2709 allows; "
                "export it as MARCXML instead."
            )
            % {"length": len(chunk)}
        )
    if declared != len(chunk):
        raise MarcError(
            _(
                "The leader says the record is %(declared)d bytes long but it is %(length)d bytes "
                "up to its end-of-record mark."
            )
            % {"declared": declared, "length": len(chunk)}
        )
    if not leader[12:17].isdigit():
        raise MarcError(
            _("The base address of data in the leader (%(value)r) is not a number.")
            % {"value": leader[12:17]}
        )
    base = int(leader[12:17])
    if base < 24 + 12 + 1 or base >= len(chunk) or chunk[base - 1] != END_OF_FIELD:
        raise MarcError(
            _("The leader's base address of data (%(value)s) does not point past the directory.")
            % {"value": leader[12:17]}
        )
    directory = chunk[24 : base - 1]
    if len(directory) % 12:
        raise MarcError(
            _("The directory is %(length)d bytes long, not a multiple of 12: it is damaged.")
            % {"length": len(directory)}
        )
    entries = _directory_fields(chunk, base, directory, repairs)
    if not entries:
        raise MarcError(_("The record has no fields."))
    return leader, base, entries, repairs


def decode_iso2709(chunk: bytes) -> tuple[Record, list[str]]:
    """A pymarc Record from one ISO 2709 record cut at its end-of-record mark.

    Raises MarcError for what cannot be read safely (wrong length, broken base address or
    directory); returns repairs for what could be fixed (leader flags, encodings, codes).
    """
    leader, base, entries, repairs = _structure(chunk)
    fixed_leader = leader
    if leader[10:12] != "22":
        repairs.append(
            _("Leader positions 10-11 were %(value)r; set to '22'.") % {"value": leader[10:12]}
        )
        fixed_leader = fixed_leader[:10] + "22" + fixed_leader[12:]
    if leader[20:24] != "4500":
        repairs.append(
            _("Leader positions 20-23 were %(value)r; set to '4500'.") % {"value": leader[20:24]}
        )
        fixed_leader = fixed_leader[:20] + "4500"
    encoding, encoding_repairs = _choose_encoding(leader[9], chunk[base:], _language_hint(entries))
    repairs.extend(encoding_repairs)
    if encoding.startswith("utf-8") and fixed_leader[9] != "a":
        fixed_leader = fixed_leader[:9] + "a" + fixed_leader[10:]

    decoder = _Decoder(encoding)
    record = Record(leader=fixed_leader, force_utf8=True)
    bad_indicator_tags: list[str] = []
    bad_code_tags: list[str] = []
    for tag, data in entries:
        if tag < "010" and tag.isdigit():
            record.add_field(Field(tag=tag, data=decoder.text(data, tag)))
            continue
        parts = data.split(b"\x1f")
        indicators = parts[0]
        if len(indicators) != 2 or not indicators.isascii():
            bad_indicator_tags.append(tag)
            indicators = bytes(b if b < 0x80 else 0x20 for b in indicators[:2]).ljust(2, b" ")
        subfields: list[Subfield] = []
        for part in parts[1:]:
            if not part:
                continue
            code, value, guessed = _subfield_code(part)
            if guessed:
                bad_code_tags.append(tag)
                if not code:
                    continue
            subfields.append(Subfield(code=code, value=decoder.text(value, tag)))
        ind = indicators.decode("ascii")
        record.add_field(Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields))

    if bad_indicator_tags:
        repairs.append(
            _("Missing or extra indicators in field(s) %(tags)s were read as blanks.")
            % {"tags": ", ".join(dedupe(bad_indicator_tags))}
        )
    if bad_code_tags:
        repairs.append(
            _("Invalid subfield codes in field(s) %(tags)s were guessed or dropped.")
            % {"tags": ", ".join(dedupe(bad_code_tags))}
        )
    if decoder.failed_tags:
        repairs.append(
            _("MARC-8 text in field(s) %(tags)s could not be converted; it was replaced by �.")
            % {"tags": ", ".join(decoder.failed_tags)}
        )
    if decoder.controls_removed:
        repairs.append(_("Control characters inside field values were removed."))
    return record, repairs


class PlainField(NamedTuple):
    """One field as text: control fields have `data`, data fields indicators and subfields.

    It answers what the mapping asks of a pymarc Field, so that clean records are mapped
    without building pymarc objects.
    """

    tag: str
    indicators: tuple[str, str] | None
    data: str
    subfields: list[tuple[str, str]]

    @property
    def control_field(self) -> bool:
        return self.indicators is None

    @property
    def indicator2(self) -> str:
        return self.indicators[1] if self.indicators else ""


# What the mapping reads a field as: pymarc's, or the plain form of a clean record.
MarcField = Field | PlainField


def utf8_leader(leader: str) -> str:
    """A 24-character leader as a pymarc record made with force_utf8 keeps it."""
    return leader[:9] + "a22" + leader[12:20] + "4500"


# `CONTROL_CHARS` in UTF-8, but for the subfield delimiter (checked apart).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1e\x7f]")


def _nfc(value: str) -> str:
    """A value as the full reader gives it (each value on its own: a subfield code must not
    compose with a combining mark that starts the value)."""
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def record_from_plain(leader: str, fields: list[PlainField]) -> Record:
    """A pymarc record of a leader and fields in the form `plain_fields` gives."""
    record = Record(leader=leader, force_utf8=True)
    for field in fields:
        if field.indicators is None:
            record.add_field(Field(tag=field.tag, data=field.data))
        else:
            record.add_field(
                Field(
                    tag=field.tag,
                    indicators=Indicators(*field.indicators),
                    subfields=[Subfield(code=code, value=value) for code, value in field.subfields],
                )
            )
    return record


def plain_from_record(record: Record) -> tuple[str, list[PlainField]]:
    """A pymarc record's leader and fields in the form `plain_fields` gives."""
    fields: list[PlainField] = []
    for field in record.fields:
        if field.control_field:
            fields.append(PlainField(field.tag, None, field.data or "", []))
            continue
        first, second = field.indicators or (" ", " ")
        subfields = [(sub.code, sub.value) for sub in field.subfields]
        fields.append(PlainField(field.tag, (first, second), "", subfields))
    return str(record.leader), fields


def plain_fields(chunk: bytes) -> tuple[str, list[PlainField]] | None:
    """The leader and fields of a record `decode_iso2709` reads without any repair, else None.

    Serving a page of 500 titles reads each stored record again; most are clean UTF-8 (or
    plain ASCII), and reading those without building pymarc objects halves the page's
    time. Whatever this returns equals what `decode_iso2709` reads (a test holds it); for
    anything it would repair or convert (MARC-8, bad codes, stray controls) this gives up.
    """
    try:
        leader, base, entries, repairs = _structure(chunk)
    except MarcError:
        return None
    if repairs or leader[10:12] != "22" or leader[20:24] != "4500":
        return None
    body = chunk[base:]
    if b"\x1b" in body:
        return None
    if leader[9] == " ":
        if not body.isascii() or b"&#x" in body:
            return None  # MARC-8 beyond ASCII, or its character references
    elif leader[9] != "a":
        return None
    elif not body.isascii():
        try:
            body.decode("utf-8")  # all of it: bytes outside the fields decide the encoding too
        except UnicodeDecodeError:
            return None
    fields: list[PlainField] = []
    for tag, data in entries:
        if _CONTROL_BYTES.search(data):
            return None  # the full reader removes them, and says so
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if tag < "010" and tag.isdigit():
            if "\x1f" in text:
                return None
            fields.append(PlainField(tag, None, _nfc(text), []))
            continue
        parts = text.split("\x1f")
        indicators = parts[0]
        if len(indicators) != 2 or not indicators.isascii():
            return None
        subfields: list[tuple[str, str]] = []
        for part in parts[1:]:
            if not part:
                continue
            code = part[0]
            if not ("a" <= code <= "z" or "0" <= code <= "9"):
                return None
            subfields.append((code, _nfc(part[1:])))
        fields.append(PlainField(tag, (indicators[0], indicators[1]), "", subfields))
    return utf8_leader(leader), fields  # positions 10-11 and 20-23 were checked above


# --- mapping a MARC record to a BibRecord ------------------------------------------------

_SUBDIVISIONS = frozenset("vxyz")
_NOT_HEADING = frozenset("0123456789e")  # authority links, sources, relators
_UNKNOWN_PLACE = re.compile(r"^\[?\s*(s\.\s?l\.?|sine loco|tanpa tempat|t\.\s?t\.?)\s*\]?$", re.I)
_UNKNOWN_PUBLISHER = re.compile(
    r"^\[?\s*(s\.\s?n\.?|sine nomine|tanpa penerbit|t\.\s?p\.?)\s*\]?$", re.I
)


def _values(field: MarcField, codes: str) -> list[str]:
    return [value for code, value in field.subfields if code in codes and value.strip()]


def _first(field: MarcField, codes: str) -> str:
    """The first of `_values`, without collecting the rest (copies ask for many one by one)."""
    for code, value in field.subfields:
        if code in codes and value.strip():
            return value
    return ""


def _joined(field: MarcField, codes: str) -> str:
    """Subfields in record order, their inner punctuation kept, the trailing one dropped."""
    return clean_isbd(" ".join(v.strip() for v in _values(field, codes)))


class _Fields:
    """The record's fields by tag, built once, so the mapping does not rescan the record."""

    def __init__(self, fields: Iterable[MarcField]) -> None:
        self.by_tag: dict[str, list[MarcField]] = {}
        for field in fields:
            self.by_tag.setdefault(field.tag, []).append(field)

    def all(self, *tags: str) -> list[MarcField]:
        found: list[MarcField] = []
        for tag in tags:
            found.extend(self.by_tag.get(tag, ()))
        return found

    def one(self, tag: str) -> MarcField | None:
        fields = self.by_tag.get(tag)
        return fields[0] if fields else None

    def control(self, tag: str) -> str:
        field = self.one(tag)
        return (field.data or "") if field is not None and field.control_field else ""


def _title(fields: _Fields, repairs: list[str]) -> tuple[str, str, str]:
    """Title, subtitle and statement of responsibility, with fallbacks when 245 is missing."""
    field = fields.one("245")
    if field is not None:
        title = _joined(field, "anp") if _values(field, "a") else _joined(field, "knp")
        subtitle = _joined(field, "b")
        responsibility = _joined(field, "c")
        if title:
            return title, subtitle, responsibility
        if subtitle:
            repairs.append(_("245 has no $a; its $b was used as the title."))
            return subtitle, "", responsibility
    for tag in ("246", "130", "240", "242", "740"):
        for other in fields.all(tag):
            title = _joined(other, "a")
            if title:
                repairs.append(
                    _("The record has no usable title (245); the title was taken from %(tag)s.")
                    % {"tag": tag}
                )
                return title, _joined(other, "b"), ""
    return "", "", ""


def _uniform_title(fields: _Fields) -> str:
    """130 or 240 without its language and date: the title a translation shares with its
    original and with the work's other editions. Without one, the original's title from
    its linking entry (765 $t) or a note ("Translation of: …", "Judul asli: …")."""
    for tag in ("130", "240"):
        field = fields.one(tag)
        if field is not None and (title := _joined(field, "anp")):
            return title
    for field in fields.all("765"):
        if title := _joined(field, "t"):
            return title
    return original_title_in_notes([squash(" ".join(_values(f, "a"))) for f in fields.all("500")])


def _variant_titles(fields: _Fields, title: str, subtitle: str) -> list[str]:
    """Parallel, cover and spine titles (246) and titles of related or contained works
    (730, 740): what a patron may search the item by besides its title. One the title
    statement already gives (a parallel title in 245 $b) is not repeated."""
    given = {title.casefold(), subtitle.casefold(), f"{title} : {subtitle}".casefold()}
    found = [
        _joined(field, "abnp" if field.tag == "246" else "anp")
        for field in fields.all("246", "730", "740")
    ]
    return [t for t in dedupe(found) if t and t.casefold() not in given]


def _name(field: MarcField) -> str:
    if field.tag in ("110", "710", "610"):
        return _joined(field, "ab")
    if field.tag in ("111", "711"):
        return _joined(field, "a")
    return _joined(field, "ab")


def _headings(field: MarcField) -> list[str]:
    """The subject heading(s) of a 6XX field; 653 (uncontrolled) holds one keyword per $a."""
    if field.tag == "653":
        return [clean_isbd(v) for v in _values(field, "a")]
    return [_heading(field)]


def _heading(field: MarcField) -> str:
    main: list[str] = []
    subdivisions: list[str] = []
    for code, value in field.subfields:
        if code in _NOT_HEADING or not value.strip():
            continue
        if code in _SUBDIVISIONS:
            subdivisions.append(clean_isbd(value))
        elif not subdivisions:
            main.append(value.strip())
    return " -- ".join(v for v in [clean_isbd(" ".join(main)), *subdivisions] if v)


def _publication(fields: _Fields) -> tuple[str, str, str]:
    """Place, publisher and date as transcribed, from 264 (publication) or else 260."""
    candidates = [f for f in fields.all("264") if f.indicator2 == "1"]
    candidates += fields.all("260") + [f for f in fields.all("264") if f.indicator2 != "1"]
    place = publisher = date = ""
    for field in candidates:
        if not place:
            place = strip_brackets(clean_isbd(_first(field, "a")))
        if not publisher:
            publisher = strip_brackets(clean_isbd(_first(field, "b")))
        if not date:
            date = _first(field, "c")
    if _UNKNOWN_PLACE.match(place):
        place = ""
    if _UNKNOWN_PUBLISHER.match(publisher):
        publisher = ""
    return place, publisher, date


def _year(fixed: str, date_statement: str) -> int | None:
    if len(fixed) >= 11 and fixed[6] != "b":
        date1 = fixed[7:11]
        if date1.isdigit() and plausible_year(int(date1)):
            return int(date1)
    return first_year(date_statement)


def _languages(fields: _Fields, fixed: str) -> list[str]:
    codes: list[str] = []
    if len(fixed) >= 38:
        codes.append(normalise_language(fixed[35:38]))
    for field in fields.all("041"):
        for value in _values(field, "a"):
            value = value.strip()
            if len(value) > 3 and len(value) % 3 == 0 and value.isalpha():
                codes.extend(normalise_language(value[i : i + 3]) for i in range(0, len(value), 3))
            else:
                codes.append(normalise_language(value))
    return dedupe(codes)


def _material_type(leader: str, fields: _Fields, fixed: str, urls: list[str]) -> MaterialType:
    record_type, level = leader[6], leader[7]
    gmd = " ".join(_values(fields.one("245") or Field("245"), "h")).lower()
    physical = [f.data or "" for f in fields.all("007")]
    form_position = 29 if record_type in "efgkor" else 23
    form = fixed[form_position] if len(fixed) > form_position else " "
    if record_type == "a":
        if level in "bis":
            base = MaterialType.SERIAL
        elif level in "ab":
            base = MaterialType.ARTICLE
        else:
            base = MaterialType.BOOK
    elif record_type == "t":
        base = MaterialType.MANUSCRIPT
    elif record_type in "cd":
        base = MaterialType.SCORE
    elif record_type in "ef":
        base = MaterialType.MAP
    elif record_type == "g":
        visual = fixed[33] if len(fixed) > 33 else "v"
        base = MaterialType.VIDEO if visual in "vm| " else MaterialType.OTHER
    elif record_type in "ij":
        base = MaterialType.AUDIO
    elif record_type == "m":
        file_type = fixed[26] if len(fixed) > 26 else " "
        base = MaterialType.EBOOK if file_type == "d" else MaterialType.OTHER
    elif record_type in "kopr":
        base = MaterialType.OTHER
    else:
        base = MaterialType.BOOK
    nature = fixed[24:28] if record_type in "at" and len(fixed) >= 28 else ""
    if base in (MaterialType.BOOK, MaterialType.MANUSCRIPT, MaterialType.EBOOK) and (
        fields.all("502") or "m" in nature
    ):
        return MaterialType.THESIS
    # 008 "form of item" decides; a microform 007 only when 008 does not say (a print serial
    # record often has a 007 for the library's extra microfilm set).
    microform = (
        form in "abc"
        or "microform" in gmd
        or ((len(fixed) <= form_position or form == "|") and any(p[:1] == "h" for p in physical))
    )
    if microform and base in (MaterialType.BOOK, MaterialType.SERIAL, MaterialType.MANUSCRIPT):
        return MaterialType.MICROFORM
    online = form in "oqs" or any(p[:2] == "cr" for p in physical) or "electronic resource" in gmd
    if base == MaterialType.BOOK and online:
        return MaterialType.EBOOK
    return base


# --- holdings -----------------------------------------------------------------------------


def _koha_flag(field: MarcField, code: str) -> int:
    value = _first(field, code).strip()
    try:
        return int(value)
    except ValueError:
        return 1 if value else 0


def _items(fields: _Fields, default_library_code: str) -> list[Item]:
    items: list[Item] = []
    for field in fields.all("852"):
        call_number = squash(" ".join(_values(field, "khijm"))) or squash(_first(field, "j"))
        location = " / ".join(
            v for v in (squash(_first(field, "b")), squash(_first(field, "c"))) if v
        )
        items.append(
            Item(
                library_code=squash(_first(field, "a")) or default_library_code,
                location=location,
                call_number=call_number,
                barcode=squash(_first(field, "p")),
                url=squash(_first(field, "u")),
                status=ItemStatus.UNKNOWN,
            )
        )
    for field in fields.all("952"):  # Koha items
        if not _values(field, "pocy9"):
            continue  # not a Koha item (LC, for one, uses 952 for cataloguers' notes)
        if _koha_flag(field, "0"):
            continue  # withdrawn: no longer part of the collection
        if _koha_flag(field, "1"):
            status = ItemStatus.LOST
        elif _first(field, "q").strip():
            status = ItemStatus.ON_LOAN
        elif _koha_flag(field, "7") > 0:
            status = ItemStatus.REFERENCE
        elif _koha_flag(field, "7") < 0:
            status = ItemStatus.UNKNOWN  # ordered, not yet on the shelf
        else:
            status = ItemStatus.AVAILABLE
        items.append(
            Item(
                library_code=squash(_first(field, "a")) or default_library_code,
                location=squash(_first(field, "c")),
                call_number=squash(_first(field, "o")),
                barcode=squash(_first(field, "p")),
                url=squash(_first(field, "u")),
                status=status,
            )
        )
    for field in fields.all("949"):  # local practice: Sirsi/III style item fields
        barcode = squash(_first(field, "ip"))
        call_number = squash(_first(field, "a"))
        if not (barcode or call_number):
            continue
        status_text = " ".join(_values(field, "sl"))
        items.append(
            Item(
                library_code=squash(_first(field, "m")) or default_library_code,
                location=squash(_first(field, "l")),
                call_number=call_number,
                barcode=barcode,
                status=status_from_text(status_text),
            )
        )
    for field in fields.all("850"):  # union-catalogue holding institutions: codes only
        for code in _values(field, "a"):
            items.append(Item(library_code=squash(code), status=ItemStatus.UNKNOWN))
    return items


def _identifiers(fields: _Fields, repairs: list[str]) -> tuple[list[str], list[str], str, str, str]:
    isbns: list[str] = []
    rejected: list[str] = []
    for field in fields.all("020"):
        for code, value in field.subfields:
            if code == "a" or (code.isdigit() and (code + value)[:1].isdigit()):
                text = value if code == "a" else code + value
                found = extract_isbns(text)
                if found:
                    isbns.extend(found)
                elif looks_like_isbn(text):
                    rejected.append(squash(text))
    if rejected:
        repairs.append(
            _("ISBN(s) with a wrong check digit were left out: %(isbns)s.")
            % {"isbns": ", ".join(rejected)}
        )
    issns: list[str] = []
    for field in fields.all("022"):
        for value in _values(field, "al"):
            issn = normalise_issn(value)
            if issn:
                issns.append(issn)
    doi = ""
    for field in fields.all("024"):
        if _first(field, "2").strip().lower() == "doi":
            doi = normalise_doi(_first(field, "a"))
            if doi:
                break
    lccn = ""
    field_010 = fields.one("010")
    if field_010 is not None:
        lccn = normalise_lccn(_first(field_010, "a"))
    oclc = ""
    for field in fields.all("035"):
        oclc = normalise_oclc(_first(field, "a"))
        if oclc:
            break
    return dedupe(isbns), dedupe(issns), doi, lccn, oclc


@dataclass
class Holdings:
    """A MARC holdings record: the copies of the bibliographic record whose 001 is in its 004."""

    position: int
    bib_id: str
    items: list[Item]
    raw: bytes


def attach_holdings(
    results: Iterator[BibRecord | RecordProblem | Holdings], *, xml: bool = False
) -> Iterator[BibRecord | RecordProblem]:
    """Give the copies of holdings records to the bibliographic record just before them.

    Systems that export holdings separately (MFHD) write each bibliographic record followed
    by its holdings records. The holdings' bytes are appended to the record's `raw`, so
    reading `raw` again gives the same copies.
    """
    pending: BibRecord | None = None
    for result in results:
        if isinstance(result, Holdings):
            if pending is not None and result.bib_id in ("", pending.local_id):
                pending.items.extend(result.items)
                pending.raw = _append_raw(pending.raw, result.raw, xml)
                continue
            result = RecordProblem(
                position=result.position,
                reason=_(
                    "A holdings record for record %(bib)s does not follow that record; "
                    "its copies were not read."
                )
                % {"bib": result.bib_id or "?"},
                local_id=result.bib_id,
            )
        if pending is not None:
            yield pending
            pending = None
        if isinstance(result, BibRecord):
            pending = result
        else:
            yield result
    if pending is not None:
        yield pending


def _append_raw(raw: bytes, more: bytes, xml: bool) -> bytes:
    if not xml:
        return raw + more
    closing = b"</collection>"
    if raw.endswith(closing):
        return raw[: -len(closing)] + more + closing
    return b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + raw + more + closing


def marc_to_bib(
    leader: str,
    marc_fields: Iterable[MarcField],
    *,
    raw: bytes,
    source_format: SourceFormat,
    position: int,
    repairs: list[str],
    default_library_code: str = "",
    local_id: str = "",
    deleted: bool = False,
) -> BibRecord | RecordProblem | Holdings:
    """The BibRecord for a MARC 21 bibliographic record (ISO 2709 or MARCXML alike).

    A holdings record (leader/06 u, v, x, y) becomes `Holdings`, to be attached to the
    bibliographic record before it (`attach_holdings`); authority and community records
    are reported as problems.
    """
    fields = _Fields(marc_fields)
    leader = leader.ljust(24)
    fixed = fields.control("008")
    deleted = deleted or leader[5] == "d"
    if leader[6] in "uvxy":
        return Holdings(
            position=position,
            bib_id=fields.control("004").strip(),
            items=_items(fields, default_library_code),
            raw=raw,
        )
    if leader[6] in "zwq":
        return RecordProblem(
            position=position,
            reason=_(
                "This is a MARC authority, classification or community record, "
                "not a bibliographic record."
            ),
            local_id=local_id or fields.control("001").strip(),
        )

    if not local_id:
        local_id = fields.control("001").strip()
    if not local_id:
        for field in fields.all("035"):
            local_id = squash(_first(field, "a"))
            if local_id:
                repairs.append(_("The record has no 001; its identifier was taken from 035."))
                break
    if not local_id:
        local_id = str(position)
        repairs.append(
            _("The record has no 001 or 035; it is identified by its position (%(position)d).")
            % {"position": position}
        )

    title, subtitle, responsibility = _title(fields, repairs)
    if not title and not deleted:
        if fields.all("200") and not fields.all("245"):
            reason = _("The record has no title (245); it looks like UNIMARC, which is not read.")
        else:
            reason = _("The record has no title (no 245, 246, 130 or 240).")
        return RecordProblem(position=position, reason=reason, local_id=local_id)

    authors = [_name(f) for f in fields.all("100", "110", "111", "700", "710", "711")]
    place, publisher, date_statement = _publication(fields)
    edition = ""
    field_250 = fields.one("250")
    if field_250 is not None:
        edition = _joined(field_250, "ab")
    extent = ""
    field_300 = fields.one("300")
    if field_300 is not None:
        extent = clean_isbd(" ".join(_values(field_300, "abc")))
    urls = dedupe([squash(u) for f in fields.all("856") for u in _values(f, "u")])
    isbns, issns, doi, lccn, oclc = _identifiers(fields, repairs)
    if not doi:
        for url in urls:
            if "doi.org/10." in url:
                doi = normalise_doi(url)
                break
    subjects = [
        heading
        for tag, tagged in sorted(fields.by_tag.items())
        if tag.startswith("6") and tag.isdigit() and tag < "690"
        for f in tagged
        for heading in _headings(f)
    ]
    series = [_joined(f, "a") for f in fields.all("490", "440")]
    series += [_joined(f, "anp") for f in fields.all("830")]
    summary = "\n\n".join(
        s for s in (squash(" ".join(_values(f, "ab"))) for f in fields.all("520")) if s
    )
    return BibRecord(
        local_id=local_id,
        source_format=source_format,
        raw=raw,
        title=title,
        subtitle=subtitle,
        responsibility=responsibility,
        uniform_title=_uniform_title(fields),
        variant_titles=_variant_titles(fields, title, subtitle),
        authors=dedupe(authors),
        publisher=publisher,
        place=place,
        year=_year(fixed, date_statement),
        edition=edition,
        extent=extent,
        isbns=isbns,
        issns=issns,
        doi=doi,
        lccn=lccn,
        oclc=oclc,
        languages=_languages(fields, fixed),
        material_type=_material_type(leader, fields, fixed, urls),
        subjects=dedupe(subjects),
        series=dedupe(series),
        summary=summary,
        urls=urls,
        items=_items(fields, default_library_code),
        deleted=deleted,
        repairs=repairs,
    )


def read_marc(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Records of an ISO 2709 file, one at a time; a bad record is reported and skipped."""
    return attach_holdings(_read_frames(stream, default_library_code))


def _read_frames(
    stream: BinaryIO, default_library_code: str
) -> Iterator[BibRecord | RecordProblem | Holdings]:
    for frame in _frames(stream):
        if frame.oversize:
            yield RecordProblem(
                position=frame.position,
                reason=_(
                    "No end-of-record mark within %(limit)d bytes: this is not a MARC record; "
                    "skipped to the next end-of-record mark."
                )
                % {"limit": MAX_SCAN_BYTES},
                byte_offset=frame.offset,
            )
            continue
        if not frame.complete:
            yield RecordProblem(
                position=frame.position,
                reason=_(
                    "The file ends in the middle of a record (%(length)d bytes without an "
                    "end-of-record mark): it was cut short."
                )
                % {"length": len(frame.data)},
                byte_offset=frame.offset,
            )
            continue
        plain = plain_fields(frame.data)  # most records need no repair: no pymarc objects
        leader: str
        fields: Iterable[MarcField]
        if plain is not None:
            leader, fields = plain
            repairs: list[str] = []
        else:
            try:
                record, repairs = decode_iso2709(frame.data)
            except MarcError as error:
                yield RecordProblem(
                    position=frame.position,
                    reason=str(error),
                    local_id=_peek_001(frame.data),
                    byte_offset=frame.offset,
                )
                continue
            leader, fields = str(record.leader), record.fields
        result = marc_to_bib(
            leader,
            fields,
            raw=frame.data,
            source_format=SourceFormat.MARC21,
            position=frame.position,
            repairs=repairs,
            default_library_code=default_library_code,
        )
        if isinstance(result, RecordProblem):
            result.byte_offset = frame.offset
        yield result


def _peek_001(chunk: bytes) -> str:
    """The 001 of a record that cannot be decoded, when the directory still shows it."""
    match = re.match(rb"\d{5}.{7}(\d{5}).{7}", chunk)
    if not match:
        return ""
    base = int(match.group(1))
    directory = chunk[24 : max(24, base - 1)]
    for index in range(0, len(directory) - 11, 12):
        if directory[index : index + 3] == b"001":
            try:
                length = int(directory[index + 3 : index + 7])
                start = base + int(directory[index + 7 : index + 12])
            except ValueError:
                return ""
            return chunk[start : start + length - 1].decode("ascii", "replace").strip()
    return ""
