"""Values that several readers take from the same kind of field, with the same repairs:
a library system's one "ISBN/ISSN" field, and languages given by name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from simpul.catalog.isbn import extract_isbns, looks_like_isbn, normalise_issn
from simpul.catalog.readers._text import names_no_language, normalise_language, squash


def isbns_or_issn(text: str, repairs: list[str]) -> tuple[list[str], list[str]]:
    """The ISBNs, or else the ISSN, in the one field SLiMS and spreadsheets keep for both;
    an ISBN with a wrong check digit is left out and said."""
    isbns = extract_isbns(text)
    if not text or isbns:
        return isbns, []
    if issn := normalise_issn(text):
        return [], [issn]
    if looks_like_isbn(text):
        repairs.append(
            _("ISBN %(isbn)s has a wrong check digit and was left out.") % {"isbn": text}
        )
    return [], []


def languages_named(names: list[str], repairs: list[str]) -> list[str]:
    """MARC codes of languages given by code or name; a name Simpul cannot read is left out
    and said, a placeholder ("-", "lainnya") silently."""
    codes: list[str] = []
    for name in names:
        if code := normalise_language(name):
            codes.append(code)
        elif not names_no_language(name):
            repairs.append(
                _("Language “%(language)s” is not a language Simpul knows; it was left out.")
                % {"language": squash(name)}
            )
    return codes
