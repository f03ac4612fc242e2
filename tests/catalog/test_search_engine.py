"""The search index on a small known catalogue, in a temporary folder (no database)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from simpul.catalog.bibliographic import BibRecord, Item, ItemStatus, SourceFormat
from simpul.catalog.search import (
    SearchDocument,
    SearchIndex,
    SearchIndexError,
    SearchQuery,
    Sort,
    WriterBusy,
)

CATALOGUE = [
    SearchDocument(
        1,
        "Pengantar Ilmu Perpustakaan",
        authors=["Sulistyo-Basuki"],
        subjects=["Perpustakaan", "Ilmu informasi"],
        publisher="Gramedia Pustaka Utama",
        isbns=["9789794030677"],
        year=1991,
        languages=["ind"],
        library_codes=["ALPHA", "BETA"],
        available_library_codes=["ALPHA"],
    ),
    SearchDocument(
        2,
        "Manajemen Kepustakaan Sekolah",
        authors=["Gunawan, Budi"],
        subjects=["Perpustakaan sekolah"],
        year=2005,
        languages=["ind"],
        library_codes=["BETA"],
    ),
    SearchDocument(
        3,
        "Libraries in the Digital Age",
        authors=["Smith, John"],
        subjects=["Libraries", "Digital libraries"],
        series=["Library Science Text Series"],
        year=2015,
        languages=["eng"],
        material_type="ebook",
        library_codes=["GAMMA"],
        available_library_codes=["GAMMA"],
    ),
    SearchDocument(
        4,
        "Menjadi Pustakawan Profesional",
        authors=["Hidayat, Rahmat"],
        subjects=["Pustakawan"],
        year=2020,
        languages=["ind"],
        library_codes=["ALPHA"],
        available_library_codes=["ALPHA"],
    ),
    SearchDocument(
        5,
        "Sejarah Pendidikan di Indonesia",
        authors=["Santoso, Agus"],
        subjects=["Pendidikan -- Indonesia -- Sejarah"],
        year=1985,
        languages=["ind"],
        library_codes=["ALPHA", "GAMMA"],
    ),
    SearchDocument(
        6,
        "A History of Library Education",
        subtitle="teaching librarianship",
        authors=["Brown, Mary"],
        subjects=["Library education"],
        year=2010,
        languages=["eng"],
        material_type="thesis",
        library_codes=["BETA", "GAMMA"],
        available_library_codes=["BETA"],
    ),
    SearchDocument(
        7,
        "Jurnal Pustaka",
        issns=["0317-8471"],
        subjects=["Perpustakaan"],
        languages=["ind", "eng"],
        material_type="serial",
        library_codes=["ALPHA"],
    ),
]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search_index = SearchIndex(tmp_path / "index", lock_timeout=0.2)
    search_index.add_or_replace(CATALOGUE)
    search_index.commit()
    yield search_index
    search_index.close()


def ids(index: SearchIndex, text: str, **options: object) -> list[int]:
    result = index.search(SearchQuery(text=text, page_size=100, **options))  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [hit.cluster_id for hit in result.hits]


# --- language ------------------------------------------------------------------------------


def test_perpustakaan_finds_the_pustaka_family_exact_word_first(index: SearchIndex) -> None:
    found = ids(index, "perpustakaan")
    assert set(found) == {1, 2, 4, 7}  # perpustakaan, kepustakaan, pustakawan, pustaka
    assert found[0] == 1  # the exact word, in the title, first


def test_pustakawan_finds_the_family_with_librarians_first(index: SearchIndex) -> None:
    found = ids(index, "pustakawan")
    assert found[0] == 4
    assert set(found) == {1, 2, 4, 7}


def test_english_stemming(index: SearchIndex) -> None:
    assert set(ids(index, "library")) == {3, 6}  # libraries, library
    assert ids(index, "teach") == [6]  # teaching
    assert set(ids(index, "libraries")) == {3, 6}


def test_indonesian_stemming(index: SearchIndex) -> None:
    assert ids(index, "mendidik") == [5]  # pendidikan


def test_diacritics_and_case_do_not_matter(index: SearchIndex) -> None:
    assert ids(index, "SÉJARAH") == [5]


def test_keywords_cover_author_publisher_series_and_numbers(index: SearchIndex) -> None:
    assert ids(index, "basuki") == [1]
    assert ids(index, "gramedia") == [1]
    assert ids(index, "science text") == [3]
    assert ids(index, "9789794030677") == [1]
    assert ids(index, "978-979-403-067-7") == [1]
    assert ids(index, "0317-8471") == [7]


# --- query language ------------------------------------------------------------------------


def test_phrase(index: SearchIndex) -> None:
    assert ids(index, '"ilmu perpustakaan"') == [1]
    assert ids(index, '"perpustakaan ilmu"') == []
    assert ids(index, '"sejarah pendidikan di indonesia"') == [5]  # stop words count in phrases


def test_phrase_does_not_run_across_two_authors(index: SearchIndex) -> None:
    index.add_or_replace([SearchDocument(50, "Dua Pengarang", authors=["Ani Santoso", "Budi"])])
    index.commit()
    assert ids(index, '"santoso budi"') == []
    assert ids(index, '"ani santoso"') == [50]


def test_boolean_operators_in_both_languages(index: SearchIndex) -> None:
    assert set(ids(index, "perpustakaan NOT sekolah")) == {1, 4, 7}
    assert set(ids(index, "perpustakaan BUKAN sekolah")) == {1, 4, 7}
    assert set(ids(index, "sejarah OR digital")) == {3, 5}
    assert set(ids(index, "sejarah ATAU digital")) == {3, 5}
    assert set(ids(index, "pustaka AND sekolah")) == {2}
    assert set(ids(index, "pustaka DAN sekolah")) == {2}
    assert set(ids(index, "(sejarah OR digital) -libraries")) == {5}
    assert set(ids(index, "NOT perpustakaan")) == {3, 5, 6}


def test_stop_words_are_optional(index: SearchIndex) -> None:
    assert ids(index, "sejarah dan pendidikan") == [5]  # no "dan" in that title
    assert ids(index, "history of library education") == [6]


def test_fielded_search(index: SearchIndex) -> None:
    found = ids(index, "title:kepustakaan")  # stemmed in titles; the exact title word first
    assert found[0] == 2
    assert set(found) == {1, 2, 4, 7}
    assert ids(index, 'judul:"ilmu perpustakaan"') == [1]
    assert ids(index, "author:gunawan") == [2]
    assert ids(index, "pengarang:santoso") == [5]
    assert ids(index, "author:perpustakaan") == []
    assert set(ids(index, "subject:libraries")) == {3, 6}
    assert ids(index, 'subject:"digital libraries"') == [3]
    assert ids(index, "isbn:9789794030677") == [1]
    assert ids(index, "issn:03178471") == [7]
    assert set(ids(index, "language:eng")) == {3, 6, 7}
    assert set(ids(index, "bahasa:inggris")) == {3, 6, 7}
    assert ids(index, "format:skripsi") == [6]
    assert set(ids(index, "library:gamma")) == {3, 5, 6}
    assert set(ids(index, "perpustakaan:ALPHA pustaka")) == {1, 4, 7}


def test_year_range(index: SearchIndex) -> None:
    assert set(ids(index, "year:2000-2015")) == {2, 3, 6}
    assert set(ids(index, "tahun:>=2010")) == {3, 4, 6}
    assert set(ids(index, "tahun:<1990")) == {5}
    assert set(ids(index, "", year_from=2010, year_to=2020)) == {3, 4, 6}
    result = index.search(SearchQuery("year:kemarin"))
    assert result.warnings  # ignored, with a word about it


def test_prefix(index: SearchIndex) -> None:
    assert set(ids(index, "pustak*")) == {1, 4, 7}  # 1: published by Gramedia Pustaka Utama
    assert set(ids(index, "title:perpus*")) == {1}


# --- filters and facets --------------------------------------------------------------------


def test_facet_counts_on_everything(index: SearchIndex) -> None:
    result = index.search(SearchQuery())
    assert result.total == 7
    facets = result.facets
    assert facets["library"] == [("ALPHA", 4), ("BETA", 3), ("GAMMA", 3)]
    assert dict(facets["format"]) == {"book": 4, "ebook": 1, "thesis": 1, "serial": 1}
    assert dict(facets["language"]) == {"ind": 5, "eng": 3}
    assert dict(facets["availability"]) == {"available": 4, "unavailable": 3}
    assert facets["year"] == [
        ("1970-1989", 1),
        ("1990-1999", 1),
        ("2000-2009", 1),
        ("2010-2019", 2),
        ("2020-", 1),
    ]
    assert facets["subject"][0] == ("Perpustakaan", 2)
    assert len(facets["subject"]) == 8


def test_facet_counts_follow_the_query_and_filters(index: SearchIndex) -> None:
    result = index.search(SearchQuery("perpustakaan", libraries=["ALPHA"]))
    assert result.total == 3
    assert dict(result.facets["library"]) == {"ALPHA": 3, "BETA": 1}
    assert dict(result.facets["language"]) == {"ind": 3, "eng": 1}
    assert dict(result.facets["format"]) == {"book": 2, "serial": 1}


def test_filters(index: SearchIndex) -> None:
    assert set(ids(index, "", formats=["ebook", "thesis"])) == {3, 6}
    assert set(ids(index, "", languages=["eng"], libraries=["GAMMA"])) == {3, 6}
    assert set(ids(index, "", subjects=["Perpustakaan"])) == {1, 7}
    assert set(ids(index, "", available_only=True)) == {1, 3, 4, 6}
    assert set(ids(index, "", available_at=["alpha"])) == {1, 4}
    assert ids(index, "perpustakaan", libraries=["GAMMA"]) == []


# --- order and pages -----------------------------------------------------------------------


def test_sort_by_year_and_title(index: SearchIndex) -> None:
    assert ids(index, "", sort=Sort.YEAR_DESC) == [4, 3, 6, 2, 1, 5, 7]  # no year: last
    assert ids(index, "", sort=Sort.YEAR_ASC) == [5, 1, 2, 6, 3, 4, 7]
    # "A History..." sorts under H; "The/A/An" are not sort words.
    assert ids(index, "", sort=Sort.TITLE) == [6, 7, 3, 2, 4, 1, 5]
    result = index.search(SearchQuery("", sort=Sort.TITLE))
    assert all(hit.score == 0.0 for hit in result.hits)


def test_pagination(index: SearchIndex) -> None:
    pages = [
        index.search(SearchQuery("", sort=Sort.YEAR_ASC, page=page, page_size=3))
        for page in (1, 2, 3)
    ]
    assert [[h.cluster_id for h in p.hits] for p in pages] == [[5, 1, 2], [6, 3, 4], [7]]
    assert all(p.total == 7 for p in pages)
    assert index.search(SearchQuery("", page=99, page_size=3)).hits == []
    deep = index.search(SearchQuery("", page=100_000, page_size=50))
    assert deep.warnings and deep.total == 7


def test_total_without_facets(index: SearchIndex) -> None:
    result = index.search(SearchQuery("perpustakaan", facets=False, page_size=1))
    assert result.total == 4
    assert len(result.hits) == 1
    assert result.facets == {}


# --- suggestions ---------------------------------------------------------------------------


def test_autocomplete(index: SearchIndex) -> None:
    assert "perpustakaan" in index.suggest("perpus")
    assert index.suggest("ilmu pe") == ["ilmu pengantar", "ilmu perpustakaan"]
    assert index.suggest("sejarah pe") == ["sejarah pendidikan"]
    assert index.suggest("") == []
    assert index.suggest("x") == []


def test_spelling_suggestion_when_nothing_matches(index: SearchIndex) -> None:
    result = index.search(SearchQuery("perpustakan"))
    assert result.total == 0
    assert result.spelling == ["perpustakaan"]
    assert index.spelling_suggestions("Sejarh Pendidkan") == ["Sejarah Pendidikan"]
    assert index.spelling_suggestions("librarys")[0] in {"library", "libraries"}
    assert index.spelling_suggestions("sejarah") == []  # found: nothing to suggest


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"ilmu perpustakaan',
        "(perpustakaan OR sekolah",
        "perpustakaan)",
        "perpustakaan AND",
        "title:",
        "(" * 500,
        "pustaka " * 3000,
        '"' * 7,
        "\x00\x01 perpustakaan",
        "year:99999999999999999999",
        "isbn:",
        "*",
    ],
)
def test_bad_strings_never_raise(index: SearchIndex, text: str) -> None:
    result = index.search(SearchQuery(text))
    assert result.total >= 0


def test_a_broken_query_becomes_a_keyword_search_with_a_warning(index: SearchIndex) -> None:
    with translation.override("en"):
        result = index.search(SearchQuery('"ilmu perpustakaan'))
    assert [h.cluster_id for h in result.hits] == [1]
    assert result.warnings == [
        "A quotation mark was not closed, so the search used the words alone."
    ]


# --- changes -------------------------------------------------------------------------------


def test_the_same_cluster_twice_in_one_call_keeps_the_last(index: SearchIndex) -> None:
    index.add_or_replace([SearchDocument(9, "Versi Lama"), SearchDocument(9, "Versi Baru")])
    index.commit()
    assert ids(index, "versi") == [9]
    assert ids(index, "lama") == []


def test_replace_and_delete(index: SearchIndex) -> None:
    index.add_or_replace([SearchDocument(5, "Sejarah Pertanian", year=1999)])
    index.commit()
    assert ids(index, "pendidikan") == []
    assert ids(index, "pertanian") == [5]
    assert index.num_docs == 7
    index.delete([5, 6, 404])
    index.commit()
    assert ids(index, "pertanian") == []
    assert index.num_docs == 5


def test_changes_are_invisible_until_commit_and_rollback_drops_them(index: SearchIndex) -> None:
    index.delete([1])
    assert 1 in ids(index, "perpustakaan")
    index.rollback()
    assert not index.writing
    assert 1 in ids(index, "perpustakaan")


def test_clear_and_rebuild(index: SearchIndex) -> None:
    index.clear()
    index.add_new(CATALOGUE[:2])
    index.commit()
    assert index.num_docs == 2


def test_reopening_keeps_the_index(index: SearchIndex, tmp_path: Path) -> None:
    again = SearchIndex(tmp_path / "index")
    assert again.num_docs == 7
    assert ids(again, "perpustakaan")[0] == 1


def test_an_index_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "simpul-schema.json").write_text('{"version": 0}')
    with pytest.raises(SearchIndexError, match="reindex"):
        SearchIndex(folder)


# --- one writer at a time ------------------------------------------------------------------


def test_a_second_writer_fails_clearly(index: SearchIndex, tmp_path: Path) -> None:
    other = SearchIndex(tmp_path / "index", lock_timeout=0.2)
    index.delete([7])  # the first writer holds the lock until it commits
    started = time.monotonic()
    with pytest.raises(WriterBusy, match="Only one indexer"):
        other.add_or_replace([SearchDocument(8, "Buku Lain")])
    assert time.monotonic() - started >= 0.2
    index.commit()
    other.add_or_replace([SearchDocument(8, "Buku Lain")])  # now it may
    other.commit()
    index.reload()
    assert index.num_docs == 7


def test_a_second_writer_waits_for_the_first(index: SearchIndex, tmp_path: Path) -> None:
    other = SearchIndex(tmp_path / "index", lock_timeout=10)
    index.delete([7])
    timer = threading.Timer(0.3, index.commit)
    timer.start()
    other.add_or_replace([SearchDocument(8, "Buku Lain")])  # waits for the commit above
    other.commit()
    timer.join()
    index.reload()
    assert set(ids(index, "buku lain")) == {8}
    assert index.num_docs == 7


def _search_in_child(path: str) -> None:
    result = SearchIndex(path).search(SearchQuery("perpustakaan"))
    if result.total != 4 or not result.facets["library"]:
        raise SystemExit(1)


def test_search_works_in_a_forked_worker(index: SearchIndex) -> None:
    """Like gunicorn workers forked from a parent that has already searched."""
    index.search(SearchQuery("perpustakaan"))  # the parent's facet threads exist now
    child = multiprocessing.get_context("fork").Process(
        target=_search_in_child, args=(str(index.path),)
    )
    child.start()
    child.join(30)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0


# --- from records --------------------------------------------------------------------------


def test_a_document_from_a_clusters_records() -> None:
    first = BibRecord(
        local_id="1",
        source_format=SourceFormat.MARC21,
        raw=b"",
        title="Pengantar Ilmu Perpustakaan",
        authors=["Sulistyo-Basuki"],
        isbns=["9789794030677"],
        year=1991,
        languages=["ind"],
        items=[Item(status=ItemStatus.AVAILABLE), Item(library_code="GAMMA")],
    )
    second = BibRecord(
        local_id="x9",
        source_format=SourceFormat.MARCXML,
        raw=b"",
        title="Pengantar ilmu perpustakaan /",
        authors=["Sulistyo-Basuki", "Basuki, Sulistyo"],
        subjects=["Perpustakaan"],
    )
    doc = SearchDocument.from_records(10, [("ALPHA", first), ("BETA", second)])
    assert doc.title == "Pengantar Ilmu Perpustakaan"
    assert doc.authors == ["Sulistyo-Basuki", "Basuki, Sulistyo"]
    assert doc.library_codes == ["ALPHA", "GAMMA", "BETA"]
    assert doc.available_library_codes == ["ALPHA"]
    assert doc.subjects == ["Perpustakaan"]
    assert doc.material_type == "book"
