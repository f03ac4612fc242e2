"""Format sniffing and `read_records` over every sample file in shared/data."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.readers import read_records, sniff_format

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

EXPECTED = {
    "marc21": SourceFormat.MARC21,
    "marcxml": SourceFormat.MARCXML,
    "indonesian": SourceFormat.CSV,
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _samples() -> list[Path]:
    return sorted(p for p in DATA.rglob("*") if p.is_file())


def _expected(path: Path) -> SourceFormat | None:
    folder = path.relative_to(DATA).parts[0]
    if folder in EXPECTED:
        return EXPECTED[folder]
    if folder == "broken":
        return {".mrc": SourceFormat.MARC21, ".xml": SourceFormat.MARCXML}.get(path.suffix)
    if folder == "oai_pmh" and path.suffix == ".xml":
        # Identify and ListSets responses carry no records, so no metadata format shows
        empty = path.name in ("00000.xml", "00001.xml") and path.parent.name == "fake1"
        return None if empty else SourceFormat.OAI_DC
    return None  # README, SQL dump, MARC-in-JSON, MARCMaker text: not read


@pytest.mark.parametrize("path", _samples(), ids=lambda p: str(p.relative_to(DATA)))
def test_every_sample_is_sniffed_from_its_first_4_kb(path: Path) -> None:
    head = path.read_bytes()[:4096]
    assert sniff_format(head) == _expected(path)


def test_reading_every_sample_file_never_raises() -> None:
    totals = {"records": 0, "problems": 0}
    for path in _samples():
        if _expected(path) is None:
            continue
        with path.open("rb") as stream:
            for result in read_records(stream):
                assert isinstance(result, BibRecord | RecordProblem)
                if isinstance(result, BibRecord):
                    assert result.local_id and (result.title or result.deleted)
                    totals["records"] += 1
                else:
                    assert result.reason and result.position >= 1
                    totals["problems"] += 1
    # problems: 60 authority/classification records (zebra-collection-*mrc.xml), 12 in
    # broken/*.mrc, 5 in broken/*.xml, a holdings record without its bibliographic record
    # (marc4j-sample1a.xml), a test record with no title (escaped_character_reference)
    assert totals == {"records": 682, "problems": 79}


def test_unknown_and_empty_input() -> None:
    (problem,) = list(read_records(io.BytesIO(b'{"leader": "00000nam"}')))
    assert isinstance(problem, RecordProblem)
    assert "not in a format Simpul can read" in problem.reason
    assert list(read_records(io.BytesIO(b""))) == []
    assert list(read_records(io.BytesIO(b""), SourceFormat.MARC21)) == []
    assert list(read_records(io.BytesIO(b"  \n"), SourceFormat.CSV)) == []


def test_a_non_seekable_stream_is_read_after_sniffing() -> None:
    data = (DATA / "marc21" / "marc4j-chabon.mrc").read_bytes()

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            size = min(len(buffer), 100, len(self.data))  # trickles in, like a socket
            buffer[:size] = self.data[:size]
            self.data = self.data[size:]
            return size

    titles = [r.title for r in read_records(io.BufferedReader(Pipe())) if isinstance(r, BibRecord)]
    assert titles == ["The amazing adventures of Kavalier and Clay", "Summerland"]


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=3000),
    source_format=st.sampled_from([None, *SourceFormat]),
)
def test_any_bytes_give_records_or_problems_never_an_exception(
    data: bytes, source_format: SourceFormat | None
) -> None:
    for result in read_records(io.BytesIO(data), source_format):
        assert isinstance(result, BibRecord | RecordProblem)


_CHABON = (DATA / "marc21" / "marc4j-chabon.mrc").read_bytes()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_CHABON) - 1), st.integers(0, 255)), max_size=8))
def test_damaged_marc_never_raises(changes: list[tuple[int, int]]) -> None:
    data = bytearray(_CHABON)
    for position, value in changes:
        data[position] = value
    for result in read_records(io.BytesIO(bytes(data)), SourceFormat.MARC21):
        assert isinstance(result, BibRecord | RecordProblem)
