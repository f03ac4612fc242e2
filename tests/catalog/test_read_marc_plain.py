"""The plain reader that serving uses must read exactly what the full reader reads.

`plain_fields` skips pymarc for records that need no repair. Every record of the real
sample files in shared/data (clean UTF-8, MARC-8, Cyrillic, broken ones) and of the
generated network catalogue is read both ways: where the plain reader answers, its
leader and fields equal `decode_iso2709`'s; where the full reader repairs or converts
anything, the plain reader declines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from pymarc import Field, Indicators, Record, Subfield

from simpul.catalog.bibliographic import BibRecord, SourceFormat
from simpul.catalog.readers.marc import (
    MarcError,
    decode_iso2709,
    marc_to_bib,
    plain_fields,
    plain_from_record,
    utf8_leader,
)
from simpul.catalog.readers.marcxml import RecordInvalid, element_fields, element_to_record
from simpul.catalog.synthetic import write_member_files

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _chunks(path: Path) -> Iterator[bytes]:
    for piece in path.read_bytes().split(b"\x1d"):
        piece = piece.lstrip(b" \r\n\t\x00\x1a")
        if len(piece) >= 24:
            yield piece + b"\x1d"


def _compare(chunks: Iterator[bytes]) -> tuple[int, int]:
    """(records read plainly, records the plain reader declined), asserting agreement."""
    plain_count = declined = 0
    for chunk in chunks:
        plain = plain_fields(chunk)
        try:
            record, repairs = decode_iso2709(chunk)
        except MarcError:
            assert plain is None
            declined += 1
            continue
        if plain is None:
            declined += 1
            # Only records the full reader repairs, or whose leader says MARC-8, are declined.
            assert repairs or chunk[9:10] == b" ", chunk[:40]
            continue
        plain_count += 1
        assert not repairs
        assert plain == plain_from_record(record)
    return plain_count, declined


def test_real_sample_records_read_plainly_equal_the_full_reader() -> None:
    files = sorted((DATA / "marc21").glob("*.mrc")) + sorted((DATA / "broken").glob("*.mrc"))
    assert len(files) > 40
    plain_count, declined = _compare(chunk for path in files for chunk in _chunks(path))
    # The samples hold both: clean UTF-8 records and MARC-8 or damaged ones.
    assert plain_count > 100
    assert declined > 50


def test_generated_member_records_are_all_read_plainly(tmp_path: Path) -> None:
    files = write_member_files(tmp_path, 3000, seed=11)
    marc_files = [path for _code, path in files if path.suffix == ".mrc"]
    assert marc_files
    plain_count, declined = _compare(chunk for path in marc_files for chunk in _chunks(path))
    assert plain_count > 1000
    assert declined == 0


def test_records_needing_repair_are_declined() -> None:
    record = Record(force_utf8=True)
    record.add_field(Field(tag="001", data="x1"))
    record.add_field(Field("245", Indicators("1", "0"), [Subfield("a", "Pustaka")]))
    chunk = record.as_marc()
    assert plain_fields(chunk) is not None
    # A control character inside a value: the full reader removes it and says so.
    control = chunk.replace(b"x1", b"\x071")
    assert decode_iso2709(control)[1]
    assert plain_fields(control) is None
    # An upper-case subfield code: the full reader guesses the lower case.
    guessed = chunk.replace(b"\x1faPustaka", b"\x1fAPustaka")
    assert decode_iso2709(guessed)[1]
    assert plain_fields(guessed) is None
    # Bytes that are not UTF-8 under a UTF-8 leader.
    latin = chunk.replace(b"Pustaka", b"Pus\xe4aka")
    assert decode_iso2709(latin)[1]
    assert plain_fields(latin) is None


def _bib(leader: str, fields: object, raw: bytes) -> object:
    return marc_to_bib(
        leader,
        fields,  # type: ignore[arg-type]
        raw=raw,
        source_format=SourceFormat.MARC21,
        position=1,
        repairs=[],
        default_library_code="UNIBA",
    )


def test_clean_records_map_to_the_same_description_without_pymarc(tmp_path: Path) -> None:
    """The reader maps clean records from their plain fields; the description (title,
    authors, identifiers, holdings…) must be what mapping pymarc's fields gives."""
    files = sorted((DATA / "marc21").glob("*.mrc"))
    files += [path for _code, path in write_member_files(tmp_path, 600, seed=5)]
    compared = 0
    for chunk in (chunk for path in files if path.suffix == ".mrc" for chunk in _chunks(path)):
        plain = plain_fields(chunk)
        if plain is None:
            continue
        record, _repairs = decode_iso2709(chunk)
        assert _bib(*plain, chunk) == _bib(str(record.leader), record.fields, chunk)
        compared += 1
    assert compared > 300


def test_marcxml_records_map_to_the_same_description_without_pymarc(tmp_path: Path) -> None:
    files = sorted((DATA / "marcxml").glob("*.xml")) + sorted((DATA / "oai_pmh").glob("*.xml"))
    files += [path for _code, path in write_member_files(tmp_path, 600, seed=5)]
    compared = 0
    for path in files:
        if path.suffix != ".xml":
            continue
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False))
        for element in tree.iter("{http://www.loc.gov/MARC21/slim}record"):
            try:
                leader, fields, _repairs = element_fields(element)
                record, _same_repairs = element_to_record(element)
            except RecordInvalid:
                continue
            raw = etree.tostring(element)
            assert _bib(utf8_leader(leader), fields, raw) == _bib(
                str(record.leader), record.fields, raw
            )
            compared += 1
    assert compared > 200


def test_the_publication_264_is_told_from_production_by_its_indicator_either_way() -> None:
    record = Record(force_utf8=True)
    record.add_field(Field(tag="001", data="b42"))
    record.add_field(Field("245", Indicators("1", "0"), [Subfield("a", "Hukum adat")]))
    record.add_field(
        Field("264", Indicators(" ", "0"), [Subfield("a", "Bandung"), Subfield("b", "Cetak Jaya")])
    )
    record.add_field(
        Field(
            "264",
            Indicators(" ", "1"),
            [Subfield("a", "Jakarta :"), Subfield("b", "Gramedia,"), Subfield("c", "2019.")],
        )
    )
    chunk = record.as_marc()
    plain = plain_fields(chunk)
    assert plain is not None
    described = _bib(*plain, chunk)
    assert isinstance(described, BibRecord)
    assert (described.publisher, described.place) == ("Gramedia", "Jakarta")
    decoded, _repairs = decode_iso2709(chunk)
    assert described == _bib(str(decoded.leader), decoded.fields, chunk)
