"""Text analysis for search: folding, tokens, both stemmers, identifiers."""

from __future__ import annotations

import pytest

from simpul.catalog.search import analysis


def test_folding_lowercases_and_removes_diacritics() -> None:
    assert analysis.fold("Café Ñandú Straße") == "cafe nandu strasse"
    assert analysis.tokens("Al-Qur'an dan Jum\u2019at") == ["al", "quran", "dan", "jumat"]
    assert analysis.tokens("PENGANTAR TEKNIK INFORMATIKA (Edisi 2)") == [
        "pengantar",
        "teknik",
        "informatika",
        "edisi",
        "2",
    ]


def test_absurdly_long_tokens_are_dropped() -> None:
    assert analysis.tokens("a" * 500 + " buku") == ["buku"]


@pytest.mark.parametrize(
    "word", ["perpustakaan", "kepustakaan", "pustaka", "pustakawan", "pustakawati", "berpustaka"]
)
def test_the_pustaka_family_shares_a_stem(word: str) -> None:
    assert "pustaka" in analysis.stems(word)


def test_kepustakawanan_loses_both_suffixes() -> None:
    assert "pustaka" in analysis.stems("kepustakawanan")


def test_short_words_ending_in_wan_stay_whole() -> None:
    for word in ("hewan", "kawan", "lawan"):
        assert analysis.stems(word)[0] == word


@pytest.mark.parametrize(
    ("word", "shares_with"),
    [
        ("libraries", "library"),
        ("teaching", "teach"),
        ("pendidikan", "mendidik"),
        ("membaca", "bacaan"),
        ("pemrograman", "program"),
        ("keislaman", "islam"),
    ],
)
def test_both_languages_stem(word: str, shares_with: str) -> None:
    assert set(analysis.stems(word)) & set(analysis.stems(shares_with))


def test_stop_words_are_not_stemmed_into_the_stem_field() -> None:
    assert analysis.stemmed_text(["Sejarah dan Budaya of the Islands"]).split() == [
        "sejarah",
        "budaya",
        "islands",  # the Indonesian stemmer leaves it,
        "island",  # the English one does not: both are indexed
    ]
    # ...but stay in the exact tokens, so phrases still match.
    assert "dan" in analysis.exact_text(["Sejarah dan Budaya"]).split()


def test_values_are_separated_so_phrases_stay_inside_one() -> None:
    assert analysis.exact_text(["Budi Santoso", "Ani"]) == "budi santoso | ani"


def test_isbn_and_issn_normalisation() -> None:
    assert analysis.normalise_isbn("978-602-8519-93-9") is not None
    assert analysis.normalise_isbn("0-306-40615-2") == "9780306406157"
    assert analysis.normalise_isbn("0-306-40615-3") is None
    assert analysis.normalise_issn("0317-8471") == "03178471"
    assert analysis.normalise_issn("2049-3630") == "20493630"
    assert analysis.identifier_query_tokens("0306406152") == ["9780306406157", "0306406152"]
    assert analysis.identifier_query_tokens("sejarah") == []
    # A number with a wrong check digit is indexed and found as typed.
    assert analysis.identifier_tokens(["9786021234560"], []) == ["9786021234560"]


def test_title_sort_key_drops_a_leading_article() -> None:
    assert analysis.title_sort_key("The Old Man and the Sea") == "old man and the sea"
    assert analysis.title_sort_key("") == "\uffff"
