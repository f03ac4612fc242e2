"""MODS reader. No real MODS records are public in shared/data (only a MARC->MODS stylesheet
ships with Zebra), so these records are written here, in the shape LC's MARC21slim2MODS3
stylesheet and Indonesian repositories produce."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.utils import translation

from simpul.catalog.bibliographic import (
    BibRecord,
    ItemStatus,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.readers import read_records, sniff_format


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


COLLECTION = """<?xml version="1.0" encoding="UTF-8"?>
<modsCollection xmlns="http://www.loc.gov/mods/v3" xmlns:xlink="http://www.w3.org/1999/xlink">
<mods version="3.7">
  <titleInfo><nonSort>The </nonSort><title>amazing adventures of Kavalier and Clay</title>
    <subTitle>a novel</subTitle></titleInfo>
  <titleInfo type="alternative"><title>Kavalier and Clay</title></titleInfo>
  <name type="personal" usage="primary">
    <namePart type="family">Chabon</namePart><namePart type="given">Michael</namePart>
    <namePart type="date">1963-</namePart>
    <role><roleTerm type="text" authority="marcrelator">author</roleTerm></role></name>
  <typeOfResource>text</typeOfResource>
  <genre authority="marcgt">novel</genre>
  <originInfo>
    <place><placeTerm type="code" authority="marccountry">nyu</placeTerm></place>
    <place><placeTerm type="text">New York</placeTerm></place>
    <publisher>Random House</publisher>
    <dateIssued>c2000</dateIssued>
    <dateIssued encoding="marc" keyDate="yes">2000</dateIssued>
    <edition>1st ed.</edition>
    <issuance>monographic</issuance>
  </originInfo>
  <language><languageTerm authority="iso639-2b" type="code">eng</languageTerm></language>
  <physicalDescription><form authority="marcform">print</form>
    <extent>639 p. ; 25 cm.</extent></physicalDescription>
  <abstract>Two cousins create a comic-book hero.</abstract>
  <note type="statement of responsibility">Michael Chabon.</note>
  <subject authority="lcsh"><topic>Comic books, strips, etc.</topic><topic>Authorship</topic>
    <genre>Fiction</genre></subject>
  <subject authority="lcsh"><geographic>New York (N.Y.)</geographic><genre>Fiction</genre></subject>
  <relatedItem type="series"><titleInfo><title>Modern library</title></titleInfo></relatedItem>
  <identifier type="isbn">0679450041 (acid-free paper)</identifier>
  <identifier type="isbn" invalid="yes">0679450042</identifier>
  <identifier type="lccn">00029063</identifier>
  <location>
    <physicalLocation>ALPHA</physicalLocation>
    <shelfLocator>PS3553.H15 A82 2000</shelfLocator>
    <holdingSimple>
      <copyInformation><subLocation>Sirkulasi</subLocation>
        <itemIdentifier>B0001</itemIdentifier><note type="status">Tersedia</note></copyInformation>
      <copyInformation><subLocation>Referensi</subLocation>
        <shelfLocator>R PS3553.H15 A82 2000</shelfLocator>
        <itemIdentifier>B0002</itemIdentifier><note type="status">Tidak dipinjamkan</note>
      </copyInformation>
      <copyInformation><subLocation>Sirkulasi</subLocation>
        <itemIdentifier>B0003</itemIdentifier><note type="status">Dipinjam</note></copyInformation>
    </holdingSimple>
  </location>
  <location><url usage="primary display">http://www.loc.gov/catdir/bios/random052/00029063.html</url>
  </location>
  <recordInfo><recordIdentifier source="DLC">11939876</recordIdentifier></recordInfo>
</mods>
<mods version="3.7">
  <titleInfo><title>Sistem temu kembali informasi berbasis ontologi</title></titleInfo>
  <name type="personal"><namePart>Putri Anggraini</namePart></name>
  <name type="corporate"><namePart>Universitas Contoh</namePart>
    <namePart>Program Studi Ilmu Perpustakaan</namePart></name>
  <typeOfResource>text</typeOfResource>
  <genre>Skripsi</genre>
  <originInfo><dateIssued>2023</dateIssued></originInfo>
  <language><languageTerm type="text">Indonesia</languageTerm></language>
  <physicalDescription><form>electronic</form><extent>xiv, 120 hlm.</extent></physicalDescription>
  <identifier type="doi">https://doi.org/10.22146/EXAMPLE.77</identifier>
  <identifier type="local">UC-SKR-2023-077</identifier>
  <location><url>https://repository.example.ac.id/77/</url></location>
</mods>
<mods version="3.7">
  <titleInfo><title>Jurnal Ilmu Perpustakaan</title></titleInfo>
  <typeOfResource>text</typeOfResource>
  <originInfo><issuance>continuing</issuance><dateIssued>1998-</dateIssued></originInfo>
  <identifier type="issn">1410-9328</identifier>
  <recordInfo><recordIdentifier>SER-1</recordIdentifier></recordInfo>
</mods>
<mods version="3.7">
  <name type="personal"><namePart>Tanpa Judul</namePart></name>
  <recordInfo><recordIdentifier>BAD-1</recordIdentifier></recordInfo>
</mods>
<mods version="3.7">
  <titleInfo><title>Peta Jawa Barat</title></titleInfo>
  <typeOfResource>cartographic</typeOfResource>
  <recordInfo><recordIdentifier>MAP-1</recordIdentifier></recordInfo>
</mods>
</modsCollection>
"""


def read(document: str, source_format: SourceFormat | None = SourceFormat.MODS) -> list[object]:
    return list(
        read_records(io.BytesIO(document.encode()), source_format, default_library_code="BETA")
    )


def test_a_book_with_holdings() -> None:
    book = read(COLLECTION)[0]
    assert isinstance(book, BibRecord)
    assert book.local_id == "11939876"
    assert book.title == "The amazing adventures of Kavalier and Clay"
    assert book.subtitle == "a novel"
    assert book.responsibility == "Michael Chabon"
    assert book.authors == ["Chabon, Michael"]
    assert (book.place, book.publisher, book.year, book.edition) == (
        "New York",
        "Random House",
        2000,
        "1st ed.",
    )
    assert book.isbns == ["9780679450047"]  # the invalid="yes" ISBN is left out
    assert book.lccn == "00029063"
    assert book.languages == ["eng"]
    assert book.extent == "639 p. ; 25 cm."
    assert book.subjects == [
        "Comic books, strips, etc. -- Authorship -- Fiction",
        "New York (N.Y.) -- Fiction",
    ]
    assert book.series == ["Modern library"]
    assert book.summary == "Two cousins create a comic-book hero."
    assert book.material_type == MaterialType.BOOK
    assert book.urls == ["http://www.loc.gov/catdir/bios/random052/00029063.html"]
    assert [(i.barcode, i.location, i.call_number, i.status) for i in book.items] == [
        ("B0001", "Sirkulasi", "PS3553.H15 A82 2000", ItemStatus.AVAILABLE),
        ("B0002", "Referensi", "R PS3553.H15 A82 2000", ItemStatus.REFERENCE),
        ("B0003", "Sirkulasi", "PS3553.H15 A82 2000", ItemStatus.ON_LOAN),
    ]
    assert {i.library_code for i in book.items} == {"ALPHA"}
    assert book.raw.startswith(b"<mods") and b"Kavalier" in book.raw


def test_a_thesis_a_serial_a_map_and_a_record_without_title() -> None:
    _book, thesis, serial, problem, map_record = read(COLLECTION)
    assert isinstance(thesis, BibRecord)
    assert thesis.material_type == MaterialType.THESIS  # genre Skripsi
    assert thesis.authors == [
        "Putri Anggraini",
        "Universitas Contoh. Program Studi Ilmu Perpustakaan",
    ]
    assert thesis.local_id == "UC-SKR-2023-077"
    assert thesis.doi == "10.22146/example.77"
    assert thesis.languages == ["ind"]
    assert thesis.year == 2023
    assert isinstance(serial, BibRecord)
    assert (serial.material_type, serial.issns, serial.year) == (
        MaterialType.SERIAL,
        ["1410-9328"],
        1998,
    )
    assert isinstance(problem, RecordProblem)
    assert (problem.position, problem.local_id) == (4, "BAD-1")
    assert "no titleInfo/title" in problem.reason
    assert isinstance(map_record, BibRecord) and map_record.material_type == MaterialType.MAP


def test_mods_is_sniffed_and_read_inside_oai_pmh() -> None:
    first = COLLECTION[COLLECTION.index("<mods ") : COLLECTION.index("</mods>") + 7]
    first = first.replace("<mods ", '<mods xmlns="http://www.loc.gov/mods/v3" ', 1)
    response = f"""<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>
<record><header><identifier>oai:opac.example:1</identifier><datestamp>2026-01-01</datestamp>
</header><metadata>{first}</metadata></record>
<record><header status="deleted"><identifier>oai:opac.example:2</identifier>
<datestamp>2026-01-01</datestamp></header></record>
</ListRecords></OAI-PMH>"""
    assert sniff_format(response.encode()) == SourceFormat.MODS
    book, deleted = read(response, None)
    assert isinstance(book, BibRecord) and isinstance(deleted, BibRecord)
    assert book.local_id == "oai:opac.example:1" and book.isbns == ["9780679450047"]
    assert deleted.deleted and deleted.local_id == "oai:opac.example:2"


def test_a_single_mods_record_without_namespace() -> None:
    (record,) = read("<mods><titleInfo><title>Buku tunggal</title></titleInfo></mods>")
    assert isinstance(record, BibRecord)
    assert record.title == "Buku tunggal"
    assert record.local_id == "1"
    assert "identified by its position" in record.repairs[0]
