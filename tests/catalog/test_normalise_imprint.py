"""Publishers, edition statements and pagination as local systems type them."""

from __future__ import annotations

import pytest

from simpul.catalog.normalise import (
    normalise_edition,
    normalise_publisher,
    parse_edition,
    parse_pages,
)


@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (["PT Gramedia Pustaka Utama", "Gramedia", "Pt.Gramedia Pustaka Utama", "GPU"], "gramedia"),
        (["Penerbit Andi", "Andi Offset", "ANDI", "CV Andi Offset", "Andi, Yogyakarta"], "andi"),
        (
            ["Elex Media Komputindo", "Elexmedia Komputindo", "Elexmedia", "PT Elex Media"],
            "elexmedia",
        ),
        (["Rajawali Pers", "PT RajaGrafindo Persada", "Pt.Rajagrafindo Persada"], "rajagrafindo"),
        (["Gadjah Mada University Press", "Ugm Press"], "ugm press"),
    ],
)
def test_known_publishers_have_one_name(variants: list[str], canonical: str) -> None:
    assert {normalise_publisher(v) for v in variants} == {canonical}


def test_unknown_publishers_lose_legal_forms_and_places() -> None:
    assert normalise_publisher("CV. Pustaka Setia, Bandung") == "pustaka setia"
    assert normalise_publisher("Pn.Balai Pustaka") == "balai pustaka"
    assert normalise_publisher("John Wiley & Sons, Inc.") == "wiley"


@pytest.mark.parametrize(
    ("statement", "number"),
    [
        ("Ed. 2", 2),
        ("Edisi ke-2", 2),
        ("edisi kedua", 2),
        ("2nd ed.", 2),
        ("Second edition", 2),
        ("3rd ed., rev.", 3),
        ("Edisi revisi kedua", 2),
        ("[1st ed.]", 1),
        ("2", 2),
    ],
)
def test_edition_statements_give_the_edition_number(statement: str, number: int) -> None:
    assert normalise_edition(statement) == (number, False)


def test_a_printing_is_not_a_new_edition() -> None:
    assert normalise_edition("Cet. 3") == (None, True)
    assert normalise_edition("Cetakan ke-5") == (None, True)
    assert normalise_edition("cetakan ketiga") == (None, True)
    both = parse_edition("Ed. 2, cet. 3")
    assert (both.number, both.printing) == (2, 3)
    danish = parse_edition("1. udgave, 4. oplag")
    assert (danish.number, danish.printing) == (1, 4)


def test_revised_editions_without_a_number_are_marked() -> None:
    assert parse_edition("Edisi revisi").revised
    assert parse_edition("Rev. ed.").revised
    assert not parse_edition("Cet. 2").revised


@pytest.mark.parametrize(
    ("extent", "pages"),
    [
        ("xii, 345 p. : ill. ; 24 cm", 345),
        ("345 hlm.", 345),
        ("viii, 120 hal", 120),
        ("1 online resource (345 p.)", 345),
        ("345", 345),
        ("2 v.", None),
        ("1 sound cassette", None),
        ("", None),
    ],
)
def test_page_count_from_the_extent(extent: str, pages: int | None) -> None:
    assert parse_pages(extent) == pages
