"""COinS (ContextObjects in Spans, OpenURL 1.0 KEV): lets Zotero and link resolvers see a title."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from simpul.catalog.exports._citation import citation

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

BOOKS = {"book", "ebook", "thesis", "manuscript", "map", "score", "microform", "repository"}


def title_attribute(view: ClusterView, url: str = "") -> str:
    """The value of the `title` attribute of <span class="Z3988"> (escape it as any attribute)."""
    c = citation(view, url)
    pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004")]
    if c.material_type in BOOKS:
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
            ("rft.genre", "book"),
            ("rft.btitle", c.full_title),
        ]
    else:
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
            ("rft.genre", "journal" if c.material_type == "serial" else "article"),
            ("rft.jtitle" if c.material_type == "serial" else "rft.atitle", c.full_title),
        ]
    pairs += [("rft.au", a) for a in c.authors]
    pairs += [("rft.date", str(c.year) if c.year else ""), ("rft.pub", c.publisher)]
    pairs += [("rft.place", c.place), ("rft.edition", c.edition)]
    pairs += [("rft.isbn", n) for n in c.isbns] + [("rft.issn", n) for n in c.issns]
    if c.url:
        pairs.append(("rft_id", c.url))
    if c.doi:
        pairs.append(("rft_id", f"info:doi/{c.doi}"))
    return urlencode([(k, v) for k, v in pairs if v])
