"""Dublin Core (oai_dc) reader, on real OAI-PMH responses from shared/data/oai_pmh."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from simpul.catalog.bibliographic import BibRecord, MaterialType, RecordProblem, SourceFormat
from simpul.catalog.readers import read_records

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OAI = DATA / "oai_pmh"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read(source: Path | bytes) -> tuple[list[BibRecord], list[RecordProblem]]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    with stream:
        results = list(read_records(stream, SourceFormat.OAI_DC))
    return (
        [r for r in results if isinstance(r, BibRecord)],
        [r for r in results if isinstance(r, RecordProblem)],
    )


def test_caltech_list_records_response() -> None:
    good, bad = read(OAI / "zebra-oai-caltech.xml")
    assert (len(good), len(bad)) == (100, 0)
    first = good[0]
    assert first.local_id == "oai:caltechcstr.library.caltech.edu:4"  # the OAI identifier
    assert first.title == "A Language Processor and a Sample Language"
    assert first.authors == ["Ayres, Ronald"]
    assert first.year == 1978
    assert first.publisher == "California Institute of Technology"
    assert first.urls == ["http://resolver.caltech.edu/CaltechCSTR:1978.2276-tr-78"]
    assert first.summary.startswith("This thesis explores shared data in list structures")
    assert first.source_format == SourceFormat.OAI_DC
    assert first.raw.startswith(b"<oai_dc:dc") and b"Ayres, Ronald" in first.raw


def test_dspace_response_types_isbns_languages_and_deletions() -> None:
    good, bad = read(OAI / "pyoai" / "fake2" / "00002.xml")
    assert (len(good), len(bad)) == (81, 0)
    deleted = [r for r in good if r.deleted]
    assert len(deleted) == 2 and all(r.title == "" for r in deleted)
    types = Counter(r.material_type for r in good if not r.deleted)
    assert types[MaterialType.THESIS] == 20  # dc:type Thesis
    assert types[MaterialType.ARTICLE] == 13  # Article, Book chapter
    assert types[MaterialType.BOOK] == 2
    assert types[MaterialType.REPOSITORY] == 44  # working papers, reports, preprints ...
    assert sum(bool(r.isbns) for r in good) == 17
    first = good[0]
    assert first.local_id == "hdl:1765/9"
    assert first.authors == ["Jong, G. de", "Nooteboom, B."]
    assert first.languages == ["eng"]


def test_isbn_in_dc_identifier_is_found() -> None:
    (record,), _ = read(OAI / "pyoai" / "fake1" / "00004.xml")  # GetRecord
    assert record.local_id == "hdl:1765/315"
    assert record.isbns == ["9789090149806"]  # dc:identifier "90-9014980-5"
    assert record.languages == ["dut"]  # dc:language "nl"
    assert record.urls == ["http://hdl.handle.net/1765/315"]


def test_what_the_reader_left_out_is_said() -> None:
    """SLiMS writes the ISBN and the language's name into oai_dc: a wrong check digit or a
    name nobody knows is left out and reported, as the MARC and CSV readers do. Numbers that
    are not given as ISBNs (a student number, a citation) and placeholders are not."""
    dc = b"""<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
        xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:title>Bumi manusia</dc:title><dc:identifier>oai:slims/7</dc:identifier>
      <dc:identifier>979-97312-3-3</dc:identifier><dc:identifier>ISBN 9793062797</dc:identifier>
      <dc:identifier>NIM 1234567890</dc:identifier>
      <dc:identifier>Toer, P. (1980) Bumi manusia. Hasta Mitra. 1234567890</dc:identifier>
      <dc:language>Indonesia</dc:language><dc:language>Klingonisch</dc:language>
      <dc:language>lainnya</dc:language>
    </oai_dc:dc>"""
    (record,), _ = read(dc)
    assert record.isbns == ["9789793062792"]
    assert record.languages == ["ind"]
    assert record.repairs == [
        "ISBN(s) with a wrong check digit were left out: 979-97312-3-3.",
        "Language “Klingonisch” is not a language Simpul knows; it was left out.",
    ]


def test_a_deleted_record_from_get_record() -> None:
    (record,), _ = read(OAI / "pyoai" / "fake2" / "00000.xml")
    assert (record.local_id, record.deleted) == ("hdl:1765/1160", True)
    assert b'status="deleted"' in record.raw


def test_oai_dc_without_namespaces() -> None:
    plain, _ = read(OAI / "traject-sample-oai-no-namespace.xml")
    spaced, _ = read(OAI / "traject-sample-oai-pmh.xml")
    assert len(plain) == len(spaced) == 10
    assert [r.title for r in plain] == [r.title for r in spaced]
    assert plain[0].local_id == "oai:sciencehistoryorg:mk61rg92z"
    assert plain[0].title == "Warehouses"
    types = Counter(r.material_type for r in plain)
    assert types == {MaterialType.OTHER: 9, MaterialType.REPOSITORY: 1}  # 9 dc:type Image


def test_responses_without_records_give_nothing() -> None:
    for name in ("00000.xml", "00001.xml", "00002.xml", "00003.xml"):  # ListSets, Identify ...
        assert read(OAI / "pyoai" / "fake1" / name) == ([], [])


# Generated, in the shape Indonesian repositories (EPrints, OJS) send; no real one is public.
INDONESIAN_OAI_DC = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-01-05T01:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="oai_dc">https://repository.example.ac.id/oai</request>
<ListRecords>
<record><header><identifier>oai:repository.example.ac.id:1201</identifier>
<datestamp>2025-08-01T02:00:00Z</datestamp></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
           xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Analisis kepuasan pemustaka terhadap layanan sirkulasi</dc:title>
  <dc:creator>Lestari, Dewi</dc:creator>
  <dc:contributor>Rahmawati, Siti</dc:contributor>
  <dc:subject>Perpustakaan; Layanan sirkulasi</dc:subject>
  <dc:description>Penelitian ini bertujuan mengetahui tingkat kepuasan pemustaka.</dc:description>
  <dc:publisher>Universitas Contoh</dc:publisher>
  <dc:date>2024-07-15</dc:date>
  <dc:type>Skripsi</dc:type>
  <dc:type>NonPeerReviewed</dc:type>
  <dc:format>text</dc:format>
  <dc:format>xii, 98 hlm.</dc:format>
  <dc:language>id</dc:language>
  <dc:identifier>https://repository.example.ac.id/1201/1/skripsi.pdf</dc:identifier>
  <dc:identifier>ISBN 978-602-8519-93-9</dc:identifier>
  <dc:relation>https://doi.org/10.22146/example.1201</dc:relation>
</oai_dc:dc></metadata></record>
<record><header><identifier>oai:repository.example.ac.id:1202</identifier>
<datestamp>2025-08-01T02:00:00Z</datestamp></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
           xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:creator>Tanpa Judul</dc:creator>
</oai_dc:dc></metadata></record>
<record><header><identifier>oai:repository.example.ac.id:1203</identifier>
<datestamp>2025-08-01T02:00:00Z</datestamp></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
           xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Jurnal Ilmu Perpustakaan</dc:title>
  <dc:type>Journal</dc:type>
  <dc:identifier>ISSN 1410-9328</dc:identifier>
</oai_dc:dc></metadata></record>
</ListRecords></OAI-PMH>
"""


def test_an_indonesian_repository_record() -> None:
    good, bad = read(INDONESIAN_OAI_DC.encode())
    skripsi, journal = good
    assert skripsi.material_type == MaterialType.THESIS
    assert skripsi.authors == ["Lestari, Dewi", "Rahmawati, Siti"]
    assert skripsi.subjects == ["Perpustakaan", "Layanan sirkulasi"]
    assert skripsi.languages == ["ind"]
    assert skripsi.year == 2024
    assert skripsi.extent == "xii, 98 hlm."
    assert skripsi.isbns == ["9786028519939"]
    assert skripsi.doi == "10.22146/example.1201"
    assert skripsi.urls == ["https://repository.example.ac.id/1201/1/skripsi.pdf"]
    assert (journal.material_type, journal.issns) == (MaterialType.SERIAL, ["1410-9328"])
    (problem,) = bad
    assert problem.position == 2
    assert problem.local_id == "oai:repository.example.ac.id:1202"
    assert "no dc:title" in problem.reason
