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

from pymarc import Field, Indicators, Record, Subfield

from simpul.catalog.readers.marc import (
    MarcError,
    decode_iso2709,
    plain_fields,
    plain_from_record,
)
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
