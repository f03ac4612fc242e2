"""Standard identifiers (ISBN, ISSN, DOI, LCCN, OCLC number) in the one form we match on.

Deduplication joins records on exact identifier keys, so every reader and every
later stage must reduce identifiers the same way: ISBN-13 without hyphens (an
ISBN-10 is converted), ISSN as NNNN-NNNC, DOI lower-cased without resolver
prefix, LCCN in the Library of Congress normalised form, OCLC number as digits.
Invalid check digits are refused rather than kept: a wrong ISBN would merge
unrelated books.
"""

from __future__ import annotations

import re

# A run of digits and hyphens long enough to be an ISBN, ending in a digit or X; the
# second form also allows single spaces between digit groups ("978 602 8519 93 9").
_ISBN_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9][0-9\-\u2010-\u2015]{8,15}[0-9Xx](?![0-9])")
_ISBN_SPACED = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \-]?[0-9]){8,15}(?:[ \-]?[0-9Xx])(?![0-9])")
_ISSN_CANDIDATE = re.compile(
    r"(?<![0-9])([0-9]{4})\s?[-\u2010-\u2015]?\s?([0-9]{3}[0-9Xx])(?![0-9])"
)
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|info:doi/)", re.IGNORECASE)


def isbn10_check_digit(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_isbn10(isbn: str) -> bool:
    return (
        len(isbn) == 10
        and isbn[:9].isdigit()
        and (isbn[9].isdigit() or isbn[9] == "X")
        and isbn10_check_digit(isbn[:9]) == isbn[9]
    )


def is_valid_isbn13(isbn: str) -> bool:
    return (
        len(isbn) == 13
        and isbn.isdigit()
        and isbn[:3] in ("978", "979")
        and isbn13_check_digit(isbn[:12]) == isbn[12]
    )


def isbn10_to_13(isbn10: str) -> str:
    body = "978" + isbn10[:9]
    return body + isbn13_check_digit(body)


def _compact(value: str) -> str:
    return re.sub(r"[\s\-\u2010-\u2015]", "", value).upper()


def normalise_isbn(value: str) -> str | None:
    """The ISBN-13 in `value` (hyphen-free), or None when there is no valid ISBN.

    Qualifiers such as "(pbk.)" or "hbk. : alk. paper" and prefixes such as
    "ISBN " are ignored; only the first ISBN in the value is taken.
    """
    isbns = extract_isbns(value, limit=1)
    return isbns[0] if isbns else None


def extract_isbns(value: str, limit: int = 0) -> list[str]:
    """Every valid ISBN in free text, as ISBN-13, in order, without duplicates."""
    found: list[str] = []
    for pattern in (_ISBN_CANDIDATE, _ISBN_SPACED):
        for match in pattern.finditer(value):
            isbn = _valid_isbn13(_compact(match.group(0)))
            if isbn and isbn not in found:
                found.append(isbn)
                if limit and len(found) >= limit:
                    return found
        if found:
            break
    return found


def _valid_isbn13(compact: str) -> str | None:
    if len(compact) == 13 and is_valid_isbn13(compact):
        return compact
    if len(compact) == 10 and is_valid_isbn10(compact):
        return isbn10_to_13(compact)
    return None


def looks_like_isbn(value: str) -> bool:
    """True when the value has the shape of an ISBN (10 or 13 characters), valid or not.

    Used to tell a librarian "this ISBN has a wrong check digit" instead of dropping it silently.
    """
    for pattern in (_ISBN_CANDIDATE, _ISBN_SPACED):
        for match in pattern.finditer(value):
            if len(_compact(match.group(0))) in (10, 13):
                return True
    return False


def issn_check_digit(first7: str) -> str:
    total = sum((8 - i) * int(d) for i, d in enumerate(first7))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def normalise_issn(value: str) -> str | None:
    """The first valid ISSN in `value` as NNNN-NNNC, or None."""
    for match in _ISSN_CANDIDATE.finditer(value):
        digits = (match.group(1) + match.group(2)).upper()
        if issn_check_digit(digits[:7]) == digits[7]:
            return f"{digits[:4]}-{digits[4:]}"
    return None


def normalise_doi(value: str) -> str:
    """The DOI in `value`, lower-case, without "doi:" or resolver prefix; "" when there is none."""
    text = _DOI_PREFIXES.sub("", value.strip())
    match = _DOI.search(text)
    if not match:
        return ""
    return match.group(0).rstrip(".,;)]").lower()


def normalise_lccn(value: str) -> str:
    """An LCCN in the Library of Congress normalised form (e.g. "n 78-89035" -> "n78089035")."""
    text = value.strip()
    if not text:
        return ""
    text = text.split("/")[0]
    text = re.sub(r"\s+", "", text)
    if "-" in text:
        prefix, _, suffix = text.partition("-")
        if suffix.isdigit() and len(suffix) <= 6:
            text = prefix + suffix.zfill(6)
        else:
            text = prefix + suffix
    return text.lower() if re.fullmatch(r"[a-zA-Z]{0,3}[0-9]{8,10}", text) else ""


def normalise_oclc(value: str) -> str:
    """The OCLC number in a 035 value such as "(OCoLC)ocm12345678"; "" when it is not one."""
    match = re.match(r"\s*\(OCoLC\)\s*(?:ocm|ocn|on)?\s*0*([0-9]+)\s*$", value, re.IGNORECASE)
    return match.group(1) if match else ""
