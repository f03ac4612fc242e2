"""Keep the search index in step with the catalogue.

The index is derived data. Every change to a cluster writes a `SearchChange` row in
the same transaction; this module applies that log in order, so the index can never
silently miss an import, and `rebuild_index` makes it again from the stored records.
The position reached in the log is kept beside the index, so each server node may
keep its own index by following the same log.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from simpul.catalog.bibliographic import Item, ItemStatus
from simpul.catalog.models import Cluster, Holding, Record, RecordStatus, SearchChange
from simpul.catalog.search.engine import SearchDocument, SearchIndex, WriterBusy
from simpul.catalog.services import change_log
from simpul.catalog.services.clustering import BIB_FIELDS, bib_from_row
from simpul.core import garbage

logger = logging.getLogger(__name__)

CHUNK = 2000
POSITION_FILE = "log-position.json"
_opened: dict[Path, SearchIndex] = {}
_opening = threading.Lock()
# Other apps that hold the full text of some records (the repository's PDFs) register a
# function: record ids -> {record id: text}. The text is searched, never shown.
FullTextSource = Callable[[list[int]], dict[int, str]]
_full_text_sources: list[FullTextSource] = []


def register_full_text_source(source: FullTextSource) -> None:
    if source not in _full_text_sources:
        _full_text_sources.append(source)


def _full_texts(record_ids: list[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for source in _full_text_sources:
        for record_id, text in source(record_ids).items():
            texts[record_id] = (texts.get(record_id, "") + " " + text).strip()
    return texts


def index_path() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def search_index() -> SearchIndex:
    """The index of this installation, opened once per process."""
    path = index_path()
    with _opening:
        if path not in _opened:
            _opened[path] = SearchIndex(path)
        return _opened[path]


def forget_open_indexes() -> None:
    """Close what this process opened (tests give each case its own index folder)."""
    with _opening:
        for index in _opened.values():
            index.close()
        _opened.clear()


def position() -> int:
    """How far into the change log the index has got."""
    marker = index_path() / POSITION_FILE
    if not marker.exists():
        return 0
    return int(json.loads(marker.read_text()).get("last_change", 0))


def _set_position(change_id: int) -> None:
    marker = index_path() / POSITION_FILE
    partial = marker.with_suffix(".partial")
    partial.write_text(json.dumps({"last_change": change_id}))
    partial.replace(marker)


def pending_changes() -> int:
    return SearchChange.objects.filter(pk__gt=position()).count()


def documents_for(cluster_ids: Iterable[int]) -> Iterator[SearchDocument]:
    """Search documents of these clusters, built from their active records and holdings."""
    ids = list(cluster_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        best = dict(Cluster.objects.filter(pk__in=chunk).values_list("pk", "best_record_id"))
        records: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in Record.objects.filter(cluster_id__in=chunk, status=RecordStatus.ACTIVE).values(
            "pk", "cluster_id", "library__code", "summary", *BIB_FIELDS
        ):
            records[row["cluster_id"]].append(row)
        full_texts = _full_texts([row["pk"] for rows in records.values() for row in rows])
        items: dict[int, list[Item]] = defaultdict(list)
        for record_id, code, status in Holding.objects.filter(
            record__cluster_id__in=chunk, record__status=RecordStatus.ACTIVE
        ).values_list("record_id", "library__code", "status"):
            items[record_id].append(Item(library_code=code, status=ItemStatus(status)))
        for cluster_id in chunk:
            members = sorted(
                records.get(cluster_id, []),
                key=lambda row: (row["pk"] != best.get(cluster_id), row["pk"]),
            )
            if not members:
                continue
            pairs = []
            for row in members:
                bib = bib_from_row(row)
                bib.items = items.get(row["pk"], [])
                bib.summary = row["summary"]
                pairs.append((row["library__code"], bib))
            document = SearchDocument.from_records(cluster_id, pairs)
            document.full_text = " ".join(
                full_texts[row["pk"]] for row in members if row["pk"] in full_texts
            )
            yield document


# Change-log rows applied per index commit. A big library's first import touches hundreds of
# thousands of titles; one window of all of them would overrun the database's limit on
# query parameters (32,766 on SQLite, 65,535 on PostgreSQL) and hold every document at once.
CHANGE_WINDOW = 20_000
LOOKUP_CHUNK = 500


def apply_search_changes(window: int = CHANGE_WINDOW, *, wait: float | None = None) -> int:
    """Bring the index up to the end of the change log, a window at a time; returns how many
    titles' entries were rewritten or removed.

    `wait`: at most this many seconds for writers still committing changes (see
    `change_log`), after which nothing is applied this time; None waits for them.
    """
    start = position()
    last = change_log.committed_end(wait=wait)
    if last is None:
        return 0
    index = search_index()
    applied = 0
    while start < last:
        end = min(start + window, last)
        touched = sorted(
            set(
                SearchChange.objects.filter(pk__gt=start, pk__lte=end).values_list(
                    "cluster_id", flat=True
                )
            )
        )
        alive: set[int] = set()
        for first in range(0, len(touched), LOOKUP_CHUNK):
            chunk = touched[first : first + LOOKUP_CHUNK]
            alive.update(Cluster.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        try:
            index.delete(set(touched) - alive)
            index.add_or_replace(documents_for(sorted(alive)))
            index.commit()
        except BaseException:
            index.rollback()
            raise
        _set_position(end)
        applied += len(touched)
        start = end
    return applied


def index_edit() -> None:
    """Index a librarian's change (a merge, a split) as it is made.

    If an import holds the index, its follower indexes this change with its own: the page
    does not wait for the import.
    """
    try:
        apply_search_changes()
    except WriterBusy:
        logger.info("search index busy: the change is indexed by the writer holding it")


def rebuild_index() -> int:
    """Make the index again from the stored clusters; returns how many were indexed."""
    index = search_index()
    last = change_log.committed_end()
    count = 0
    try:
        index.clear()
        ids = Cluster.objects.order_by("pk").values_list("pk", flat=True)
        with garbage.bulk_work():
            count = index.add_new(documents_for(ids.iterator(chunk_size=CHUNK)))
        index.commit()
    except BaseException:
        index.rollback()
        raise
    _set_position(last)
    return count
