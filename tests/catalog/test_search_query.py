"""The query language: what a person types becomes a tree, and bad input never raises."""

from __future__ import annotations

import pytest
from django.utils import translation

from simpul.catalog.search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    And,
    Not,
    Or,
    Phrase,
    Term,
    parse,
    year_bounds,
)


def test_words_are_and_ed() -> None:
    assert parse("sejarah pendidikan").tree == And((Term("sejarah"), Term("pendidikan")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a AND b", And((Term("a"), Term("b")))),
        ("a DAN b", And((Term("a"), Term("b")))),
        ("a OR b", Or((Term("a"), Term("b")))),
        ("a ATAU b", Or((Term("a"), Term("b")))),
        ("a NOT b", And((Term("a"), Not(Term("b"))))),
        ("a BUKAN b", And((Term("a"), Not(Term("b"))))),
        ("a -b", And((Term("a"), Not(Term("b"))))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
    ],
)
def test_operators_in_english_and_indonesian(text: str, expected: object) -> None:
    assert parse(text).tree == expected


def test_lower_case_operator_words_are_plain_words() -> None:
    assert parse("algoritma dan pemrograman").tree == And(
        (Term("algoritma"), Term("dan"), Term("pemrograman"))
    )
    assert parse("benar atau salah").tree == And((Term("benar"), Term("atau"), Term("salah")))


def test_phrases_and_fields() -> None:
    assert parse('"ilmu perpustakaan"').tree == Phrase("ilmu perpustakaan")
    assert parse('judul:"ilmu perpustakaan" pengarang:basuki').tree == And(
        (Phrase("ilmu perpustakaan", "title"), Term("basuki", "author"))
    )
    assert parse("title:(hukum OR ekonomi)").tree == Or(
        (Term("hukum", "title"), Term("ekonomi", "title"))
    )
    assert parse("isbn:978-602-8519-93-9").tree == Term("978-602-8519-93-9", "ident")
    assert parse("tahun:2010-2020").tree == Term("2010-2020", "year")
    # An unknown "field" is just text with a colon in it.
    assert parse("Islam: sejarah").tree == And((Term("Islam:"), Term("sejarah")))


def test_prefix_needs_three_letters() -> None:
    assert parse("pustak*").tree == Term("pustak", prefix=True)
    assert parse("pu*").tree == Term("pu")


@pytest.mark.parametrize(
    ("value", "bounds"),
    [
        ("2010", (2010, 2010)),
        ("2010-2020", (2010, 2020)),
        ("2020-2010", (2010, 2020)),
        ("2010..", (2010, None)),
        ("-1990", (None, 1990)),
        (">=2015", (2015, None)),
        (">2015", (2016, None)),
        ("<2000", (None, 1999)),
        ("kemarin", None),
    ],
)
def test_year_bounds(value: str, bounds: object) -> None:
    assert year_bounds(value) == bounds


@pytest.mark.parametrize(
    "text",
    [
        '"ilmu perpustakaan',
        "(sejarah OR budaya",
        "sejarah)",
        "sejarah AND",
        "OR sejarah",
        "NOT",
        "()",
        "title:",
        "(" * 200 + "a" + ")" * 200,
        "a OR OR b",
    ],
)
def test_bad_strings_degrade_to_words_with_a_warning(text: str) -> None:
    parsed = parse(text)
    assert parsed.warnings
    assert all(isinstance(w, str) and w for w in parsed.warnings)
    assert parsed.tree is None or isinstance(parsed.tree, Term | And)


def test_degraded_search_keeps_the_words() -> None:
    parsed = parse('"ilmu perpustakaan')
    assert parsed.tree == And((Term("ilmu"), Term("perpustakaan")))


def test_warnings_are_translated() -> None:
    with translation.override("en"):
        english = parse("(a").warnings[0]
    assert "parentheses" in english


def test_absurd_lengths_are_shortened() -> None:
    parsed = parse("buku " * 2000)
    assert parsed.warnings
    assert parsed.tree is not None
    assert isinstance(parsed.tree, And)
    assert len(parsed.tree.children) <= MAX_TERMS
    assert len("buku " * 2000) > MAX_QUERY_CHARS


def test_many_terms_are_capped() -> None:
    parsed = parse(" ".join(f"kata{i}" for i in range(MAX_TERMS + 10)))
    assert isinstance(parsed.tree, And)
    assert len(parsed.tree.children) == MAX_TERMS
    assert parsed.warnings


def test_empty_and_punctuation_only() -> None:
    assert parse("").tree is None
    assert parse("   ").tree is None
    assert parse("!!! ???").tree == And((Term("!!!"), Term("???")))
