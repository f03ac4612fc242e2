"""MARCXML reader and the XML safety shared by every XML reader, on the real sample files."""

from __future__ import annotations

import io
import itertools
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from django.utils import translation

from simpul.catalog.bibliographic import BibRecord, MaterialType, RecordProblem, SourceFormat
from simpul.catalog.readers import read_records
from simpul.catalog.readers._xml import iter_units
from simpul.catalog.readers.marcxml import is_marc_record, never_marc_record

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MARC_NS = "http://www.loc.gov/MARC21/slim"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read(
    source: Path | bytes, source_format: SourceFormat | None = SourceFormat.MARCXML
) -> tuple[list[BibRecord], list[RecordProblem]]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    with stream:
        results = list(read_records(stream, source_format, default_library_code="ALPHA"))
    return (
        [r for r in results if isinstance(r, BibRecord)],
        [r for r in results if isinstance(r, RecordProblem)],
    )


def _comparable(record: BibRecord) -> dict[str, object]:
    fields = asdict(record)
    for name in ("raw", "source_format", "repairs"):
        fields.pop(name)
    return fields


def test_marcxml_and_iso2709_copies_of_30_records_map_identically() -> None:
    xml, xml_problems = read(DATA / "marcxml" / "traject-test_data.utf8.marc.xml")
    mrc, _ = read(DATA / "marc21" / "traject-test_data.utf8.mrc", SourceFormat.MARC21)
    assert len(xml) == len(mrc) == 30 and not xml_problems
    for a, b in zip(xml, mrc, strict=True):
        assert _comparable(a) == _comparable(b)
    assert xml[0].title == "Fikr-i Ayāz"
    assert xml[0].source_format == SourceFormat.MARCXML
    assert xml[0].raw.startswith(b"<record") and b"Fikr-i Ay" in xml[0].raw


def test_chabon_in_marcxml() -> None:
    good, bad = read(DATA / "marcxml" / "marc4j-chabon.xml")
    assert not bad
    assert [r.title for r in good] == ["The amazing adventures of Kavalier and Clay", "Summerland"]
    assert good[0].isbns == ["9780679450047"]


def test_records_of_other_kinds_and_scripts() -> None:
    ray_charles, white_house = read(DATA / "marcxml" / "pymarc-batch.xml")[0]
    assert ray_charles.material_type == MaterialType.AUDIO
    assert (ray_charles.title, ray_charles.year) == ("The Great Ray Charles", 1957)
    assert white_house.material_type == MaterialType.OTHER  # a web site (leader/06 m)
    (amazigh,) = read(DATA / "marcxml" / "marc4j-azdoud.xml")[0]
    assert amazigh.title == "Choix de proverbs amazighes"
    assert amazigh.isbns == ["9789920739788"]
    assert amazigh.languages == ["fre", "ber"]
    good, bad = read(DATA / "marcxml" / "zebra-collection-opera-43.xml")
    assert (len(good), len(bad)) == (43, 0)


def test_a_koha_record_with_extra_elements_and_a_comment_before_it() -> None:
    (record,) = read(DATA / "marcxml" / "marc4j-1474920681_KOHA_LFL_6_with_comment.xml")[0]
    assert record.title == "Cinema and architecture : from historical to digital"
    assert record.isbns == ["9780851705774"]
    assert record.repairs == [
        "Elements that are not MARCXML were ignored: <identifier>, <datestamp>."
    ]


def test_authority_and_classification_records_are_reported_not_imported() -> None:
    for name in ("clasmrc", "namemrc", "subjmrc"):
        good, bad = read(DATA / "marcxml" / f"zebra-collection-{name}.xml")
        assert (len(good), len(bad)) == (0, 20)
        assert "not a bibliographic record" in bad[0].reason


def test_holdings_records_in_marcxml_are_attached_or_reported() -> None:
    good, bad = read(DATA / "marcxml" / "marc4j-sample1a.xml")
    assert len(good) == 4
    assert all(record.items for record in good)
    # the third holdings record names bibliographic record 367589, which is not in the file
    assert len(bad) == 1 and bad[0].local_id == "367589"


BROKEN_XML = [
    ("marc4j-chabon-bad-subfields-element.xml", 0, 1, "contains <subfields>"),
    ("marc4j-chabon-missing-controlfield-tag.xml", 0, 1, "<controlfield> has no tag"),
    ("marc4j-chabon-missing-datafield-tag.xml", 0, 1, "contains <subfields>"),
    ("marc4j-chabon-missing-subfield-code.xml", 0, 1, "has no code attribute"),
    ("marc4j-cruel-cruel-indicatorless-summerland.xml", 1, 0, ""),
    ("pymarc-bad_tag.xml", 0, 1, "not three letters or digits"),
]


@pytest.mark.parametrize(("name", "records", "problems", "reason"), BROKEN_XML)
def test_broken_marcxml_files(name: str, records: int, problems: int, reason: str) -> None:
    good, bad = read(DATA / "broken" / name)
    assert (len(good), len(bad)) == (records, problems)
    if bad:
        assert reason in bad[0].reason
        assert bad[0].position == 1


def test_every_broken_xml_file_is_covered() -> None:
    assert {p.name for p in (DATA / "broken").glob("*.xml")} == {b[0] for b in BROKEN_XML}


def test_missing_indicators_are_a_repair() -> None:
    (summerland,) = read(DATA / "broken" / "marc4j-cruel-cruel-indicatorless-summerland.xml")[0]
    assert summerland.title == "Summerland"
    assert summerland.repairs == ["Field(s) 911 had no indicators; they were read as blanks."]


def test_a_bad_record_does_not_stop_the_next_one() -> None:
    good_xml = (DATA / "marcxml" / "marc4j-chabon.xml").read_text("utf-8")
    broken = good_xml.replace('<datafield tag="020"', "<datafield", 1)
    good, bad = read(broken.encode())
    assert [r.title for r in good] == ["Summerland"]
    assert bad[0].position == 1 and bad[0].local_id == "11939876"


def _oai(records: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
  <responseDate>2026-01-05T01:00:00Z</responseDate>
  <request verb="ListRecords" metadataPrefix="marc21">https://opac.example.ac.id/oai</request>
  <ListRecords>{records}<resumptionToken>abc</resumptionToken></ListRecords>
</OAI-PMH>""".encode()


def test_marcxml_inside_oai_pmh_uses_the_oai_identifier_and_deletions() -> None:
    chabon = (DATA / "marcxml" / "marc4j-chabon.xml").read_text("utf-8")
    first_record = chabon[chabon.index("<record>") : chabon.index("</record>") + 9]
    first_record = first_record.replace("<record>", f'<record xmlns="{MARC_NS}">')
    response = _oai(
        f"""<record><header><identifier>oai:opac.example.ac.id:11939876</identifier>
        <datestamp>2026-01-04</datestamp></header><metadata>{first_record}</metadata></record>
        <record><header status="deleted"><identifier>oai:opac.example.ac.id:42</identifier>
        <datestamp>2026-01-04</datestamp></header></record>"""
    )
    (kavalier, deleted), bad = read(response, None)  # sniffed
    assert not bad
    assert kavalier.local_id == "oai:opac.example.ac.id:11939876"
    assert kavalier.title == "The amazing adventures of Kavalier and Clay"
    assert kavalier.raw.startswith(b"<record")
    assert (deleted.local_id, deleted.deleted, deleted.title) == (
        "oai:opac.example.ac.id:42",
        True,
        "",
    )


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">bomb</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&lol9;</subfield></datafield>
</record></collection>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&secret;</dc:title></oai_dc:dc>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE collection SYSTEM "http://203.0.113.9/marc.dtd">
<collection xmlns="http://www.loc.gov/MARC21/slim"/>"""


@pytest.mark.parametrize("document", [BOMB, EXTERNAL, EXTERNAL_DTD], ids=["bomb", "xxe", "dtd"])
@pytest.mark.parametrize("source_format", [None, SourceFormat.MARCXML, SourceFormat.OAI_DC])
def test_documents_with_a_doctype_are_refused_quickly_without_expanding(
    document: bytes, source_format: SourceFormat | None
) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        results = list(read_records(io.BytesIO(document), source_format))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 0.5
    assert peak < 1024 * 1024  # a billion "lol"s would be 3 GB
    (problem,) = results
    assert isinstance(problem, RecordProblem)
    assert problem.position == 1 and "DOCTYPE" in problem.reason


def test_undeclared_entities_are_an_error_not_a_lookup() -> None:
    document = b"""<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
    <leader>00000nam a2200000 a 4500</leader>
    <datafield tag="245" ind1="0" ind2="0"><subfield code="a">&secret;</subfield></datafield>
    </record></collection>"""
    good, bad = read(document)
    assert not good and "not well-formed" in bad[0].reason


def test_a_document_cut_short_keeps_the_records_before_the_break() -> None:
    data = (DATA / "marcxml" / "traject-test_data.utf8.marc.xml").read_bytes()
    good, bad = read(data[: len(data) // 2])
    assert 10 < len(good) < 20
    assert len(bad) == 1 and "not well-formed at line" in bad[0].reason
    assert bad[0].position == len(good) + 1


def _generated_collection(records: int) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARC_NS}">'.encode()
    for number in range(records):
        yield f"""<record><leader>00000nam a2200000 a 4500</leader>
<controlfield tag="001">GEN{number:08d}</controlfield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Buku contoh {number} :</subfield>
<subfield code="b">uji memori /</subfield></datafield>
<datafield tag="505" ind1="0" ind2=" "><subfield code="a">{"Bab. " * 400}</subfield></datafield>
<datafield tag="952" ind1=" " ind2=" "><subfield code="a">PUSAT</subfield>
<subfield code="p">B{number:08d}</subfield></datafield></record>
""".encode()
    yield b"</collection>"


class _Chunks(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self.pending) < len(buffer):
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def test_the_tree_is_cleared_as_records_are_read() -> None:
    stream = io.BufferedReader(_Chunks(_generated_collection(3000)))  # about 7 MB
    count = 0
    for unit in iter_units(stream, is_marc_record):
        # earlier records are gone; only the one just handled is left, emptied
        earlier = list(unit.element.itersiblings(preceding=True))
        assert len(earlier) <= 1 and all(len(e) == 0 for e in earlier)
        count += 1
    assert count == 3000


def test_python_memory_stays_flat_while_reading_marcxml() -> None:
    stream = io.BufferedReader(_Chunks(_generated_collection(1500)))  # about 3.5 MB
    tracemalloc.start()
    try:
        count = sum(
            1 for r in read_records(stream, SourceFormat.MARCXML) if isinstance(r, BibRecord)
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1500
    assert peak < 4 * 1024 * 1024  # the whole document would take several times that


def _record(control: str, body: str) -> str:
    return (
        '<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">'
        f'{control}</controlfield><datafield tag="245" ind1="0" ind2="0">{body}</datafield>'
        "</record>"
    )


def test_absurd_sizes_are_refused_record_by_record() -> None:
    huge_value = '<subfield code="a">' + "x" * 150_000 + "</subfield>"
    many_elements = (
        '<subfield code="a">Judul</subfield>' + '<subfield code="x">y</subfield>' * 60_000
    )
    document = (
        f'<collection xmlns="{MARC_NS}">'
        + _record("1", huge_value)
        + _record("2", many_elements)
        + _record("3", '<subfield code="a">Judul biasa</subfield>')
        + "</collection>"
    )
    good, bad = read(document.encode())
    assert [r.title for r in good] == ["Judul biasa"]
    assert [(p.position, p.local_id) for p in bad] == [(1, "1"), (2, "")]
    assert "too long to be real" in bad[0].reason
    assert "more than 50000 XML elements" in bad[1].reason


def _in_oai_page(records: list[str]) -> bytes:
    """MARCXML records as an OAI-PMH ListRecords page puts them, seven levels down."""
    opening = f'<record xmlns="{MARC_NS}">'
    wrapped = "".join(
        f"<record><header><identifier>oai:x:{n}</identifier><datestamp>2026-01-01</datestamp>"
        f"</header><metadata>{record.replace('<record>', opening, 1)}</metadata></record>"
        for n, record in enumerate(records, start=1)
    )
    return (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
        f"{wrapped}</ListRecords></OAI-PMH>"
    ).encode()


def oai_page_with_a_runaway_record() -> bytes:
    """Three records, the second with more elements than a record can have."""
    many_elements = (
        '<subfield code="a">Judul</subfield>' + '<subfield code="x">y</subfield>' * 60_000
    )
    return _in_oai_page(
        [
            _record("1", '<subfield code="a">Judul pertama</subfield>'),
            _record("2", many_elements),
            _record("3", '<subfield code="a">Judul ketiga</subfield>'),
        ]
    )


def test_records_deep_in_an_oai_page_are_checked_and_released_as_in_a_file() -> None:
    # Deep inside a record the reader passes subfields over unasked (`never_record`); a
    # runaway record must still be cut short and reported, and the tree still emptied.
    page = oai_page_with_a_runaway_record()
    good, bad = read(page)
    assert [(r.local_id, r.title) for r in good] == [
        ("oai:x:1", "Judul pertama"),
        ("oai:x:3", "Judul ketiga"),
    ]
    assert [(p.position, p.local_id) for p in bad] == [(2, "oai:x:2")]
    assert "more than 50000 XML elements" in bad[0].reason

    units = list(iter_units(io.BytesIO(page), is_marc_record, never_marc_record))
    assert [u.oai_identifier for u in units] == ["oai:x:1", "oai:x:2", "oai:x:3"]
    assert [u.problem != "" for u in units] == [False, True, False]


def test_the_tree_of_an_oai_page_is_cleared_as_records_are_read() -> None:
    records = [chunk.decode() for chunk in itertools.islice(_generated_collection(1500), 1, 1501)]
    count = 0
    for unit in iter_units(io.BytesIO(_in_oai_page(records)), is_marc_record, never_marc_record):
        oai_record = unit.oai_header.getparent()
        earlier = list(oai_record.itersiblings(preceding=True))
        assert len(earlier) <= 1 and all(len(e) == 0 for e in earlier)
        count += 1
    assert count == 1500
