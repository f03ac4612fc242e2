"""ISBN, ISSN, DOI, LCCN and OCLC numbers reduced to the one form deduplication matches on."""

from __future__ import annotations

import pytest

from simpul.catalog.isbn import (
    extract_isbns,
    is_valid_isbn10,
    is_valid_isbn13,
    isbn10_to_13,
    looks_like_isbn,
    normalise_doi,
    normalise_isbn,
    normalise_issn,
    normalise_lccn,
    normalise_oclc,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # SLiMS sample data (slims9_bulian install/sampledata.sql), as typed there
        ("0764541668", "9780764541667"),
        ("0-596-00108-8", "9780596001087"),
        ("9780596009304", "9780596009304"),
        # LC 020 values with qualifiers (marc4j chabon, pymarc bad_subfield_code)
        ("0679450041 (acid-free paper)", "9780679450047"),
        ("0786816155 (pbk.)", "9780786816156"),
        ("0471383147 (paper/cd-rom : alk. paper)", "9780471383147"),
        # Indonesian prefixes, spaced and prefixed as people type them
        ("ISBN 978 602 8519 93 9", "9786028519939"),
        ("ISBN: 978-623-7338-11-6", "9786237338116"),
        ("979-10-90636-07-1", "9791090636071"),
        # X check digit in ISBN-10
        ("0-8044-2957-X", "9780804429573"),
    ],
)
def test_isbns_become_isbn13_without_hyphens(value: str, expected: str) -> None:
    assert normalise_isbn(value) == expected


def test_wrong_check_digits_are_refused_not_kept() -> None:
    assert normalise_isbn("978-0-596-00930-5") is None  # last digit should be 4
    assert normalise_isbn("0764541669") is None
    assert looks_like_isbn("978-0-596-00930-5")  # so a reader can say why it was dropped
    assert not looks_like_isbn("hdl:1765/315")


def test_several_isbns_in_one_cell() -> None:
    assert extract_isbns("9780596009304; 0-596-00108-8 (pbk.)") == [
        "9780596009304",
        "9780596001087",
    ]
    assert extract_isbns("0764541668 0764541668") == ["9780764541667"]


def test_check_digit_arithmetic() -> None:
    assert is_valid_isbn10("080442957X")
    assert not is_valid_isbn10("0804429571")
    assert is_valid_isbn13("9786028519939")
    assert not is_valid_isbn13("9776028519939")  # 977 is an ISSN prefix, not an ISBN one
    assert isbn10_to_13("0679450041") == "9780679450047"


def test_issn() -> None:
    assert normalise_issn("0028-0836") == "0028-0836"  # Nature
    assert normalise_issn("ISSN 2086 6151") == "2086-6151"
    assert normalise_issn("ISSN 2086-6152") is None  # wrong check digit
    assert normalise_issn("1410-9328 (Print)") == "1410-9328"
    assert normalise_issn("0317-847X") is None
    assert normalise_issn("0317-8471") == "0317-8471"


def test_doi_lccn_oclc() -> None:
    assert normalise_doi("https://doi.org/10.1000/XYZ123.") == "10.1000/xyz123"
    assert normalise_doi("doi:10.22146/jik.v12i1.1234") == "10.22146/jik.v12i1.1234"
    assert normalise_doi("http://hdl.handle.net/1765/315") == ""
    assert normalise_lccn("   00020737 ") == "00020737"
    assert normalise_lccn("n 78-89035") == "n78089035"
    assert normalise_lccn("2001-1114") == "2001001114"
    assert normalise_oclc("(OCoLC)ocm747947354") == "747947354"
    assert normalise_oclc("(DLC)12536505") == ""
