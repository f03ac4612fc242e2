"""CSL-JSON, the citation data of Zotero and citeproc: a JSON array with one item."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from simpul.catalog.exports._citation import citation, split_name

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/vnd.citationstyles.csl+json"
TYPES = {
    "book": "book",
    "ebook": "book",
    "serial": "periodical",
    "article": "article-journal",
    "thesis": "thesis",
    "map": "map",
    "score": "musical_score",
    "audio": "song",
    "video": "motion_picture",
    "manuscript": "manuscript",
}


def item(view: ClusterView, url: str = "") -> dict[str, Any]:
    c = citation(view, url)
    data: dict[str, Any] = {"id": c.id, "type": TYPES.get(c.material_type, "document")}
    data["title"] = c.full_title
    authors = []
    for name in c.authors:
        family, given = split_name(name)
        authors.append({"family": family, "given": given} if family else {"literal": given})
    if authors:
        data["author"] = authors
    if c.year:
        data["issued"] = {"date-parts": [[c.year]]}
    optional = {
        "publisher": c.publisher,
        "publisher-place": c.place,
        "edition": c.edition,
        "collection-title": "; ".join(c.series),
        "ISBN": " ".join(c.isbns),
        "ISSN": " ".join(c.issns),
        "DOI": c.doi,
        "number-of-pages": c.pages,
        "language": c.languages[0] if c.languages else "",
        "keyword": ", ".join(c.subjects),
        "abstract": c.summary,
        "URL": c.url or next(iter(c.links), ""),
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def render(view: ClusterView, url: str = "") -> bytes:
    return json.dumps([item(view, url)], ensure_ascii=False, indent=2).encode("utf-8")
