"""MARC 21 (ISO 2709) reader, on the real sample files in shared/data (see its README).

Facts asserted here were checked by hand against the records (yaz-marcdump style dumps).
Koha 952 holdings and Indonesian MARC records are not available from any public source,
so the few tests that need them build records with pymarc and say so.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from pymarc import Field, Indicators, Record, Subfield

from simpul.catalog.bibliographic import (
    BibRecord,
    ItemStatus,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.readers import read_records
from simpul.catalog.readers.marc import decode_iso2709

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read(path: Path | bytes) -> tuple[list[BibRecord], list[RecordProblem]]:
    stream = io.BytesIO(path) if isinstance(path, bytes) else path.open("rb")
    with stream:
        results = list(read_records(stream, SourceFormat.MARC21, default_library_code="ALPHA"))
    good = [r for r in results if isinstance(r, BibRecord)]
    bad = [r for r in results if isinstance(r, RecordProblem)]
    return good, bad


def one(path: Path) -> BibRecord:
    good, bad = read(path)
    assert len(good) == 1 and not bad, (good, bad)
    return good[0]


def test_the_sample_data_is_there() -> None:
    assert (DATA / "README.md").is_file(), f"shared/data not found at {DATA}"


def test_an_lc_book_record_is_mapped_field_by_field() -> None:
    good, bad = read(DATA / "marc21" / "marc4j-chabon.mrc")
    assert not bad
    kavalier, summerland = good
    assert kavalier.local_id == "11939876"
    assert kavalier.title == "The amazing adventures of Kavalier and Clay"
    assert kavalier.subtitle == "a novel"
    assert kavalier.responsibility == "Michael Chabon"
    assert kavalier.authors == ["Chabon, Michael"]
    assert (kavalier.place, kavalier.publisher, kavalier.year) == ("New York", "Random House", 2000)
    assert kavalier.extent == "639 p. ; 25 cm."
    assert kavalier.isbns == ["9780679450047"]  # 020 "0679450041 (acid-free paper)"
    assert kavalier.languages == ["eng"]
    assert kavalier.material_type == MaterialType.BOOK
    assert kavalier.subjects[0] == "Comic books, strips, etc. -- Authorship -- Fiction"
    assert summerland.edition == "1st ed."
    assert summerland.isbns == ["9780786808779", "9780786816156"]  # "0786816155 (pbk.)" too
    assert summerland.summary.startswith("Ethan Feld, the worst baseball player")
    # raw is the record exactly as it was in the file
    data = (DATA / "marc21" / "marc4j-chabon.mrc").read_bytes()
    assert kavalier.raw + summerland.raw == data


def test_lccn_oclc_urls_series() -> None:
    kavalier = read(DATA / "marc21" / "marc4j-chabon-loc.mrc")[0][0]
    assert kavalier.lccn == "00029063"
    assert kavalier.urls[0] == "http://www.loc.gov/catdir/bios/random052/00029063.html"
    scroll = one(DATA / "broken" / "marc4j-bad-characters-in-various-fields.mrc")
    assert scroll.oclc == "747947354"  # 035 (OCoLC)747947354
    town_scold = one(DATA / "marc21" / "pymarc-multi_isbn.mrc")
    assert town_scold.isbns == ["9780914378280", "9780914378297", "9780914378266"]
    assert town_scold.series == ["Her Waste ; pt. 1"]


def _records(path: Path) -> list[Record]:
    data = path.read_bytes()
    return [decode_iso2709(chunk + b"\x1d")[0] for chunk in data.split(b"\x1d") if chunk.strip()]


# MARC-8's ligature and double-tilde halves map to U+FE20..FE23; LC's UTF-8 file writes
# the single double-width marks instead. Both are correct MARC 21 Unicode.
_HALVES = str.maketrans({"\ufe20": "\u0361", "\ufe21": "", "\ufe22": "\u0360", "\ufe23": ""})


def test_marc8_and_utf8_copies_of_the_same_records_decode_to_the_same_text() -> None:
    marc8 = _records(DATA / "marc21" / "marc4j-brkrtest.mrc")
    utf8 = _records(DATA / "marc21" / "marc4j-brkrtest_UTF8.mrc")
    assert len(marc8) == len(utf8) == 8
    non_ascii = 0
    for a, b in zip(marc8, utf8, strict=True):
        values_a = [(f.tag, f.value().translate(_HALVES)) for f in a.fields]
        values_b = [(f.tag, f.value().translate(_HALVES)) for f in b.fields]
        assert values_a == values_b
        non_ascii += sum(not value.isascii() for _tag, value in values_a)
    assert non_ascii > 100
    note = marc8[4]["500"].value()
    for word in ("Łódź", "København", "Löwenbräu", "mañana", "Tōkyo", "Saṃskr̥ta", "£5.95"):
        assert word in note
    mapped8 = read(DATA / "marc21" / "marc4j-brkrtest.mrc")[0]
    mapped_utf8 = read(DATA / "marc21" / "marc4j-brkrtest_UTF8.mrc")[0]
    assert [r.title for r in mapped8] == [r.title for r in mapped_utf8]


def test_marc8_diacritics_become_composed_unicode() -> None:
    record = one(DATA / "marc21" / "traject-singles" / "one-marc8.mrc")
    assert record.title == "Por uma outra globalização"  # MARC-8 ANSEL c-cedilla, a-tilde
    assert record.subtitle == "do pensamemto único à consciência universal"
    assert record.authors == ["Santos, Mílton"]
    assert not record.repairs
    # ANSEL combining marks come before the letter in MARC-8; the result is NFC
    assert "\u0301" not in record.authors[0]


def test_escaped_character_references_of_marc8_are_decoded() -> None:
    path = DATA / "marc21" / "traject-singles" / "escaped_character_reference.marc8.mrc"
    data = path.read_bytes()
    record, _ = decode_iso2709(data)
    assert record["260"]["a"] == "Rio de Janeiro escaped replacement char: \ufffd ."


def test_a_cyrillic_record_in_windows_1251_is_read_as_cyrillic() -> None:
    good, bad = read(DATA / "marc21" / "pymarc-1251.mrc")
    assert len(good) == 6 and not bad
    first = good[0]
    assert first.title == "Основы гидравлического расчета инженерных сетей"
    assert first.authors == ["Ильина, Татьяна Николаевна"]
    assert first.isbns == ["9785930933420"]  # 5-93093-342-1
    assert first.languages == ["rus"]
    assert "Windows-1251" in first.repairs[0]


def test_utf8_record_whose_leader_says_marc8_is_read_as_utf8_and_the_repair_noted() -> None:
    record = one(DATA / "marc21" / "pymarc-utf8_without_leader_flag.mrc")
    flagged = one(DATA / "marc21" / "pymarc-utf8_with_leader_flag.mrc")
    assert record.title == flagged.title == "Escape from loneliness"
    assert record.subjects == flagged.subjects
    assert record.repairs == ["The leader says MARC-8 but the text is UTF-8; it was read as UTF-8."]
    assert not flagged.repairs


def test_marc8_record_whose_leader_says_utf8_is_read_as_marc8() -> None:
    data = bytearray((DATA / "marc21" / "traject-singles" / "one-marc8.mrc").read_bytes())
    data[9:10] = b"a"  # the leader now (wrongly) says UTF-8
    record = read(bytes(data))[0][0]
    assert record.title == "Por uma outra globalização"
    assert "the text is MARC-8" in record.repairs[0]


def test_invalid_utf8_bytes_are_replaced_and_reported() -> None:
    record = read(DATA / "marc21" / "marc4j-sample1.mrc")[0][3]
    assert record.responsibility.startswith("sous la direction de Domenico Sartore")
    assert "\ufffd" in record.responsibility
    assert "5 byte sequence(s) that are not valid UTF-8 were replaced" in record.repairs[0]


def test_missing_245_falls_back_and_says_so() -> None:
    papers = one(DATA / "marc21" / "traject-singles" / "245_no_ab.mrc")
    assert papers.title == "Papers"  # 245 has only $k (form): an archival collection
    record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.add_field(Field(tag="001", data="x1"))
    record.add_field(
        Field(tag="246", indicators=Indicators("3", "0"), subfields=[Subfield("a", "Judul lain")])
    )
    result = read(record.as_marc())[0][0]
    assert result.title == "Judul lain"
    assert "title was taken from 246" in result.repairs[0]


@pytest.mark.parametrize(
    ("name", "material"),
    [
        ("manuscript_online_thesis.mrc", MaterialType.THESIS),  # leader t + 502
        ("microform_online_conference.mrc", MaterialType.MICROFORM),
        ("online_only.mrc", MaterialType.EBOOK),  # 008/23 o
        ("musical_cage.mrc", MaterialType.AUDIO),  # leader j
        ("louis_armstrong.mrc", MaterialType.AUDIO),
        ("missing-second-date.mrc", MaterialType.MAP),  # leader e
        ("nature.mrc", MaterialType.SERIAL),  # print serial with a microfilm 007 on the side
        ("date_with_u.mrc", MaterialType.SERIAL),
        ("george_eliot.mrc", MaterialType.BOOK),
    ],
)
def test_material_types(name: str, material: MaterialType) -> None:
    assert one(DATA / "marc21" / "traject-singles" / name).material_type == material


def test_more_material_types() -> None:
    bowie = one(DATA / "marc21" / "marc4j-kan1222221.mrc")
    assert bowie.material_type == MaterialType.VIDEO  # streaming video, leader g
    sample = read(DATA / "marc21" / "traject-test_data.utf8.mrc")[0]
    by_id = {r.local_id: r for r in sample}
    assert by_id["85910001"].material_type == MaterialType.MICROFORM


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("date_resort_to_260.mrc", 1980),  # 008 date blank: year from 260$c
        ("date_resort_to_264.mrc", 2015),
        ("date_type_r_missing_date2.mrc", 1957),
        ("date_with_u.mrc", None),  # "184u" and no usable 260$c
        ("missing-second-date.mrc", 1678),
    ],
)
def test_year(name: str, year: int | None) -> None:
    assert one(DATA / "marc21" / "traject-singles" / name).year == year


def test_languages_from_008_and_packed_041() -> None:
    proverbs = one(DATA / "marc21" / "traject-singles" / "packed_041a_lang.mrc")
    assert proverbs.languages == ["eng", "fre", "ger", "ita", "spa", "rus"]


def test_leader_05_d_means_deleted() -> None:
    by_id = {r.local_id: r for r in read(DATA / "marc21" / "traject-test_data.utf8.mrc")[0]}
    assert by_id["00314247"].deleted
    assert not by_id["00282214"].deleted


def test_852_holdings_with_library_location_and_call_number() -> None:
    good, _ = read(DATA / "marc21" / "traject-index_bench-batch.mrc")
    items = [item for record in good for item in record.items]
    hatch = [i for i in items if i.location.startswith("HATCH")]
    assert hatch[0].library_code == "MiU"
    assert hatch[0].location == "HATCH / GRAD"
    assert hatch[0].call_number == "PA 47 .C592d 1969"


def test_separate_holdings_records_are_attached_to_their_bibliographic_record() -> None:
    good, bad = read(DATA / "marc21" / "marc4j-sample1.mrc")  # 4 bib + 4 MFHD (leader/06 x)
    assert len(good) == 4 and not bad
    assert [r.items[0].call_number for r in good] == [
        "H 75 .26",
        "MT130.M25 Z93 2000",
        "SD194.P42 G373 2003",
        "Ref BV173 .N8614 1992",
    ]
    # raw holds both records, so reading it again gives the copies again
    again = read(good[0].raw)[0]
    assert again[0].items == good[0].items


def test_949_and_850_local_holdings() -> None:
    scroll = one(DATA / "broken" / "marc4j-bad-characters-in-various-fields.mrc")
    (item,) = scroll.items
    assert (item.call_number, item.barcode, item.location) == (
        "LT JEFF",
        "32530606992038",
        "ON-ORDER",
    )
    assert item.library_code == "ALPHA"  # none in the record: the importing library's
    business = one(DATA / "marc21" / "traject-singles" / "the_business_ren.mrc")
    assert [i.library_code for i in business.items] == ["DLC"]


def _indonesian_record_with_koha_items() -> bytes:
    """Generated: no Koha 952 export is public (shared/data/README); subfields as Koha writes."""
    record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    record.add_field(Field(tag="001", data="UNAIR-000123"))
    record.add_field(Field(tag="008", data="200312s2019    io a          000 0 ind d"))
    record.add_field(
        Field(
            tag="020",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "978-602-04-8541-6")],
        )
    )
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[
                Subfield("a", "Pengantar ilmu perpustakaan :"),
                Subfield("b", "teori dan praktik /"),
                Subfield("c", "Sulistyo-Basuki."),
            ],
        )
    )
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[
                Subfield("a", "Jakarta :"),
                Subfield("b", "Gramedia Pustaka Utama,"),
                Subfield("c", "2019."),
            ],
        )
    )

    def item(barcode: str, **extra: str) -> Field:
        subfields = [
            Subfield("a", "FISIP"),
            Subfield("b", "FISIP"),
            Subfield("c", "SIRKULASI"),
            Subfield("o", "020 SUL p"),
            Subfield("p", barcode),
            Subfield("y", "BK"),
        ] + [Subfield(code, value) for code, value in extra.items()]
        return Field(tag="952", indicators=Indicators(" ", " "), subfields=subfields)

    record.add_field(item("0001"))
    record.add_field(item("0002", q="2026-12-01"))  # checked out, due date
    record.add_field(item("0003", **{"1": "1"}))  # lost
    record.add_field(item("0004", **{"7": "1"}))  # not for loan
    record.add_field(item("0005", **{"0": "1"}))  # withdrawn
    record.add_field(item("0006", **{"7": "-1"}))  # on order
    return record.as_marc()


def test_koha_952_items_with_status() -> None:
    record = read(_indonesian_record_with_koha_items())[0][0]
    assert record.isbns == ["9786020485416"]
    assert (record.place, record.publisher, record.year) == (
        "Jakarta",
        "Gramedia Pustaka Utama",
        2019,
    )
    assert record.languages == ["ind"]
    statuses = {item.barcode: item.status for item in record.items}
    assert statuses == {
        "0001": ItemStatus.AVAILABLE,
        "0002": ItemStatus.ON_LOAN,
        "0003": ItemStatus.LOST,
        "0004": ItemStatus.REFERENCE,
        "0006": ItemStatus.UNKNOWN,
    }  # the withdrawn copy is no longer part of the collection
    first = record.items[0]
    assert (first.library_code, first.location, first.call_number) == (
        "FISIP",
        "SIRKULASI",
        "020 SUL p",
    )


def test_lc_952_notes_are_not_mistaken_for_koha_items() -> None:
    summerland = read(DATA / "marc21" / "marc4j-chabon-loc.mrc")[0][1]
    assert summerland.items == []  # 952 $a "II lb11 09-05-02" is an LC processing note


# Every file in shared/data/broken: records read, problems reported (reading goes on).
BROKEN_MARC = [
    ("marc4j-185258.mrc", 1, 0),
    ("marc4j-bad-characters-in-various-fields.mrc", 1, 0),
    ("marc4j-bad_leaders_10_11.mrc", 1, 0),
    ("marc4j-bad_oversize_field_bad_directory.mrc", 4, 1),
    ("marc4j-bad_too_long_plus_2.mrc", 2, 1),
    ("marc4j-datos-20161010-slice.mrc", 0, 1),
    ("marc4j-incomplete_esc_seq.mrc", 1, 0),
    ("marc4j-not_unimarc_errors_3.mrc", 3, 0),
    ("marc4j-unordered-directory-entries.mrc", 1, 0),
    ("pymarc-bad_eacc_encoding.mrc", 1, 0),
    ("pymarc-bad_indicator.mrc", 1, 0),
    ("pymarc-bad_marc8_escape.mrc", 1, 0),
    ("pymarc-bad_records.mrc", 2, 7),
    ("pymarc-bad_subfield_code.mrc", 1, 0),
    ("pymarc-testunimarc.mrc", 0, 1),
    ("pymarc-utf8_errors.mrc", 1, 0),
    ("pymarc-utf8_invalid.mrc", 1, 0),
    ("traject-bad_subfield_code.mrc", 1, 0),
    ("traject-bad_utf_byte.utf8.mrc", 0, 1),
    ("traject-emptyish_record.mrc", 1, 0),
]


@pytest.mark.parametrize(("name", "records", "problems"), BROKEN_MARC)
def test_broken_files(name: str, records: int, problems: int) -> None:
    good, bad = read(DATA / "broken" / name)
    assert (len(good), len(bad)) == (records, problems), [p.reason for p in bad]
    for problem in bad:
        assert problem.position >= 1 and problem.byte_offset is not None and problem.reason


def test_every_broken_marc_file_is_covered() -> None:
    on_disk = {p.name for p in (DATA / "broken").glob("*.mrc")}
    assert on_disk == {name for name, _r, _p in BROKEN_MARC}


def test_problems_say_where_and_why_and_reading_goes_on() -> None:
    good, bad = read(DATA / "broken" / "pymarc-bad_records.mrc")
    assert [r.local_id for r in good] == ["1", "8"]  # no 001: identified by position
    assert [(p.position, p.byte_offset) for p in bad] == [
        (2, 127),
        (3, 254),
        (4, 381),
        (5, 509),
        (6, 637),
        (7, 764),
        (9, 917),
    ]
    assert "base address of data (99937)" in bad[0].reason
    assert "directory is 13 bytes long" in bad[2].reason
    assert "cut short" in bad[-1].reason


def test_damaged_records_are_repaired_where_safe() -> None:
    leaders = one(DATA / "broken" / "marc4j-bad_leaders_10_11.mrc")
    assert "Leader positions 10-11 were '  '; set to '22'." in leaders.repairs
    perl = one(DATA / "broken" / "pymarc-bad_subfield_code.mrc")
    assert perl.title == "ActivePerl with ASP and ADO"  # code written as "á"
    assert "fields were read between their marks" in perl.repairs[0]
    seuil = one(DATA / "broken" / "traject-bad_subfield_code.mrc")
    assert seuil.publisher == "Editions du Seuil"
    eacc = one(DATA / "broken" / "pymarc-bad_eacc_encoding.mrc")
    assert eacc.repairs == [
        "MARC-8 text in field(s) 880 could not be converted; it was replaced by \ufffd."
    ]


def test_oversize_records_and_unimarc_are_refused_with_a_reason() -> None:
    _good, bad = read(DATA / "broken" / "marc4j-datos-20161010-slice.mrc")
    assert "214804 bytes long, more than the 99,999" in bad[0].reason
    assert bad[0].local_id == "0184194"
    _good, bad = read(DATA / "broken" / "pymarc-testunimarc.mrc")
    assert "UNIMARC" in bad[0].reason


def test_padding_after_the_last_record_is_not_a_record() -> None:
    good, bad = read(DATA / "marc21" / "zebra-sample.mrc")  # ends with 0x1D 0x1D 0x00
    assert (len(good), len(bad)) == (24, 0)


def test_wrong_length_is_reported_and_the_next_record_still_read() -> None:
    data = (DATA / "marc21" / "marc4j-chabon.mrc").read_bytes()
    broken = b"00999" + data[5:]  # first record's length now wrong
    good, bad = read(broken)
    assert [r.title for r in good] == ["Summerland"]
    assert bad[0].position == 1 and "says the record is 999 bytes long" in bad[0].reason


def test_garbage_without_record_marks_is_skipped_with_flat_memory() -> None:
    data = (DATA / "marc21" / "marc4j-chabon.mrc").read_bytes()
    garbage = b"x" * (3 * 1024 * 1024) + b"\x1d"
    good, bad = read(garbage + data)
    assert [r.title for r in good] == ["The amazing adventures of Kavalier and Clay", "Summerland"]
    assert len(bad) == 1 and "No end-of-record mark" in bad[0].reason


class _GeneratedMarc(io.RawIOBase):
    """A MARC stream of `total` bytes made on the fly, so the test itself holds no big buffer."""

    def __init__(self, total: int) -> None:
        record = Record(leader="00000nam a2200000 a 4500", force_utf8=True)
        record.add_field(Field(tag="001", data="GEN00000000"))
        record.add_field(Field(tag="008", data="230101s2023    io a          000 0 ind d"))
        record.add_field(
            Field(
                tag="245",
                indicators=Indicators("1", "0"),
                subfields=[Subfield("a", "Buku contoh :"), Subfield("b", "untuk uji memori /")],
            )
        )
        for _ in range(3):  # about 27 KB a record: 50 MB is some 1,900 records
            record.add_field(
                Field(
                    tag="505",
                    indicators=Indicators("0", " "),
                    subfields=[Subfield("a", "Bab. " * 1800)],
                )
            )
        record.add_field(
            Field(
                tag="952",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "PUSAT"), Subfield("p", "B0000000")],
            )
        )
        self.template = record.as_marc()
        self.id_at = self.template.index(b"GEN00000000")
        self.total = total
        self.sent = 0
        self.count = 0
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self.pending) < len(buffer) and self.sent < self.total:
            ident = b"GEN%08d" % self.count
            chunk = self.template[: self.id_at] + ident + self.template[self.id_at + 11 :]
            self.pending += chunk
            self.sent += len(chunk)
            self.count += 1
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def test_a_50_mb_stream_is_read_with_flat_memory() -> None:
    source = _GeneratedMarc(50 * 1024 * 1024)
    stream = io.BufferedReader(source)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        count = 0
        last = ""
        for result in read_records(stream, SourceFormat.MARC21):
            assert isinstance(result, BibRecord)
            count += 1
            last = result.local_id
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == source.count and count > 1500
    assert last == f"GEN{count - 1:08d}"
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a 50 MB file"
    assert time.perf_counter() - started < 60
