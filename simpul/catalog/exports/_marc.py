"""The MARC 21 records of a cluster as pymarc Records, for the MARC and MARCXML exports.

A MARC source (ISO 2709 or MARCXML) is read again from the verbatim `raw`; holdings records
that travelled with it are left out. Any other source (Dublin Core, MODS, CSV) gets a
minimal bibliographic record built from its normalised fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from lxml import etree
from pymarc import Leader, Record

from simpul.catalog.bibliographic import MaterialType, SourceFormat
from simpul.catalog.models import Record as CatalogueRecord
from simpul.catalog.readers._xml import RecordInvalid
from simpul.catalog.readers.marc import (
    MarcError,
    PlainField,
    decode_iso2709,
    plain_fields,
    record_from_plain,
)
from simpul.catalog.readers.marcxml import element_fields, element_to_record

MARC_NS = "http://www.loc.gov/MARC21/slim"
HOLDINGS_TYPES = frozenset("uvxy")  # leader 06 of MARC 21 holdings records
# Leader 06 (type of record) and 07 (bibliographic level) by material type.
LEADER_TYPE = {
    MaterialType.BOOK: "am",
    MaterialType.EBOOK: "am",
    MaterialType.SERIAL: "as",
    MaterialType.ARTICLE: "ab",
    MaterialType.THESIS: "am",
    MaterialType.MAP: "em",
    MaterialType.SCORE: "cm",
    MaterialType.AUDIO: "jm",
    MaterialType.VIDEO: "gm",
    MaterialType.MANUSCRIPT: "tm",
    MaterialType.MICROFORM: "am",
    MaterialType.REPOSITORY: "am",
    MaterialType.OTHER: "am",
}


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _bibliographic(record: Record) -> bool:
    return str(record.leader)[6:7] not in HOLDINGS_TYPES


def _written_as_utf8(leader: str) -> str:
    """The leader of a record we write out: 24 characters, position 09 saying UTF-8."""
    leader = leader.ljust(24)[:24]
    return leader[:9] + "a" + leader[10:]


def _iso2709_chunks(raw: bytes) -> Iterator[bytes]:
    for chunk in raw.split(b"\x1d"):
        chunk = chunk.lstrip(b" \r\n\t\x00\x1a")
        if len(chunk) >= 24:
            yield chunk + b"\x1d"


def _from_iso2709(raw: bytes) -> Iterator[Record]:
    for chunk in _iso2709_chunks(raw):
        try:
            record, _repairs = decode_iso2709(chunk)
        except MarcError:
            continue
        yield record


def plain_bibliographic(raw: bytes, source_format: str) -> tuple[str, list[PlainField]] | None:
    """The leader and fields `marc_records` gives first for a record's raw bytes, read
    without pymarc, or None when they need the full reader (or hold no MARC record)."""
    if source_format == SourceFormat.MARC21:
        for chunk in _iso2709_chunks(raw):
            plain = plain_fields(chunk)
            if plain is None:
                return None
            if plain[0][6:7] not in HOLDINGS_TYPES:
                return plain
    elif source_format == SourceFormat.MARCXML:
        for element in _marcxml_elements(raw):
            try:
                leader, fields, _repairs = element_fields(element)
            except (RecordInvalid, ValueError):
                continue
            if leader[6:7] not in HOLDINGS_TYPES:
                return _written_as_utf8(leader), fields
    return None


def _marcxml_elements(raw: bytes) -> Iterator[etree._Element]:
    try:
        root = etree.fromstring(raw, _safe_parser())
    except etree.XMLSyntaxError:
        return
    for element in root.iter("{*}record"):  # the root first, then its descendants
        if element.tag != f"{{{MARC_NS}}}record" and element.nsmap.get(None) not in (None, MARC_NS):
            continue
        yield element


def _from_marcxml(raw: bytes) -> Iterator[Record]:
    for element in _marcxml_elements(raw):
        try:
            record, _repairs = element_to_record(element)
        except (RecordInvalid, ValueError):
            continue
        yield record


# The columns `built_fields` reads: all a record built from them needs to be loaded with.
BUILT_FROM = (
    "local_id", "material_type", "isbns", "issns", "doi", "languages", "authors", "title",
    "subtitle", "responsibility", "uniform_title", "variant_titles", "edition", "place",
    "publisher", "year", "extent", "series", "summary", "subjects", "urls",
)  # fmt: skip


def built_fields(record: CatalogueRecord) -> tuple[str, list[PlainField]]:
    """A minimal MARC 21 bibliographic record (leader, fields) from a record's normalised
    fields, for sources that are not MARC (CSV, Dublin Core, MODS)."""
    kind = LEADER_TYPE.get(MaterialType(record.material_type), "am")
    fields: list[PlainField] = [PlainField("001", None, record.local_id, [])]

    def add(tag: str, ind: str, *pairs: tuple[str, str]) -> None:
        subfields = [(code, value) for code, value in pairs if value]
        if subfields:
            fields.append(PlainField(tag, (ind[0], ind[1]), "", subfields))

    for isbn in record.isbns:
        add("020", "  ", ("a", isbn))
    for issn in record.issns:
        add("022", "  ", ("a", issn))
    if record.doi:
        add("024", "7 ", ("a", record.doi), ("2", "doi"))
    add("041", "  ", *(("a", code) for code in record.languages or []))
    authors = list(record.authors or [])
    if authors:
        add("100", "1 ", ("a", authors[0]))
    if record.uniform_title:  # 240 goes with a main entry, 130 stands in for one
        add("240" if authors else "130", "10" if authors else "0 ", ("a", record.uniform_title))
    add(
        "245",
        ("1" if authors else "0") + "0",
        ("a", record.title + (" :" if record.subtitle else "")),
        ("b", record.subtitle),
        ("c", record.responsibility),
    )
    for variant in record.variant_titles or []:
        add("246", "3 ", ("a", variant))
    add("250", "  ", ("a", record.edition))
    add(
        "264",
        " 1",
        ("a", record.place),
        ("b", record.publisher),
        ("c", str(record.year) if record.year else ""),
    )
    add("300", "  ", ("a", record.extent))
    for series in record.series:
        add("490", "0 ", ("a", series))
    add("520", "  ", ("a", record.summary))
    for subject in record.subjects:
        add("653", "  ", ("a", subject))
    for author in authors[1:]:
        add("700", "1 ", ("a", author))
    for url in record.urls:
        add("856", "40", ("u", url))
    return f"     n{kind} a22     7i 4500", fields


def built_record(record: CatalogueRecord) -> Record:
    """The same record as a pymarc Record, for the exports that write with pymarc."""
    return record_from_plain(*built_fields(record))


def marc_records(records: Iterable[CatalogueRecord]) -> Iterator[Record]:
    """The MARC 21 bibliographic records of these catalogue records, in order."""
    for record in records:
        raw = bytes(record.raw or b"")
        found: list[Record] = []
        if record.source_format == SourceFormat.MARC21:
            found = [r for r in _from_iso2709(raw) if _bibliographic(r)]
        elif record.source_format == SourceFormat.MARCXML:
            found = [r for r in _from_marcxml(raw) if _bibliographic(r)]
        if not found:
            found = [built_record(record)]
        for marc in found:
            marc.force_utf8 = True
            marc.leader = Leader(_written_as_utf8(str(marc.leader)))
            yield marc


def breaker_text(record: CatalogueRecord) -> str:
    """The raw record for reading: MARC as MARCBreaker lines, XML and CSV as text."""
    raw = bytes(record.raw or b"")
    if record.source_format == SourceFormat.MARC21:
        lines = [str(marc) for marc in _from_iso2709(raw)]
        if lines:
            return "\n\n".join(lines)
    if record.source_format in {SourceFormat.MARCXML, SourceFormat.OAI_DC, SourceFormat.MODS}:
        try:
            root = etree.fromstring(raw, _safe_parser())
        except etree.XMLSyntaxError:
            pass
        else:
            etree.indent(root, space="  ")
            return str(etree.tostring(root, encoding="unicode"))
    if record.source_format == SourceFormat.SLIMS_UCS:
        try:
            return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
        except ValueError:
            pass
    return raw.decode("utf-8", "replace")
