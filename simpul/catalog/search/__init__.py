"""Search over the union catalogue: Tantivy behind one small interface (see engine.py)."""

from simpul.catalog.search.engine import (
    FACETS,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchIndexError,
    SearchQuery,
    SearchResult,
    Sort,
    WriterBusy,
)

__all__ = [
    "FACETS",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "SearchIndexError",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "WriterBusy",
]
