"""New acquisitions (daftar koleksi baru): titles by the date they first appeared in the catalogue.

No table of its own: `Record.first_seen_at` is set when a member's record is first written
and kept through every later re-import or harvest (the row is updated in place). A title
(cluster) is new to the network in the month its earliest active record appeared, and new
to a library in the month that library's earliest active record of it appeared: each title's
*founding record*, ties broken by record number. Read side only; nothing here changes state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from simpul.catalog import queries as catalogue
from simpul.catalog.models import Holding, Record, RecordStatus
from simpul.catalog.search.engine import main_heading
from simpul.network.models import Library

PAGE_SIZE = 25
FEED_ENTRIES = 50
MONTHS_LISTED = 12
SUBJECTS_LISTED = 30
CHUNK = 500
SCAN_LIMIT = 20_000  # records a feed reads at most to find its latest titles


Row = tuple[int, int, int, dt.datetime]  # record pk, cluster, library, first seen


def _candidates(library: Library | None) -> QuerySet[Record, Row]:
    records = Record.objects.filter(status=RecordStatus.ACTIVE, cluster__isnull=False)
    if library is not None:
        records = records.filter(library_id=library.pk)
    return records.values_list("pk", "cluster_id", "library_id", "first_seen_at")


def founding(rows: Iterable[Row], library: Library | None) -> list[tuple[int, dt.datetime]]:
    """Of these records, the ones that brought their title into the catalogue (or into
    `library`): no earlier active record of the same title (at that library) exists.
    Returns (cluster, first seen) pairs, newest first.

    Earlier records are looked up by title (the cluster index), never by library: a
    correlated "no earlier record at this library" subquery lets SQLite pick the
    (library, status) index and scan the library's whole catalogue for every row."""
    earliest: dict[int, tuple[dt.datetime, int]] = {}
    for pk, cluster_id, _library_id, when in rows:
        if cluster_id not in earliest or (when, pk) < earliest[cluster_id]:
            earliest[cluster_id] = (when, pk)
    ids = list(earliest)
    for start in range(0, len(ids), CHUNK):
        for pk, cluster_id, library_id, when in Record.objects.filter(
            cluster_id__in=ids[start : start + CHUNK], status=RecordStatus.ACTIVE
        ).values_list("pk", "cluster_id", "library_id", "first_seen_at"):
            if library is not None and library_id != library.pk:
                continue
            if cluster_id in earliest and (when, pk) < earliest[cluster_id]:
                del earliest[cluster_id]
    found = [(cluster_id, when_pk[0], when_pk[1]) for cluster_id, when_pk in earliest.items()]
    found.sort(key=lambda item: (item[1], item[2]), reverse=True)
    return [(cluster_id, when) for cluster_id, when, _pk in found]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of a month and of the next, in the site's time zone."""
    start = dt.datetime(month.year, month.month, 1)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return timezone.make_aware(start, zone), timezone.make_aware(following, zone)


def parse_month(text: str) -> dt.date | None:
    """ "2026-11" -> 1 Nov 2026; None for anything else."""
    try:
        found = dt.datetime.strptime(text.strip()[:7], "%Y-%m").date()
    except (ValueError, AttributeError):
        return None
    return found if 1900 <= found.year <= 2999 else None


def recent_months(latest: dt.date, count: int = MONTHS_LISTED) -> list[dt.date]:
    """The `count` calendar months up to `latest` (its month included), newest first."""
    index = latest.year * 12 + latest.month - 1
    return [dt.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count)]


def subject_headings(cluster_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each title's subject main headings, from all its active records: {folded: as written}."""
    ids = list(cluster_ids)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ids), CHUNK):
        for cluster_id, subjects in Record.objects.filter(
            cluster_id__in=ids[start : start + CHUNK], status=RecordStatus.ACTIVE
        ).values_list("cluster_id", "subjects"):
            for subject in subjects or []:
                heading = main_heading(str(subject)).rstrip(" .")
                if heading:
                    found[cluster_id].setdefault(heading.casefold(), heading)
    return found


@dataclass
class NewTitle:
    hit: catalogue.Hit
    first_seen_at: dt.datetime
    subjects: list[str]
    call_numbers: list[str] = field(default_factory=list)  # at the chosen library

    @property
    def cluster_id(self) -> int:
        return int(self.hit.cluster.pk)


@dataclass
class NewTitlesPage:
    library: Library | None
    month: dt.date | None
    subject: str
    total: int
    titles: list[NewTitle]
    subjects: list[tuple[str, int]]  # facet: heading, titles of the month with it
    page: int = 1
    page_count: int = 1


def _founded_in(library: Library | None, month: dt.date) -> list[tuple[int, dt.datetime]]:
    start, end = month_bounds(month)
    return founding(
        _candidates(library).filter(first_seen_at__gte=start, first_seen_at__lt=end), library
    )


def load_titles(
    rows: list[tuple[int, dt.datetime]],
    headings: dict[int, dict[str, str]],
    library: Library | None,
) -> list[NewTitle]:
    """The titles of these (cluster, first seen) pairs, in this order, as pages show them."""
    hits = {hit.cluster.pk: hit for hit in catalogue.load_hits([pk for pk, _when in rows])}
    call_numbers: dict[int, list[str]] = defaultdict(list)
    if library is not None and hits:
        for cluster_id, number in (
            Holding.objects.filter(
                library_id=library.pk,
                record__cluster_id__in=list(hits),
                record__status=RecordStatus.ACTIVE,
            )
            .exclude(call_number="")
            .order_by("call_number")
            .values_list("record__cluster_id", "call_number")
        ):
            if number not in call_numbers[cluster_id]:
                call_numbers[cluster_id].append(number)
    return [
        NewTitle(
            hit=hits[pk],
            first_seen_at=when,
            subjects=sorted(headings.get(pk, {}).values(), key=str.casefold),
            call_numbers=call_numbers.get(pk, []),
        )
        for pk, when in rows
        if pk in hits
    ]


def new_titles(
    library: Library | None = None,
    month: dt.date | None = None,
    subject: str = "",
    page: int = 1,
    page_size: int | None = PAGE_SIZE,
) -> NewTitlesPage:
    """A month's new titles (all of them when `page_size` is None), newest first."""
    if month is None:
        month = latest_month(library) or timezone.localdate().replace(day=1)
    rows = _founded_in(library, month)
    headings = subject_headings(pk for pk, _when in rows)
    counted: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for pk, _when in rows:
        for folded, heading in headings.get(pk, {}).items():
            counted[folded] += 1
            spelled.setdefault(folded, heading)
    facet = [(spelled[k], n) for k, n in counted.most_common(SUBJECTS_LISTED)]
    wanted = main_heading(subject).rstrip(" .").casefold()
    if wanted:
        rows = [(pk, when) for pk, when in rows if wanted in headings.get(pk, {})]
    total = len(rows)
    page_count = 1
    if page_size:
        page_count = max(1, -(-total // page_size))
        page = max(1, min(page, page_count))
        rows = rows[(page - 1) * page_size : page * page_size]
    return NewTitlesPage(
        library=library,
        month=month,
        subject=subject,
        total=total,
        titles=load_titles(rows, headings, library),
        subjects=facet,
        page=page,
        page_count=page_count,
    )


def latest(
    library: Library | None = None, subject: str = "", limit: int = FEED_ENTRIES
) -> list[NewTitle]:
    """The latest new titles, newest first, for feeds (records are read newest first, a
    chunk at a time, until `limit` titles are found or `SCAN_LIMIT` records were read)."""
    wanted = main_heading(subject).rstrip(" .").casefold()
    records = _candidates(library).order_by("-first_seen_at", "-pk")
    chosen: list[tuple[int, dt.datetime]] = []
    headings: dict[int, dict[str, str]] = {}
    for offset in range(0, SCAN_LIMIT, CHUNK):
        chunk = list(records[offset : offset + CHUNK])
        new = founding(chunk, library)
        found = subject_headings(pk for pk, _when in new) if new else {}
        for pk, when in new:
            if not wanted or wanted in found.get(pk, {}):
                chosen.append((pk, when))
                headings[pk] = found.get(pk, {})
        if len(chosen) >= limit or len(chunk) < CHUNK:
            break
    return load_titles(chosen[:limit], headings, library)


def latest_month(library: Library | None = None) -> dt.date | None:
    """The month of the latest new title (of the network or a library), None when none."""
    found = latest(library, limit=1)
    if not found:
        return None
    return timezone.localtime(found[0].first_seen_at).date().replace(day=1)
