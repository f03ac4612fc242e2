"""RIS, the tagged format of reference managers (Zotero, Mendeley, EndNote).

Each line is a two-letter tag, two spaces, a hyphen, a space and the value (``TY  - BOOK``);
lines end in CRLF, the record starts with ``TY`` and ends with ``ER  - ``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpul.catalog.exports._citation import citation, one_line

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/x-research-info-systems"
TYPES = {
    "book": "BOOK",
    "ebook": "EBOOK",
    "serial": "JFULL",
    "article": "JOUR",
    "thesis": "THES",
    "map": "MAP",
    "score": "MUSIC",
    "audio": "SOUND",
    "video": "VIDEO",
    "manuscript": "MANSCPT",
}


def lines(view: ClusterView, url: str = "") -> list[tuple[str, str]]:
    c = citation(view, url)
    tags: list[tuple[str, str]] = [("TY", TYPES.get(c.material_type, "GEN")), ("ID", c.id)]
    tags.append(("TI", c.full_title))
    tags += [("AU", a) for a in c.authors]
    if c.year:
        tags.append(("PY", str(c.year)))
    tags += [("PB", c.publisher), ("CY", c.place), ("ET", c.edition)]
    tags += [("T3", s) for s in c.series]
    tags += [("SN", n) for n in [*c.isbns, *c.issns]]
    tags += [("DO", c.doi), ("SP", c.pages)]
    tags += [("LA", code) for code in c.languages]
    tags += [("KW", s) for s in c.subjects]
    tags.append(("AB", c.summary))
    tags += [("UR", link) for link in [c.url, *c.links]]
    tags.append(("DB", "Simpul"))
    return [(tag, one_line(value)) for tag, value in tags if value]


def render(view: ClusterView, url: str = "") -> bytes:
    text = "".join(f"{tag}  - {value}\r\n" for tag, value in lines(view, url)) + "ER  - \r\n"
    return text.encode("utf-8")
