"""ISSN (ISO 3297): eight characters, the last a check digit over the first seven."""

from __future__ import annotations

import re

_ISSN = re.compile(r"^(\d{7})([\dX])$")


def compact(value: str) -> str:
    """ "issn 0028-0836 " -> "00280836": prefix, spaces and hyphens (of any kind) removed."""
    text = value.strip().upper()
    text = re.sub(r"^(E-?|P-?)?ISSN[:\s]*", "", text)
    return re.sub(r"[\s\-\u2010-\u2015]", "", text)


def check_digit(first_seven: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first_seven, range(8, 1, -1), strict=True)
    )
    remainder = (11 - total % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid(value: str) -> bool:
    found = _ISSN.match(compact(value))
    return bool(found) and check_digit(found.group(1)) == found.group(2)  # type: ignore[union-attr]


def normalise(value: str) -> str:
    """ "0028-0836" for any valid spelling; ValueError when it is not a valid ISSN."""
    text = compact(value)
    if not is_valid(text):
        raise ValueError(value)
    return f"{text[:4]}-{text[4:]}"
