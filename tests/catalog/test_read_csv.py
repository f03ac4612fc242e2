"""CSV reader: the real Indonesian polytechnic book table (one row per copy), SLiMS exports
built the way SLiMS 9 writes them from its own sample database, and the encodings and
separators librarians' spreadsheets come in."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path

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
from simpul.catalog.readers.csv import map_header, split_authors

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UCM = DATA / "indonesian" / "ucm_perpustakaan_buku-sample.csv"
SLIMS_SQL = DATA / "slims" / "slims9_bulian-sampledata.sql"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read(data: bytes, library: str = "POLI") -> tuple[list[BibRecord], list[RecordProblem]]:
    results = list(read_records(io.BytesIO(data), SourceFormat.CSV, default_library_code=library))
    return (
        [r for r in results if isinstance(r, BibRecord)],
        [r for r in results if isinstance(r, RecordProblem)],
    )


# --- the real Indonesian table ----------------------------------------------------------


def test_the_polytechnic_table_groups_copies_into_titles() -> None:
    data = UCM.read_bytes()
    assert sniff_format(data[:4096]) == SourceFormat.CSV
    good, bad = read(data)
    assert not bad
    assert len(good) == 126  # 152 copies of 126 titles (checked with a spreadsheet)
    assert sum(len(r.items) for r in good) == 152
    first = good[0]
    assert first.title == "PENGANTAR TEKNIK INFORMATIKA"
    assert first.authors == ["Agus Komarudin", "Reni Permata Sari", "Nuari Anisa Sivi"]
    assert (first.publisher, first.place, first.year) == ("Lakeisha", "Boyolali", 2021)
    assert [(i.barcode, i.library_code) for i in first.items] == [("A1-TK-07-21", "POLI")]
    assert first.material_type == MaterialType.BOOK
    assert first.local_id.startswith("csv-")
    assert first.raw.decode().splitlines() == [
        "id_buku,kodebuku,judulbuku,author,publisher,tahun,kota",
        "249,A1-TK-07-21,PENGANTAR TEKNIK INFORMATIKA,"
        '"Agus Komarudin,Reni Permata Sari,Nuari Anisa Sivi",Lakeisha,2021,Boyolali',
    ]
    by_title = {r.title: r for r in good}
    arduino = by_title["MENGUASAI PEMROGRAMAN ARDUINO DAN ROBOTIK"]
    assert arduino.authors == ["Widodo Budiharto"]  # "Prof.Dr.Ir.Widodo Budiharto"
    assert [i.barcode for i in arduino.items] == ["A2-TK-25-20", "A2-TK-26-20", "A2-TK-27-20"]
    algoritma = by_title["ALGORITMA DAN PEMROGRAMAN"]
    assert algoritma.authors == ["Suarga"]  # "Dr.Suarga,M.Sc,M.Math.,Ph.D"


def test_reading_twice_gives_the_same_local_ids() -> None:
    first = [r.local_id for r in read(UCM.read_bytes())[0]]
    again = [r.local_id for r in read(UCM.read_bytes())[0]]
    assert first == again and len(set(first)) == len(first)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Agus Komarudin,Reni Permata Sari,Nuari", ["Agus Komarudin", "Reni Permata Sari", "Nuari"]),  # noqa: E501
        ("Randi Adrika Putra,S.T", ["Randi Adrika Putra"]),
        ("Drs.Danang Sunyoto,S.H,S.E.,M.M", ["Danang Sunyoto"]),
        ("Prof.Dr.Husaini Usman,R.Purnomo Akbar", ["Husaini Usman", "R.Purnomo Akbar"]),
        ("Dr.Engkoswara,.M.Ed.", ["Engkoswara"]),
        ("Drs.H.Widada R", ["Widada R"]),
        ("Endah Nur Fatimah,Dkk", ["Endah Nur Fatimah"]),
        ("Valade, Janet", ["Valade, Janet"]),
        ("<Siever, Ellen><Love, Robert>", ["Siever, Ellen", "Love, Robert"]),
        ("Budiharto, Widodo; Suhartono, Derwin", ["Budiharto, Widodo", "Suhartono, Derwin"]),
        ("H.B. Jassin", ["H.B. Jassin"]),
    ],
)  # fmt: skip
def test_author_cells(cell: str, names: list[str]) -> None:
    assert split_authors(cell) == names


# --- SLiMS exports, made from SLiMS's own sample database ---------------------------------

_SQL_VALUE = re.compile(r"'((?:[^'\\]|\\.|'')*)'|(NULL)|(NOW\(\))|(-?\d+(?:\.\d+)?)")


def _sql_rows(table: str) -> list[list[str]]:
    """The rows of one `INSERT IGNORE INTO table ... VALUES (...), (...);` statement."""
    sql = SLIMS_SQL.read_text("utf-8")
    position = sql.index("VALUES", sql.index(f"INSERT IGNORE INTO `{table}`")) + len("VALUES")
    rows: list[list[str]] = []
    row: list[str] = []
    while True:
        char = sql[position]
        if char in "(,\n\r\t ":
            position += 1
            continue
        if char == ")":
            rows.append(row)
            row = []
            position += 1
            continue
        if char == ";":
            return rows
        match = _SQL_VALUE.match(sql, position)
        assert match, sql[position : position + 40]
        text, _null, _now, number = match.groups()
        if text is not None:
            row.append(text.replace("''", "'").replace("\\r", "\r").replace("\\n", "\n"))
        else:
            row.append(number or "")
        position = match.end()


def _slims_biblio_export(header: bool) -> bytes:
    """As admin/modules/bibliography/export.php writes it: "-enclosed, ",", <a><b> lists."""
    authors = {r[0]: r[1] for r in _sql_rows("mst_author")}
    topics = {r[0]: r[1] for r in _sql_rows("mst_topic")}
    publishers = {r[0]: r[1] for r in _sql_rows("mst_publisher")}
    by_biblio: dict[str, dict[str, list[str]]] = {}
    for biblio_id, author_id, _level in _sql_rows("biblio_author"):
        by_biblio.setdefault(biblio_id, {}).setdefault("authors", []).append(authors[author_id])
    for biblio_id, topic_id, _level in _sql_rows("biblio_topic"):
        by_biblio.setdefault(biblio_id, {}).setdefault("topics", []).append(topics[topic_id])
    for item in _sql_rows("item"):
        by_biblio.setdefault(item[1], {}).setdefault("items", []).append(item[3])
    lines = []
    if header:
        names = (
            "title gmd_name edition isbn_issn publisher_name publish_year collation series_title "
            "call_number language_name place_name classification notes image sor authors topics "
            "item_code"
        ).split()
        lines.append("".join(f'"{n}",' for n in names))
    for row in _sql_rows("biblio"):
        biblio_id, _gmd, title, edition, isbn, publisher_id, year, collation, series = row[:9]
        call = row[9]
        extra = by_biblio.get(biblio_id, {})
        cells = [
            title, "Text", edition, isbn, publishers.get(publisher_id, ""), year, collation,
            series, call, "English" if row[10] == "en" else row[10], "", row[13],
            row[14].replace('"', '""'), row[15], "",
            "".join(f"<{a}>" for a in extra.get("authors", [])),
            "".join(f"<{t}>" for t in extra.get("topics", [])),
            "".join(f"<{i}>" for i in extra.get("items", [])),
        ]  # fmt: skip
        lines.append(",".join(f'"{c}"' for c in cells))
    return "\n".join(lines).encode("utf-8") + b"\n"


def test_a_slims_biblio_export_with_header() -> None:
    good, bad = read(_slims_biblio_export(header=True), library="SLIMS")
    assert not bad and len(good) == 15
    dummies = good[0]
    assert dummies.title == "PHP 5 for dummies"
    assert dummies.isbns == ["9780764541667"]  # '0764541668'
    assert dummies.authors == ["Valade, Janet"]
    assert dummies.year == 2004
    assert dummies.extent == "xiv, 392 p. : ill. ; 24 cm."
    assert dummies.series == ["For dummies"]
    assert dummies.languages == ["eng"]
    assert dummies.items[0].call_number == "005.13/3-22 Jan p"
    assert dummies.items[0].barcode == ""  # biblio 1 has no copies in the sample
    nutshell = good[1]
    assert nutshell.title == "Linux In a Nutshell"
    assert nutshell.edition == "Fifth Edition"
    assert nutshell.authors == [
        "Siever, Ellen",
        "Love, Robert",
        "Robbins, Arnold",
        "Figgins, Stephen",
        "Weber, Aaron",
    ]
    assert [i.barcode for i in nutshell.items] == ["B00009", "B00010"]
    assert {i.library_code for i in nutshell.items} == {"SLIMS"}
    assert good[3].isbns == ["9780596001087"]  # '0-596-00108-8'


def test_mojibake_in_slims_sample_data_is_repaired() -> None:
    good, _ = read(_slims_biblio_export(header=True))
    postgresql = good[5]
    # the sample has "Developer" + "\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2" + "s"
    assert postgresql.series == ["Developer\u2019s library"]
    assert any("garbled as Windows-1252" in repair for repair in postgresql.repairs)


def test_a_slims_export_without_header_is_read_in_export_order() -> None:
    with_header, _ = read(_slims_biblio_export(header=True))
    without, bad = read(_slims_biblio_export(header=False))
    assert not bad
    assert [(r.title, r.authors, r.isbns) for r in without] == [
        (r.title, r.authors, r.isbns) for r in with_header
    ]
    assert "no header row" in without[0].repairs[0]


def test_a_slims_item_export_groups_copies_by_title() -> None:
    titles = {row[0]: row[2] for row in _sql_rows("biblio")}
    header = (
        "item_code,call_number,coll_type_name,inventory_code,received_date,supplier_name,"
        "order_no,location_name,order_date,item_status_name,site,source,invoice,price,"
        "price_currency,invoice_date,input_date,last_update,title"
    )
    rows = [header]
    statuses = {"B00001": "", "B00002": "No Loan", "B00009": "Missing", "B00010": "Repair"}
    for item in _sql_rows("item"):
        rows.append(
            f"{item[3]},,Reference,{item[4]},,,,My Library,,{statuses.get(item[3], '')},"
            f',,,{item[14]},{item[15]},,,,"{titles[item[1]]}"'
        )
    good, bad = read("\n".join(rows).encode())
    assert not bad
    assert len(good) == 8  # 10 copies of 8 titles
    nutshell = next(r for r in good if r.title == "Linux In a Nutshell")
    assert [(i.barcode, i.status) for i in nutshell.items] == [
        ("B00009", ItemStatus.LOST),
        ("B00010", ItemStatus.UNKNOWN),  # "Repair": neither on the shelf nor out
    ]
    postgresql = next(r for r in good if r.title.startswith("PostgreSQL"))
    assert postgresql.items[0].status == ItemStatus.REFERENCE
    assert postgresql.items[0].location == "My Library"


# --- headers, separators, encodings -------------------------------------------------------


def test_languages_named_in_indonesian_or_english_get_their_codes() -> None:
    """Small libraries' spreadsheets name the language; any the ISO 639 tables name, in
    Indonesian or English, is read, and one Simpul cannot read is reported, not dropped
    silently."""
    data = (
        "Judul;Pengarang;Tahun Terbit;Bahasa\n"
        "Gulistan;Sa'di;1990;Persia\n"
        "Kalevala;Lönnrot, Elias;1985;Bahasa Finlandia, Inggris\n"
        "Noli me tangere;Rizal, José;1961;Tagalog\n"
        "Kamus Swahili;Ali;2001;Swahili | Sanskerta\n"
        "Buku aneh;Anonim;2002;Klingonisch\n"
        "Tanpa bahasa;Anonim;2003;-\n"
    ).encode()
    good, bad = read(data)
    assert not bad
    assert [r.languages for r in good] == [["per"], ["fin", "eng"], ["tgl"], ["swa", "san"], [], []]
    assert [r.repairs for r in good[:4]] == [[], [], [], []]
    assert good[4].repairs == [
        "Language “Klingonisch” is not a language Simpul knows; it was left out."
    ]
    assert good[5].repairs == []  # "-" names no language: nothing to say
    with translation.override("id"):
        good, _bad = read(data)
    assert good[4].repairs == ["Bahasa “Klingonisch” tidak dikenal Simpul dan tidak dimasukkan."]


def test_indonesian_headers_semicolons_and_statuses() -> None:
    data = (
        b"Judul;Pengarang;Penerbit;Tahun Terbit;Kota Terbit;ISBN/ISSN;No. Panggil;Eksemplar;"
        b"Lokasi;Status;Bahasa;Subjek;GMD\n"
        b"Laskar Pelangi;Andrea Hirata;Bentang Pustaka;2005;Yogyakarta;979-3062-79-7;"
        b"813 HIR l;LP-001;Rak Sastra;Tersedia;Indonesia;Novel;Text\n"
        b"Laskar Pelangi;Andrea Hirata;Bentang Pustaka;2005;Yogyakarta;979-3062-79-7;"
        b"813 HIR l;LP-002;Rak Sastra;Dipinjam;Indonesia;Novel;Text\n"
        b"Laskar Pelangi;Andrea Hirata;Bentang Pustaka;2005;Yogyakarta;979-3062-79-7;"
        b"813 HIR l;LP-003;Referensi;Tidak dipinjamkan;Indonesia;Novel;Text\n"
        b"Jurnal Pustakaloka;;STAIN Ponorogo;2019;Ponorogo;2086-6151;;JP-01;Terbitan berkala;"
        b"Hilang;id;;Majalah\n"
    )
    good, bad = read(data)
    assert not bad
    laskar, journal = good
    assert laskar.isbns == ["9789793062792"]
    assert (laskar.year, laskar.place, laskar.languages, laskar.subjects) == (
        2005,
        "Yogyakarta",
        ["ind"],
        ["Novel"],
    )
    assert [(i.barcode, i.status) for i in laskar.items] == [
        ("LP-001", ItemStatus.AVAILABLE),
        ("LP-002", ItemStatus.ON_LOAN),
        ("LP-003", ItemStatus.REFERENCE),
    ]
    assert laskar.items[0].call_number == "813 HIR l"
    assert laskar.items[0].location == "Rak Sastra"
    assert (journal.issns, journal.isbns, journal.material_type) == (
        ["2086-6151"],
        [],
        MaterialType.SERIAL,
    )
    assert journal.items[0].status == ItemStatus.LOST


def test_header_names_in_their_usual_spellings() -> None:
    assert map_header(["Judul Buku", "Pengarang", "tahun_terbit", "PublishYear"]) == {
        "title": 0,
        "authors": 1,
        "year": 3,
    }  # both name the year; SLiMS's own name ranks first
    assert map_header(["Title", "NomorBarcode", "CallNumber", "Location_Name"]) == {
        "title": 0,
        "item_code": 1,
        "call_number": 2,
        "location": 3,
    }


def test_utf8_bom_and_tabs() -> None:
    data = codecs.BOM_UTF8 + b"judul\tpengarang\ttahun\nCantik Itu Luka\tEka Kurniawan\t2002\n"
    (record,), bad = read(data)
    assert not bad and record.title == "Cantik Itu Luka" and record.year == 2002


def test_windows_1252_rows_are_read_and_the_repair_noted() -> None:
    data = "title,author,year\nCaf\u00e9 Tanah Abang,Ren\u00e9 Wellek,1990\nBuku biasa,Anon,2000\n"
    good, bad = read(data.encode("cp1252"))
    assert not bad
    assert good[0].title == "Caf\u00e9 Tanah Abang" and good[0].authors == ["Ren\u00e9 Wellek"]
    assert good[0].repairs == ["Row 2 was not valid UTF-8; it was read as Windows-1252."]
    assert good[1].repairs == []


def test_excel_unicode_text_utf16() -> None:
    data = "Judul\tPenerbit\r\nBumi Manusia\tHasta Mitra\r\n".encode("utf-16")
    (record,), bad = read(data)
    assert not bad and (record.title, record.publisher) == ("Bumi Manusia", "Hasta Mitra")


def test_carriage_return_line_ends_as_slims_can_write_them() -> None:
    data = b'"title","authors"\r"Ronggeng Dukuh Paruk","<Tohari, Ahmad>"\r"Saman","<Utami, Ayu>"'
    good, bad = read(data)
    assert not bad
    assert [(r.title, r.authors) for r in good] == [
        ("Ronggeng Dukuh Paruk", ["Tohari, Ahmad"]),
        ("Saman", ["Utami, Ayu"]),
    ]


def test_a_biblio_id_column_groups_rows_whatever_their_order() -> None:
    data = (
        b"biblio_id,title,barcode\n"
        b"7,Negeri 5 Menara,N5M-1\n"
        b"9,Ayat-Ayat Cinta,AAC-1\n"
        b"7,Negeri 5 Menara,N5M-2\n"
    )
    good, _ = read(data)
    assert [(r.local_id, [i.barcode for i in r.items]) for r in good] == [
        ("7", ["N5M-1", "N5M-2"]),
        ("9", ["AAC-1"]),
    ]


def test_bad_rows_are_reported_and_reading_goes_on() -> None:
    data = (
        "judul,pengarang,eksemplar\n"
        "Pulang,Leila S. Chudori,P-1\n"
        ",Tanpa Judul,X-1\n"
        f'"{"x" * 200_000}",Terlalu Panjang,X-2\n'
        "Amba,Laksmi Pamuntjak,A-1\n"
    ).encode()
    good, bad = read(data)
    assert [r.title for r in good] == ["Pulang", "Amba"]
    assert [p.position for p in bad] == [3, 4]
    assert "Row 3 has no title" in bad[0].reason
    assert "Row 4" in bad[1].reason


def test_a_file_without_a_title_column_is_refused_with_a_hint() -> None:
    good, bad = read(b"nama,alamat\nBudi,Jakarta\n")
    assert not good
    assert len(bad) == 1 and "judul or title" in bad[0].reason
