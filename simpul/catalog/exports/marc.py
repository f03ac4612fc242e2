"""MARC 21 in ISO 2709 ("binary" MARC, UTF-8): the members' records of a title."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpul.catalog.exports._marc import marc_records

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/marc"


def render(view: ClusterView, url: str = "") -> bytes:
    return b"".join(record.as_marc() for record in marc_records(view.records))
