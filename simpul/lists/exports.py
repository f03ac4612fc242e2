"""Whole result sets as files, streamed: every title a catalogue search found, in MARCXML,
RIS, BibTeX or CSV, read from the search engine and the database a chunk at a time.

The single-title exports of `simpul.catalog.exports` do the formatting; this module feeds
them titles in chunks of `CHUNK` (one search page and four queries per chunk), so memory
stays flat whatever the size of the result. At most `settings.EXPORT_MAX_RESULTS` titles
are written (docs/configuration.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from simpul.catalog import queries as catalogue
from simpul.catalog.exports import bibtex, marcxml, ris
from simpul.catalog.exports._citation import citation
from simpul.catalog.exports._marc import MARC_NS, marc_records
from simpul.catalog.exports.marc21slim import MARC_SCHEMA, XSI_NS
from simpul.catalog.models import Cluster, Holding, Record, RecordStatus
from simpul.catalog.search.engine import MAX_PAGE_SIZE, MAX_RESULT_WINDOW
from simpul.catalog.services.indexing import search_index

CHUNK = MAX_PAGE_SIZE
UrlFor = Callable[[int], str]


def max_results() -> int:
    """How many titles one export may hold (the engine pages no deeper than its window)."""
    return max(1, min(int(settings.EXPORT_MAX_RESULTS), MAX_RESULT_WINDOW))


def result_ids(params: catalogue.SearchParams, limit: int | None = None) -> Iterator[list[int]]:
    """The titles a search finds, in its order, a chunk at a time, up to `limit`."""
    limit = max_results() if limit is None else min(limit, max_results())
    offset = 0
    while offset < limit:
        query = params.as_query()
        query.facets = False
        query.page_size = min(CHUNK, limit - offset)
        query.offset = offset
        result = search_index().search(query)
        ids = [hit.cluster_id for hit in result.hits]
        if not ids:
            return
        yield ids
        offset += len(ids)
        if offset >= result.total:
            return


def cluster_views(cluster_ids: Sequence[int], *, with_raw: bool) -> list[catalogue.ClusterView]:
    """The titles as the record page sees them (without other editions), in three queries."""
    clusters = Cluster.objects.in_bulk(list(cluster_ids))
    records_of: dict[int, list[Record]] = {pk: [] for pk in clusters}
    records = Record.objects.filter(
        cluster_id__in=list(clusters), status=RecordStatus.ACTIVE
    ).select_related("library")
    if not with_raw:
        records = records.defer("raw")
    for record in records:
        records_of[record.cluster_id].append(record)  # type: ignore[index]
    groups: dict[int, dict[str, catalogue.LibraryHoldings]] = {pk: {} for pk in clusters}
    for pk, members in records_of.items():
        for record in members:
            groups[pk].setdefault(
                record.library.code,
                catalogue.LibraryHoldings(record.library.code, record.library.display_name, []),
            )
    for holding in (
        Holding.objects.filter(
            record__cluster_id__in=list(clusters), record__status=RecordStatus.ACTIVE
        )
        .select_related("library", "record")
        .only("location", "call_number", "status", "url", "library__code", "record__cluster_id")
        .order_by("library__code", "location", "call_number", "pk")
    ):
        group = groups[holding.record.cluster_id].get(holding.library.code)  # type: ignore[index]
        if group is not None:
            group.holdings.append(
                catalogue.HoldingRow(
                    holding.location,
                    holding.call_number,
                    holding.status,
                    catalogue.status_label(holding.status),
                    holding.url,
                )
            )
    views = []
    for pk in cluster_ids:
        cluster, members = clusters.get(pk), records_of.get(pk, [])
        if cluster is None or not members:
            continue  # left the catalogue since the index last heard of it
        members.sort(key=lambda r: (r.pk != cluster.best_record_id, r.library.code, r.pk))
        views.append(
            catalogue.ClusterView(
                cluster=cluster,
                best=members[0],
                records=members,
                holdings=sorted(groups[pk].values(), key=lambda g: g.name.casefold()),
                other_editions=[],
            )
        )
    return views


# --- formats ------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "authors",
    "year",
    "publisher",
    "place",
    "edition",
    "isbn",
    "issn",
    "doi",
    "languages",
    "subjects",
    "format",
    "libraries",
    "copies",
)


def csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


def _csv_rows(view: catalogue.ClusterView, url: str) -> str:
    c = citation(view, url)
    return csv_line(
        [
            view.cluster.pk,
            url,
            c.full_title,
            "; ".join(c.authors),
            c.year,
            c.publisher,
            c.place,
            c.edition,
            "; ".join(c.isbns),
            "; ".join(c.issns),
            c.doi,
            "; ".join(c.languages),
            "; ".join(c.subjects),
            c.material_type,
            "; ".join(view.library_codes),
            sum(len(group.holdings) for group in view.holdings),
        ]
    )


def _marcxml_rows(view: catalogue.ClusterView, url: str) -> str:
    return "".join(marcxml.record_xml(record) + "\n" for record in marc_records(view.records))


def _marcxml_head() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<collection xmlns="{MARC_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{MARC_NS} {MARC_SCHEMA}">\n'
    )


@dataclass(frozen=True)
class ResultFormat:
    key: str
    label: str | Promise
    mime: str
    extension: str
    entry: Callable[[catalogue.ClusterView, str], str]
    head: Callable[[], str] = lambda: ""
    tail: str = ""
    needs_raw: bool = False


RESULT_FORMATS: dict[str, ResultFormat] = {
    f.key: f
    for f in (
        ResultFormat(
            "marcxml",
            _("MARCXML"),
            marcxml.MIME,
            "xml",
            _marcxml_rows,
            _marcxml_head,
            "</collection>\n",
            needs_raw=True,
        ),
        ResultFormat(
            "ris",
            _("RIS (Zotero, Mendeley, EndNote)"),
            ris.MIME,
            "ris",
            lambda view, url: ris.render(view, url).decode("utf-8"),
        ),
        ResultFormat(
            "bibtex",
            _("BibTeX"),
            bibtex.MIME,
            "bib",
            lambda view, url: bibtex.render(view, url).decode("utf-8") + "\n",
        ),
        ResultFormat(
            "csv",
            _("CSV (spreadsheet)"),
            "text/csv",
            "csv",
            _csv_rows,
            lambda: "\ufeff" + csv_line(CSV_COLUMNS),
        ),
    )
}


def stream_results(
    params: catalogue.SearchParams, chosen: ResultFormat, url_for: UrlFor
) -> Iterator[bytes]:
    """The file, a chunk of titles at a time (nothing else is held in memory)."""
    yield chosen.head().encode("utf-8")
    for ids in result_ids(params):
        views = cluster_views(ids, with_raw=chosen.needs_raw)
        yield "".join(chosen.entry(view, url_for(view.cluster.pk)) for view in views).encode(
            "utf-8"
        )
    if chosen.tail:
        yield chosen.tail.encode("utf-8")
