"""schema.org JSON-LD for the record page (search engines, and Zotero's page translators)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from simpul.catalog.exports._citation import citation

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/ld+json"
BOOKS = {"book", "ebook", "thesis"}


def data(view: ClusterView, url: str = "") -> dict[str, Any]:
    c = citation(view, url)
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Book" if c.material_type in BOOKS else "CreativeWork",
        "name": c.title,
    }
    if url:
        found["@id"] = url
        found["url"] = url
    optional: dict[str, Any] = {
        "alternativeHeadline": c.subtitle,
        "author": [{"@type": "Person", "name": a} for a in c.authors],
        "publisher": {"@type": "Organization", "name": c.publisher} if c.publisher else None,
        "locationCreated": c.place,
        "datePublished": str(c.year) if c.year else "",
        "inLanguage": c.languages[0] if len(c.languages) == 1 else c.languages,
        "bookEdition": c.edition if found["@type"] == "Book" else "",
        "isbn": (c.isbns[0] if len(c.isbns) == 1 else c.isbns) if found["@type"] == "Book" else "",
        "numberOfPages": int(c.pages) if c.pages and found["@type"] == "Book" else None,
        "about": c.subjects,
        "description": c.summary,
        # The uniform title (MARC 240): the work this edition, often a translation, realises.
        "exampleOfWork": {"@type": "CreativeWork", "name": view.uniform_title}
        if view.uniform_title
        else None,
    }
    found.update({key: value for key, value in optional.items() if value})
    return found


def script_text(view: ClusterView, url: str = "") -> str:
    """The JSON for a <script type="application/ld+json">, safe to place inside HTML."""
    text = json.dumps(data(view, url), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
