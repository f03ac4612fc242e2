"""BibTeX: one entry per title, values in braces with TeX's special characters escaped."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from simpul.catalog.exports._citation import citation

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/x-bibtex"
TYPES = {
    "book": "book",
    "ebook": "book",
    "article": "article",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
}
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def escape(value: str) -> str:
    """Text safe inside a braced BibTeX value (Unicode stays: biber and bibtex8 read it)."""
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], " ".join(value.split()))


def _name(name: str) -> str:
    # A corporate name (no comma) or one with the word "and" in it is kept whole by braces.
    if "," not in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + escape(name) + "}"
    return escape(name)


def fields(view: ClusterView, url: str = "") -> tuple[str, str, list[tuple[str, str]]]:
    """(entry type, key, [(field, escaped value)])."""
    c = citation(view, url)
    entry = TYPES.get(c.material_type, "misc")
    values: list[tuple[str, str]] = [
        ("title", escape(c.title)),
        ("subtitle", escape(c.subtitle)),
        ("author", " and ".join(_name(a) for a in c.authors)),
        ("year", str(c.year or "")),
        ("publisher" if entry != "phdthesis" else "school", escape(c.publisher)),
        ("address", escape(c.place)),
        ("edition", escape(c.edition)),
        ("series", escape("; ".join(c.series))),
        ("isbn", escape(", ".join(c.isbns))),
        ("issn", escape(", ".join(c.issns))),
        ("doi", escape(c.doi)),
        ("pagetotal", c.pages),
        ("language", escape(", ".join(c.languages))),
        ("keywords", escape(", ".join(c.subjects))),
        ("abstract", escape(c.summary)),
        ("url", escape(c.url or next(iter(c.links), ""))),
    ]
    if entry == "misc" and c.material_type:
        values.append(("howpublished", escape(c.material_type)))
    return entry, c.id.replace("-", ""), [(name, value) for name, value in values if value]


def render(view: ClusterView, url: str = "") -> bytes:
    entry, key, values = fields(view, url)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in values)
    return f"@{entry}{{{key},\n{body}\n}}\n".encode()
