"""What a cataloguer relies on: one edition from many libraries is one cluster; other
editions, volumes, translations and formats stay apart, whatever ISBN they share.

The Indonesian records here are made up in the shape of the real ones (the only real
Indonesian data, ../shared/data/indonesian, has no ISBNs, extents or edition fields).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import translation

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, MaterialType, SourceFormat

ISBN = "9786020000101"  # a made-up ISBN with a valid check digit
OTHER_ISBN = "9786020000118"


def book(**fields: object) -> BibRecord:
    """Library A's MARC record of Budiharto's Arduino book (2020)."""
    values: dict[str, object] = {
        "local_id": "a-1",
        "source_format": SourceFormat.MARC21,
        "raw": b"",
        "title": "Menguasai pemrograman Arduino dan robotik",
        "authors": ["Budiharto, Widodo"],
        "publisher": "Penerbit Andi",
        "place": "Yogyakarta",
        "year": 2020,
        "extent": "xii, 300 hlm. : ilus. ; 24 cm",
        "isbns": [ISBN],
        "languages": ["ind"],
    }
    values.update(fields)
    return BibRecord(**values)  # type: ignore[arg-type]


# Library B's flat export of the same book, as in the Politeknik UCM table.
CSV_ROW = book(
    local_id="b-77",
    source_format=SourceFormat.CSV,
    title="MENGUASAI PEMROGRAMAN ARDUINO DAN ROBOTIK",
    authors=["Prof.Dr.Ir.Widodo Budiharto"],
    publisher="Andi",
    extent="",
    isbns=[],
    languages=[],
)


def reasons(result: matching.MatchResult) -> str:
    with translation.override("en"):
        return " | ".join(result.reasons)


def test_the_same_book_from_two_libraries_is_one_manifestation() -> None:
    result = matching.compare(book(), CSV_ROW)
    assert result.same
    assert result.score > 0.99
    text = reasons(result)
    assert "same title" in text
    assert "same author: budiharto widodo" in text
    assert "same publisher: andi" in text


def test_compare_is_symmetric() -> None:
    one, two = matching.compare(book(), CSV_ROW), matching.compare(CSV_ROW, book())
    assert (one.same, one.total) == (two.same, two.total)


@pytest.mark.parametrize(
    "variant",
    [
        {"title": "Menguasai Pemrograman Arduino & Robotik"},
        {"title": "Menguasai pemrograman arduino dan robotk"},  # a typo
        {"authors": ["Budiharto, W."]},
        {"authors": ["Widodo Budiharto, S.Kom., M.Kom."]},
        {"publisher": "CV Andi Offset"},
        {"isbns": ["602000010X"]},  # the same ISBN written as ISBN-10 by a sloppy export
        {"isbns": []},
        {"year": 2021},  # copyright year in one record, printing year in the other
        {"extent": "300 halaman"},
        {"edition": "Cet. 1"},
    ],
)
def test_cataloguing_differences_do_not_split_an_edition(variant: dict[str, object]) -> None:
    assert matching.compare(book(), book(local_id="c-9", **variant)).same


def test_same_isbn_is_named_in_the_reasons() -> None:
    with translation.override("en"):
        assert f"same ISBN {ISBN}" in matching.compare(book(), book()).reasons


def test_isbn_10_and_13_give_one_key() -> None:
    assert matching.exact_keys(book(isbns=["0-596-00085-5"])) == {"isbn:9780596000851"}
    assert matching.exact_keys(book(isbns=["9780596000851"])) == {"isbn:9780596000851"}


def test_another_edition_is_kept_apart_even_with_the_same_isbn() -> None:
    second = book(edition="Ed. 2", year=2022, extent="xiv, 356 hlm.")
    result = matching.compare(book(edition="Ed. 1"), second)
    assert not result.same
    assert "different edition: 1 vs 2" in reasons(result)
    # the publisher reused the ISBN and one library left out the first edition's statement
    result = matching.compare(book(), second)
    assert not result.same
    assert "another edition" in reasons(result)


def test_different_edition_numbers_in_any_wording() -> None:
    result = matching.compare(book(edition="Edisi kedua"), book(edition="3rd ed."))
    assert not result.same
    assert "different edition: 2 vs 3" in reasons(result)


def test_a_later_printing_is_the_same_edition() -> None:
    reprint = book(edition="Cet. 3", year=2023)
    result = matching.compare(book(), reprint)
    assert result.same
    assert "explained by a later printing" in reasons(result)


def test_a_later_printing_with_its_own_isbn_is_kept_apart() -> None:
    """Many Indonesian publishers register each cetakan with a new ISBN: two ISBNs and two
    years are two publications, even when the later one says it is a reprint."""
    reprint = book(edition="Cet. 2", year=2023, isbns=[OTHER_ISBN])
    result = matching.compare(book(), reprint)
    assert not result.same
    assert "different ISBNs and year 2020 vs 2023" in reasons(result)
    assert matching.compare(book(), book(edition="Cet. 2", year=2023, isbns=[])).same


def test_years_far_apart_without_a_printing_statement_are_another_edition() -> None:
    assert not matching.compare(book(), book(year=2026)).same


def test_volumes_of_a_set_are_kept_apart_even_when_they_share_the_set_isbn() -> None:
    one = book(title="Kalkulus. Jilid 1", isbns=[ISBN, "9786020000125"])
    two = book(title="Kalkulus. Jilid 2", isbns=[OTHER_ISBN, "9786020000125"])
    result = matching.compare(one, two)
    assert not result.same
    assert "different volume: 1 vs 2" in reasons(result)
    assert not matching.compare(one, book(title="Kalkulus")).same
    assert matching.compare(one, book(title="KALKULUS | BUKU I", isbns=[])).same


def test_numbered_titles_are_different_books() -> None:
    result = matching.compare(
        book(title="Manajemen risiko 2", isbns=[]), book(title="Manajemen risiko 3", isbns=[])
    )
    assert not result.same
    assert "different numbers in the title" in reasons(result)


def test_the_paperback_isbn_in_the_hardback_record_still_matches_the_paperback() -> None:
    hardback = book(isbns=[ISBN, OTHER_ISBN])
    paperback = book(isbns=[OTHER_ISBN])
    assert matching.compare(hardback, paperback).same


def test_an_isbn_shared_by_unrelated_books_does_not_merge_them() -> None:
    other_book = book(title="Akuntansi biaya", authors=["Mulyadi"], extent="")
    result = matching.compare(book(), other_book)
    assert not result.same
    assert "different titles" in reasons(result)


def test_print_and_ebook_are_different_formats() -> None:
    ebook = book(material_type=MaterialType.EBOOK, extent="1 online resource (300 hlm.)")
    result = matching.compare(book(), ebook)
    assert not result.same
    assert "different format: book vs ebook" in reasons(result)


def test_a_translation_is_another_manifestation() -> None:
    original = book(
        title="Rich dad, poor dad",
        authors=["Kiyosaki, Robert T."],
        publisher="Warner Books",
        year=2000,
        isbns=[],
        languages=["eng"],
    )
    translated = replace(original, publisher="Gramedia Pustaka Utama", year=2007, languages=["ind"])
    result = matching.compare(original, translated)
    assert not result.same
    assert "different language: eng vs ind" in reasons(result)
    # without language codes, as in a flat export, publisher and year still tell them apart
    unlabelled = replace(translated, languages=[])
    assert not matching.compare(original, unlabelled).same
    marked = replace(original, subtitle="edisi bahasa Indonesia", languages=[])
    assert "one record describes a translation" in reasons(matching.compare(original, marked))


@pytest.mark.parametrize(
    "title",
    ["Pengantar Akuntansi", "Bahasa Indonesia", "Metodologi Penelitian", "Pendidikan Pancasila"],
)
def test_a_generic_title_by_another_author_is_another_book(title: str) -> None:
    mine = book(title=title, authors=["Sutrisno, Bambang"], publisher="Erlangga", isbns=[])
    theirs = book(title=title, authors=["Agus Santoso"], publisher="Erlangga", isbns=[])
    result = matching.compare(mine, theirs)
    assert not result.same
    assert "different authors" in reasons(result)


def test_a_generic_title_alone_is_not_enough() -> None:
    bare = book(title="Pengantar Akuntansi", authors=[], isbns=[], extent="", publisher="")
    result = matching.compare(bare, replace(bare, local_id="other"))
    assert not result.same
    assert "short title" in reasons(result)


def recording(**fields: object) -> BibRecord:
    """A sound recording catalogued without performer or composer, as many are."""
    values: dict[str, object] = {
        "title": "Defined",
        "authors": [],
        "publisher": "RCA Victor",
        "year": 2005,
        "extent": "1 sound disc",
        "isbns": [],
        "languages": ["eng"],
        "material_type": MaterialType.AUDIO,
    }
    values.update(fields)
    return book(**values)


def test_recordings_without_authors_match_on_title_label_and_year() -> None:
    theirs = recording(local_id="b-1", title="DEFINED", extent="", languages=[])
    result = matching.compare(recording(), theirs)
    assert result.same
    assert "neither record names an author" in reasons(result)
    assert not matching.compare(recording(), replace(theirs, publisher="Sony Music")).same
    assert not matching.compare(recording(), replace(theirs, publisher="", year=None)).same


def test_a_generic_book_title_without_authors_is_still_not_enough() -> None:
    bare = book(title="Pengantar Akuntansi", authors=[], isbns=[], extent="")
    result = matching.compare(bare, replace(bare, local_id="other"))
    assert not result.same
    assert "short title" in reasons(result)


def test_page_counts_eight_apart_with_another_year_are_another_edition() -> None:
    """121 and 113 pages are not one book counted twice; a year on, it is a new edition."""
    first = book(isbns=[], extent="xii, 121 hlm.", year=2019)
    later = book(local_id="b-1", isbns=[], extent="viii, 113 hal.", year=2020)
    result = matching.compare(first, later)
    assert not result.same
    assert "different number of pages" in reasons(result)
    assert matching.compare(first, replace(later, extent="123 hlm.")).same


def test_the_same_generic_title_by_the_same_author_is_one_book() -> None:
    mine = book(title="Pengantar Akuntansi", authors=["Sutrisno, Bambang"], isbns=[])
    theirs = book(title="PENGANTAR AKUNTANSI", authors=["Drs. Bambang Sutrisno, M.Si."], isbns=[])
    assert matching.compare(mine, theirs).same


def test_different_subtitles_are_different_books() -> None:
    reference = book(title="Perl", subtitle="programmer's reference", authors=["Brown, Martin C."])
    complete = book(title="Perl", subtitle="the complete reference", authors=["Brown, Martin C."])
    result = matching.compare(replace(reference, isbns=[]), replace(complete, isbns=[]))
    assert not result.same
    assert "different subtitles" in reasons(result)


def test_a_missing_subtitle_is_no_disagreement() -> None:
    full = book(subtitle="panduan praktis untuk pemula")
    assert matching.compare(full, CSV_ROW).same


def test_title_in_the_old_spelling_matches_the_new() -> None:
    new = book(title="Kamus umum bahasa Indonesia", authors=["Poerwadarminta, W. J. S."], isbns=[])
    old = replace(new, title="Kamoes oemoem bahasa Indonesia", year=2021)
    assert matching.compare(new, old).same
    assert matching.blocking_keys(new) & matching.blocking_keys(old)


def test_records_of_one_edition_share_a_blocking_key() -> None:
    typo = book(title="Menguasai pemrgraman Arduino dan robotik", isbns=[], year=2021)
    assert matching.blocking_keys(book()) & matching.blocking_keys(CSV_ROW)
    assert matching.blocking_keys(book()) & matching.blocking_keys(typo)


def test_a_typo_in_the_first_word_of_a_short_title_still_shares_a_key() -> None:
    right = book(title="Spearheads for reform", authors=["Davis, Allen Freeman"], isbns=[])
    typo = replace(right, title="Sppearheads for reform", authors=["Davis, A. F."])
    assert matching.blocking_keys(right) & matching.blocking_keys(typo) == {"z:davis:ref"}
    assert matching.compare(right, typo).same


def _energy_table(series: str | None) -> BibRecord:
    return book(
        title="Biofuels from the International Energy Statistics database shown in Barrels Per Day",
        subtitle=f"Date Type: Year; Category: Production; Series: {series}" if series else "",
        authors=["Energy Information Administration"],
        publisher="Data-Planet by Conquest Systems",
        year=2018,
        extent="",
        isbns=[],
        languages=["eng"],
    )


def test_a_record_without_its_subtitle_does_not_gather_tables_that_differ_by_it() -> None:
    biodiesel = _energy_table("Biodiesel Production")
    ethanol = _energy_table("Fuel Ethanol Production")
    bare = _energy_table(None)
    assert matching.compare(bare, biodiesel).same  # nothing in it says which table it is
    assert not matching.compare(ethanol, biodiesel).same
    # The bare record joined the biodiesel table; the ethanol table must not join them.
    result = matching.compare_to_cluster(ethanol, [biodiesel, bare])
    assert not result.same
    assert "words in one title only" in reasons(result)
    assert matching.compare_to_cluster(biodiesel, [biodiesel, bare]).same


def test_every_edition_and_volume_of_a_work_has_one_work_key() -> None:
    key = matching.work_key(book())
    assert matching.work_key(book(edition="Ed. 3", year=2024, isbns=[])) == key
    assert matching.work_key(CSV_ROW) == key
    assert matching.work_key(book(title="MENGUASAI PEMROGRAMAN ARDUINO DAN ROBOTIK EDISI 2")) == key
    assert matching.work_key(book(authors=["Santoso, Agus"])) != key


def test_a_record_does_not_join_a_cluster_holding_another_edition() -> None:
    second = book(edition="Ed. 2", isbns=[])
    third = book(edition="Ed. 3", isbns=[])
    unstated = book(edition="", isbns=[])
    assert not matching.compare_to_cluster(third, [unstated, second]).same
    assert matching.compare_to_cluster(second, [second, unstated]).same


def test_a_record_must_match_at_least_half_of_a_cluster() -> None:
    """A reprint two years on, with no statement, matches only the sparse record."""
    complete = book()
    other_complete = book(local_id="b-1", extent="300 hlm.", publisher="Andi")
    sparse = book(local_id="c-1", isbns=[], extent="", year=None, publisher="")
    later = book(local_id="d-1", isbns=[], extent="", year=2022)
    assert matching.compare(later, sparse).same
    assert not matching.compare(later, complete).same
    assert not matching.compare_to_cluster(later, [complete, other_complete, sparse]).same
    assert matching.compare_to_cluster(later, [complete, sparse]).same  # one of two: a tie
    assert matching.compare_to_cluster(sparse, [complete, other_complete, later]).same


def test_reasons_can_be_stored_and_read_back_in_another_language() -> None:
    result = matching.compare(book(), CSV_ROW)
    stored = [e.as_json() for e in result.evidence]
    with translation.override("en"):
        assert matching.describe(stored) == [str(e) for e in result.evidence]


def test_prepared_records_compare_like_raw_ones() -> None:
    prepared = matching.prepare(book())
    assert matching.compare(prepared, CSV_ROW).total == matching.compare(book(), CSV_ROW).total


def test_a_cluster_ruled_out_by_its_first_member_is_read_no_further() -> None:
    """Members are read one by one: a stored member is normalised only when a comparison
    reaches it, which is most of what placing a record in a large catalogue costs."""
    second = book(edition="Ed. 2", isbns=[])
    third = book(edition="Ed. 3", isbns=[])
    read: list[BibRecord] = []

    def members(*records: BibRecord):  # type: ignore[no-untyped-def]
        for record in records:
            read.append(record)
            yield record

    assert not matching.compare_to_cluster(third, members(second, book(), book())).same
    assert read == [second]
    read.clear()
    later = book(local_id="d-1", isbns=[], extent="", year=2022)
    sparse = book(local_id="c-1", isbns=[], extent="", year=None, publisher="")
    # Read lazily, the half-cluster rule still counts every member.
    assert not matching.compare_to_cluster(later, members(book(), book(), sparse)).same
    assert len(read) == 3


@pytest.mark.parametrize(
    ("other", "veto"),
    [
        ({"edition": "Ed. 2", "year": 2022}, "edition_and_year"),
        ({"extent": "viii, 180 hlm.", "year": 2021, "isbns": []}, "pages_and_year"),
        ({"edition": "Cet. 2", "year": 2023, "isbns": [OTHER_ISBN]}, "isbn_and_year"),
        ({"year": 2026}, "different_year"),
        ({"edition": "Ed. 2", "extent": "viii, 180 hlm.", "year": None}, "edition_and_pages"),
    ],
)
def test_another_edition_is_ruled_out_by_its_year_before_its_title_is_weighed(
    other: dict[str, object], veto: str
) -> None:
    """Most clusters sharing an author's title are its other editions; the quick veto must
    rule them out for the reason the full comparison gives, and never anything it lets
    through (a later printing, a year apart, or nothing said about the year)."""
    first = matching.features(book())
    later = matching.features(book(local_id="b-1", **other))
    quick = matching.quick_veto(first, later)
    assert quick is not None and quick.code == veto
    assert quick == matching.quick_veto(later, first)
    full = matching.compare(first, later)
    assert [e.code for e in full.evidence if e.veto] == [veto]
    for kept in ({"edition": "Cet. 3", "year": 2023}, {"year": 2021}, {"year": None}):
        similar = matching.features(book(local_id="b-2", **kept))
        assert matching.quick_veto(first, similar) is None
        assert matching.compare(first, similar).same
