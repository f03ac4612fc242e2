"""Keep clusters right as records arrive, change and leave: only affected clusters are touched.

A record joins the cluster of the best-scoring candidate that shares an exact or a
blocking key with it and that the matcher calls the same manifestation; a
librarian's decision (same / different) overrides the matcher and survives
re-imports because it names records by library and identifier.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from simpul.catalog import matching
from simpul.catalog.bibliographic import BibRecord, Item, MaterialType, SourceFormat
from simpul.catalog.models import (
    Cluster,
    ClusterDecision,
    Decision,
    DeletedCluster,
    Record,
    RecordKey,
    RecordStatus,
)
from simpul.catalog.normalise import normalise_title
from simpul.catalog.services import change_log, key_holders
from simpul.core.bulk import (
    insert_returning_keys,
    insert_rows,
    insert_values,
    set_column,
    update_rows,
)

MAX_MEMBERS_COMPARED = 50  # a cluster larger than this is compared through its first 50
MAX_CLUSTERS_COMPARED = 6  # candidate clusters compared with each record, likeliest first
YEARS_UNKNOWN = 10_000  # how far apart in years a record and a title count when one has none
RANKED_BY_YEAR_FROM = 2  # clusters tied at this many shared blocking keys are ranked by year
IDENTIFIER_WEIGHT = 10  # a shared identifier (ISBN, DOI ...) counts as this many blocking keys
BLOCKING_PREFIXES = ("t:", "e:", "a:", "z:")  # matching.blocking_keys; the others are identifiers
LIBRARIAN_SAME = "librarian_same"
SOURCE_PREFERENCE = {
    SourceFormat.MARC21.value: 4,
    SourceFormat.MARCXML.value: 4,
    SourceFormat.MODS.value: 3,
    SourceFormat.CSV.value: 2,
    SourceFormat.SLIMS_UCS.value: 2,
    SourceFormat.OAI_DC.value: 1,
}


# What a record says about the publication, as stored in its columns.
DESCRIPTIVE_FIELDS = (
    "title",
    "subtitle",
    "responsibility",
    "uniform_title",
    "variant_titles",
    "authors",
    "publisher",
    "place",
    "year",
    "edition",
    "extent",
    "isbns",
    "issns",
    "doi",
    "lccn",
    "oclc",
    "languages",
    "material_type",
    "subjects",
    "series",
)
BIB_FIELDS = ("local_id", "source_format", *DESCRIPTIVE_FIELDS)


def bib_from_row(row: Mapping[str, Any]) -> BibRecord:
    """The matcher's view of a stored record's columns (holdings are not needed to compare)."""
    return BibRecord(
        local_id=row["local_id"],
        source_format=SourceFormat(row["source_format"]),
        raw=b"",
        title=row["title"],
        subtitle=row["subtitle"],
        responsibility=row["responsibility"],
        uniform_title=row.get("uniform_title", ""),  # not in rows of migrations before them
        variant_titles=list(row.get("variant_titles", [])),
        authors=list(row["authors"]),
        publisher=row["publisher"],
        place=row["place"],
        year=row["year"],
        edition=row["edition"],
        extent=row["extent"],
        isbns=list(row["isbns"]),
        issns=list(row["issns"]),
        doi=row["doi"],
        lccn=row["lccn"],
        oclc=row["oclc"],
        languages=list(row["languages"]),
        material_type=MaterialType(row["material_type"]),
        subjects=list(row["subjects"]),
        series=list(row["series"]),
        items=[Item()],
    )


def record_to_bib(record: Record) -> BibRecord:
    return bib_from_row(vars(record))


# Prepared (normalised) records, by record and raw-record hash: a record compared in
# many batches of a large import is normalised once. Bounded, so memory stays flat.
_PREPARED: OrderedDict[tuple[int, str], matching.Features] = OrderedDict()
PREPARED_KEPT = 25_000  # some 250 MB: a Features holds several sets of trigrams


def prepared(record: Record) -> matching.Features:
    """The matcher's normalised view of a stored record, remembered while it is in use."""
    key = (record.pk, record.raw_hash)
    found = _PREPARED.get(key)
    if found is not None:
        _PREPARED.move_to_end(key)
        return found
    return _remember(key, matching.features(record_to_bib(record)))


def remember_prepared(record: Record, features: matching.Features) -> None:
    """Remember a record just written with the features its reader already prepared."""
    _remember((record.pk, record.raw_hash), features)


def forget_prepared() -> None:
    """Drop the prepared records kept in memory, so the next comparisons read what is stored."""
    _PREPARED.clear()


def _remember(key: tuple[int, str], features: matching.Features) -> matching.Features:
    _PREPARED[key] = features
    if len(_PREPARED) > PREPARED_KEPT:
        _PREPARED.popitem(last=False)
    return features


class Candidates:
    """Prepared stored records by primary key, each made ready only when asked for: most
    candidate clusters are ruled out by their first member. A record's stored form
    (`matching.stored_form`) is decoded; one without a current form is normalised from
    its columns, and the form made then is kept to be written back (`refreshed`)."""

    def __init__(self) -> None:
        self._ready: dict[int, matching.Features] = {}
        self._stored: dict[int, tuple[str, bytes | dict[str, Any]]] = {}
        self.refreshed: dict[int, bytes] = {}

    def __getitem__(self, pk: int) -> matching.Features:
        found = self._ready.get(pk)
        if found is not None:
            return found
        hash_, stored = self._stored.pop(pk)
        if isinstance(stored, bytes):
            found = matching.from_stored_form(stored)
        if found is None:
            assert isinstance(stored, dict)
            found = matching.features(bib_from_row(stored))
            self.refreshed[pk] = matching.stored_form(found)
        self._ready[pk] = _remember((pk, hash_), found)
        return found

    def __setitem__(self, pk: int, features: matching.Features) -> None:
        self._stored.pop(pk, None)
        self._ready[pk] = features

    def add_stored(self, pk: int, raw_hash: str, stored: bytes | dict[str, Any]) -> None:
        """A stored record's current form, or its columns (`BIB_FIELDS`) when it has none."""
        self._stored[pk] = (raw_hash, stored)


def prepared_by_key(wanted: Iterable[tuple[int, str]]) -> Candidates:
    """Prepared records by primary key; those not remembered are read in one query each 500
    (the stored form, or the columns as plain values where the form is missing or stale)."""
    found = Candidates()
    missing: dict[int, str] = {}
    for key in wanted:
        features = _PREPARED.get(key)
        if features is None:
            missing[key[0]] = key[1]
        else:
            _PREPARED.move_to_end(key)
            found[key[0]] = features
    pks = list(missing)
    for start in range(0, len(pks), 500):
        stale = []
        for pk, form in Record.objects.filter(pk__in=pks[start : start + 500]).values_list(
            "pk", "match_form"
        ):
            form = bytes(form)  # PostgreSQL returns a memoryview
            if form.startswith(matching.FORM_TAG):
                found.add_stored(pk, missing[pk], form)
            else:
                stale.append(pk)
        for row in Record.objects.filter(pk__in=stale).values("pk", *BIB_FIELDS):
            found.add_stored(row["pk"], missing[row["pk"]], row)
    return found


def store_refreshed_forms(candidates: Candidates) -> None:
    """Write back the forms made for records that had none (after an upgrade): the record
    itself did not change, so its datestamp stays."""
    set_column(Record, "match_form", candidates.refreshed.items())
    candidates.refreshed.clear()


Pair = tuple[int, str]  # (library id, local id)


class Member(NamedTuple):
    """A clustered record as the matcher needs it: which it is and whose."""

    pk: int
    library_id: int
    local_id: str


def _decisions_for(records: Iterable[Record | Member]) -> dict[Pair, dict[Pair, str]]:
    """Librarians' decisions involving these records, both ways round."""
    found: dict[Pair, dict[Pair, str]] = defaultdict(dict)
    if not ClusterDecision.objects.exists():
        return found
    names = {(r.library_id, r.local_id) for r in records}
    local_ids = sorted({local_id for _library, local_id in names})
    for start in range(0, len(local_ids), 400):
        chunk = local_ids[start : start + 400]
        for decision in ClusterDecision.objects.filter(
            Q(local_id_a__in=chunk) | Q(local_id_b__in=chunk)
        ):
            a = (decision.library_a_id, decision.local_id_a)
            b = (decision.library_b_id, decision.local_id_b)
            if a in names or b in names:
                found[a][b] = decision.decision
                found[b][a] = decision.decision
    return found


@transaction.atomic
def recluster(
    records: list[Record],
    holding_counts: Mapping[int, int] | None = None,
    *,
    readings: Mapping[int, key_holders.HoldersRead] | None = None,
    written: key_holders.WrittenSince | None = None,
) -> set[int]:
    """Detach the records, then place each active one; returns the clusters that changed.

    Records not yet stored (`_state.adding`, with keys from `bulk.reserve_keys`) are
    written here, once placed, so that a new record is written once, with its title.
    `holding_counts`: copies by record, when the caller has just written them; otherwise
    they are counted in the database for the titles this batch creates. `readings`: the
    holders of records' keys read ahead (by record), brought up to date by `written`,
    which learns what this batch adds."""
    if not records:
        return set()
    stored = [r for r in records if not r._state.adding]
    ids = [r.pk for r in stored]
    touched: set[int] = {r.cluster_id for r in stored if r.cluster_id}
    if ids:
        Record.objects.filter(pk__in=ids).update(cluster=None, match_reasons=[])
        RecordKey.objects.filter(record_id__in=ids).delete()
    for record in records:
        record.cluster_id = None
    active = [r for r in records if r.status == RecordStatus.ACTIVE]
    bibs = {r.pk: prepared(r) for r in active}
    keys = {r.pk: key_holders.record_keys(bibs[r.pk]) for r in active}
    all_keys = set().union(*keys.values()) if keys else set()
    # The clusters holding each key, once for the batch: taken from what the reading
    # process read ahead where that is exact (not once this batch's stored records lost
    # their keys above), read here otherwise. Only active records have keys, and the
    # batch's own are written once it is placed.
    holders: defaultdict[str, set[int]] = defaultdict(set)
    if written is not None and readings and not stored:
        holders.update(written.holders(readings[r.pk] for r in active if r.pk in readings))
    holders.update(key_holders.holders_of(key for key in all_keys if key not in holders))
    # Only the likeliest clusters of each record are compared (a common title such as
    # "Pengantar Ilmu Hukum" is shared by hundreds of works); their members are loaded
    # once for the batch, since a record must fit every member of the cluster it joins.
    shared = {r.pk: _shared_keys(keys[r.pk], holders) for r in active}
    cuts = {pk: _cut(weights) for pk, weights in shared.items()}
    years = _cluster_years(
        {c for pk, weights in shared.items() for c in _contested(weights, cuts[pk])}
    )
    likeliest = {
        r.pk: _likeliest(shared[r.pk], cuts[r.pk], _closeness(r.year, years)) for r in active
    }
    wanted: set[int] = set().union(*likeliest.values())
    # A librarian's "same edition" holds even when the records share no key at all.
    kept_with = _clusters_kept_with(active)
    for found in kept_with.values():
        wanted.update(found)
    members: dict[int, list[Member]] = defaultdict(list)
    hashes: dict[int, str] = {}
    wanted_list = sorted(wanted)
    excluded = set(ids)
    for start in range(0, len(wanted_list), 500):
        for pk, cluster_id, library_id, local_id, hash_ in (
            Record.objects.filter(
                cluster_id__in=wanted_list[start : start + 500], status=RecordStatus.ACTIVE
            )
            .order_by("pk")
            .values_list("pk", "cluster_id", "library_id", "local_id", "raw_hash")
        ):
            if pk not in excluded and len(members[cluster_id]) < MAX_MEMBERS_COMPARED:
                members[cluster_id].append(Member(pk, library_id, local_id))
                hashes[pk] = hash_
    member_bibs = prepared_by_key(hashes.items())
    decisions = _decisions_for([*active, *(m for group in members.values() for m in group)])
    new_clusters: dict[int, str] = {}  # stand-in number: title
    added: dict[str, list[int]] = defaultdict(list)  # holders gained from this batch
    for record in active:
        # Weighed again only if the batch's earlier records have added holders of its keys.
        weights, grown = shared[record.pk], False
        for key in keys[record.pk]:
            for cluster_id in added.get(key, ()):
                weights[cluster_id] += _weight(key)
                grown = True
        near = (
            _likeliest(weights, _cut(weights), _closeness(record.year, years))
            if grown
            else likeliest[record.pk]
        )
        near |= kept_with.get(record.pk, set())
        chosen, reasons = _choose_cluster(
            record, bibs[record.pk], near, members, member_bibs, decisions
        )
        if chosen is None:
            # A new cluster gets a stand-in number now and its row with the others below.
            cluster_id = -1 - len(new_clusters)
            new_clusters[cluster_id] = record.title[:1000]
            years[cluster_id] = record.year
        else:
            cluster_id = chosen
        record.cluster_id = cluster_id
        record.match_reasons = reasons
        touched.add(cluster_id)
        # Later records of the same batch may match this one.
        members[cluster_id].append(Member(record.pk, record.library_id, record.local_id))
        member_bibs[record.pk] = bibs[record.pk]
        for key in keys[record.pk]:
            if cluster_id not in holders[key]:
                holders[key].add(cluster_id)
                added[key].append(cluster_id)
    created = _create_clusters(new_clusters, active, bibs, holding_counts)
    for record in active:
        if record.cluster_id in created:
            record.cluster_id = created[record.cluster_id]
    update_rows(Record, [r for r in active if not r._state.adding], ["cluster", "match_reasons"])
    unsaved = [r for r in records if r._state.adding]
    if written is not None:
        first = min((r.pk for r in unsaved), default=None)
        gained = None if stored else {k: [created.get(c, c) for c in v] for k, v in added.items()}
        transaction.on_commit(lambda: written.batch_written(first, gained))
    insert_rows(Record, unsaved, with_keys=True)
    for record in unsaved:
        record._state.adding = False
    store_refreshed_forms(member_bibs)
    insert_values(
        RecordKey,
        ["record_id", "key", "cluster_id"],
        [(r.pk, key, r.cluster_id) for r in active for key in keys[r.pk]],
    )
    refresh_clusters(pk for pk in touched if pk not in created)
    change_log.record_changes(created.values())
    return {created.get(pk, pk) for pk in touched}


def _create_clusters(
    new_clusters: Mapping[int, str],
    active: list[Record],
    bibs: Mapping[int, matching.Features],
    holding_counts: Mapping[int, int] | None,
) -> dict[int, int]:
    """Write the titles this batch starts, whole: all their records are in hand, so what
    they show is known without reading it back. Returns the key of each stand-in number."""
    if not new_clusters:
        return {}
    groups: dict[int, list[Record]] = defaultdict(list)
    for record in active:
        stand_in = record.cluster_id
        if stand_in is not None and stand_in in new_clusters:
            groups[stand_in].append(record)
    if holding_counts is None:
        ids = [r.pk for group in groups.values() for r in group]
        holding_counts = {}
        for start in range(0, len(ids), 500):
            holding_counts.update(
                _holding_counts(Record.objects.filter(pk__in=ids[start : start + 500]))
            )
    summaries = []
    for stand_in in new_clusters:
        rows = [_row_of(r, holding_counts.get(r.pk, 0)) for r in groups[stand_in]]
        summaries.append(_summary(rows, _best_record(rows), bibs))
    change_log.writing_titles()  # before the new titles' datestamps are taken
    keys = insert_returning_keys(Cluster, SUMMARY_FIELDS, summaries)
    return dict(zip(new_clusters, keys, strict=True))


def _holding_counts(records: QuerySet[Record]) -> dict[int, int]:
    """Copies by record, for the records that have any."""
    return dict(
        records.filter(holdings__isnull=False).annotate(n=Count("holdings")).values_list("pk", "n")
    )


def _clusters_kept_with(records: list[Record]) -> dict[int, set[int]]:
    """For each record, the clusters of the records a librarian said are the same edition."""
    same = {
        pair: {other for other, verdict in partners.items() if verdict == Decision.SAME}
        for pair, partners in _decisions_for(records).items()
    }
    wanted = {other for partners in same.values() for other in partners}
    if not wanted:
        return {}
    condition = Q()
    for library_id, local_id in wanted:
        condition |= Q(library_id=library_id, local_id=local_id)
    where = {
        (library_id, local_id): cluster_id
        for library_id, local_id, cluster_id in Record.objects.filter(
            condition, status=RecordStatus.ACTIVE, cluster__isnull=False
        ).values_list("library_id", "local_id", "cluster_id")
    }
    found: dict[int, set[int]] = {}
    for record in records:
        partners = same.get((record.library_id, record.local_id), set())
        clusters = {where[p] for p in partners if p in where}
        if clusters:
            found[record.pk] = clusters
    return found


def _shared_keys(record_keys_: set[str], holders: dict[str, set[int]]) -> Counter[int]:
    """The clusters sharing keys with a record, weighed: a shared identifier counts as
    IDENTIFIER_WEIGHT blocking keys."""
    shared: Counter[int] = Counter()
    for key in record_keys_:
        found = holders.get(key)
        if not found:
            continue
        weight = _weight(key)
        if weight == 1:
            shared.update(found)  # counted in C
        else:
            for cluster_id in found:
                shared[cluster_id] += weight
    return shared


def _weight(key: str) -> int:
    return 1 if key[:2] in BLOCKING_PREFIXES else IDENTIFIER_WEIGHT


def _cut(shared: Counter[int]) -> int | None:
    """The weight of the last cluster compared, when there are more than can be."""
    if len(shared) <= MAX_CLUSTERS_COMPARED:
        return None
    return heapq.nlargest(MAX_CLUSTERS_COMPARED, shared.values())[-1]  # hundreds: not sorted


def _contested(shared: Counter[int], cut: int | None) -> list[int]:
    """The clusters whose year may decide which are compared: all of them at or above the
    cut's weight (a title this batch starts may yet push the cut up), when the cut is at
    an author's title (see `_likeliest`)."""
    if cut is None or cut < RANKED_BY_YEAR_FROM:
        return []
    return [cluster_id for cluster_id, weight in shared.items() if weight >= cut]


def _likeliest(
    shared: Counter[int], cut: int | None, closeness: Callable[[int], tuple[int, int]]
) -> set[int]:
    """The clusters sharing the most keys with a record, at most MAX_CLUSTERS_COMPARED of
    them (a common title's key is held by hundreds of clusters). Among clusters that share
    an author's title as much, those closest in year come first: in a large catalogue one
    author's title is held by the clusters of all its editions, and of other works under
    the same title by an author of the same surname. Otherwise the oldest come first.
    `cut` is `_cut(shared)`, found once by the caller."""
    if cut is None:
        return set(shared)
    chosen = {cluster_id for cluster_id, weight in shared.items() if weight > cut}
    at_cut = [cluster_id for cluster_id, weight in shared.items() if weight == cut]
    # Clusters sharing one blocking key alone are mostly other authors' works, often
    # hundreds of them: fetching all their years cost more than it found (benchmarks.md).
    at_cut.sort(key=closeness if cut >= RANKED_BY_YEAR_FROM else None)
    return chosen | set(at_cut[: MAX_CLUSTERS_COMPARED - len(chosen)])


def _cluster_years(cluster_ids: set[int]) -> dict[int, int | None]:
    years: dict[int, int | None] = {}
    wanted = sorted(cluster_ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        years.update(Cluster.objects.filter(pk__in=chunk).values_list("pk", "year"))
    return years


def _closeness(
    year: int | None, years: Mapping[int, int | None]
) -> Callable[[int], tuple[int, int]]:
    """Order of clusters that share as many keys with a record of `year`: the nearest year
    first, titles without a year after those with one, then the oldest title first (the
    titles this batch starts have negative stand-in numbers and come before all)."""

    def key(cluster_id: int) -> tuple[int, int]:
        other = years.get(cluster_id)
        if year is None or other is None:
            return (YEARS_UNKNOWN, cluster_id)
        return (abs(year - other), cluster_id)

    return key


def _choose_cluster(
    record: Record,
    bib: matching.Features,
    near: set[int],
    members: dict[int, list[Member]],
    member_bibs: Candidates,
    decisions: dict[Pair, dict[Pair, str]],
) -> tuple[int | None, list[dict[str, Any]]]:
    """The cluster this record belongs to, with the evidence; None when it stands alone
    (with the reason, when it matched clusters it cannot choose between)."""
    mine = decisions.get((record.library_id, record.local_id), {})
    best: tuple[float, int, list[dict[str, Any]]] | None = None
    matched: list[list[Member]] = []
    for cluster_id in sorted(near):
        group = members.get(cluster_id, [])
        verdicts = {mine.get((m.library_id, m.local_id)) for m in group}
        if Decision.DIFFERENT in verdicts:
            continue
        if Decision.SAME in verdicts:
            return cluster_id, [{"code": LIBRARIAN_SAME, "weight": 0.0, "params": {}}]
        result = matching.compare_to_cluster(bib, (member_bibs[m.pk] for m in group))
        if result.same:
            matched.append(group)
            if best is None or result.total > best[0]:
                best = (result.total, cluster_id, [e.as_json() for e in result.evidence])
    if best is None:
        return None, []
    if len(matched) > 1:
        undecided = matching.ambiguous_subtitle(
            bib, ((member_bibs[m.pk] for m in group) for group in matched)
        )
        if undecided is not None:
            return None, [undecided.as_json()]
    return best[1], best[2]


QUALITY_FIELDS = ("subtitle", "authors", "publisher", "year", "isbns", "subjects", "extent")
SHOWN_FIELDS = ("title", "subtitle", "year", "material_type", "source_format", "raw_hash")


def _uniform_title(best: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The best record's uniform title, or else the first one a member gives: one library
    recording a translation's original title links the whole title to its other editions."""
    given = (row["uniform_title"] for row in [best, *rows] if row["uniform_title"])
    return next(given, "")


def _filled(name: str) -> ExpressionWrapper:
    """Whether a column holds something, asked of the database (no JSON decoding here)."""
    empty: Any = [] if name in {"authors", "isbns", "subjects"} else None if name == "year" else ""
    condition = Q(**{f"{name}__isnull": True}) if empty is None else Q(**{name: empty})
    return ExpressionWrapper(~condition, output_field=BooleanField())


def _row_of(record: Record, holding_count: int) -> dict[str, Any]:
    """A record in hand as `_refresh` reads it from the database."""
    row: dict[str, Any] = {
        "pk": record.pk,
        "library_id": record.library_id,
        "uniform_title": record.uniform_title,
        "holding_count": holding_count,
    }
    for name in SHOWN_FIELDS:
        row[name] = getattr(record, name)
    for name in QUALITY_FIELDS:
        value = getattr(record, name)
        row[f"has_{name}"] = value is not None if name == "year" else bool(value)
    return row


# What a title shows, in this order, worked out from its records by `_summary`.
SUMMARY_FIELDS = (
    "best_record",
    "title",
    "sort_title",
    "year",
    "material_type",
    "work_key",
    "record_count",
    "library_count",
)
SUMMARY_ATTRIBUTES = ("best_record_id", *SUMMARY_FIELDS[1:])


def _summary(
    rows: list[dict[str, Any]],
    best: dict[str, Any],
    features: Candidates | Mapping[int, matching.Features],
) -> tuple[Any, ...]:
    """Values of `SUMMARY_FIELDS` for a title with these records (rows as `_refresh` reads
    them), `best` the one that describes it (`_best_record`), whose prepared form
    `features` holds."""
    title = best["title"] + (f" : {best['subtitle']}" if best["subtitle"] else "")
    return (
        best["pk"],
        title[:1000],
        normalise_title(best["title"])[:200],
        best["year"],
        best["material_type"],
        matching.work_key(features[best["pk"]], _uniform_title(best, rows)),
        len(rows),
        len({row["library_id"] for row in rows}),
    )


def _best_record(records: list[dict[str, Any]]) -> dict[str, Any]:
    def quality(row: dict[str, Any]) -> tuple[int, int, int, int]:
        return (
            SOURCE_PREFERENCE.get(row["source_format"], 0),
            sum(bool(row[f"has_{name}"]) for name in QUALITY_FIELDS),
            row["holding_count"],
            -row["pk"],
        )

    return max(records, key=quality)


def remember_deleted(cluster_ids: list[int]) -> None:
    """Keep a tombstone of clusters about to be deleted, so harvesters hear of it (OAI-PMH).
    Called by `refresh_clusters`, which holds the change log's lock before any datestamp."""
    gone = list(Cluster.objects.filter(pk__in=cluster_ids).values_list("pk", "material_type"))
    if not gone:
        return
    DeletedCluster.objects.filter(cluster_id__in=[pk for pk, _type in gone]).delete()
    now = timezone.now()
    insert_rows(
        DeletedCluster,
        [DeletedCluster(cluster_id=pk, material_type=kind, deleted_at=now) for pk, kind in gone],
    )


def refresh_clusters(cluster_ids: Iterable[int]) -> None:
    """Recompute what a cluster shows from its records; drop empty ones; log for the indexer."""
    cluster_ids = sorted(set(cluster_ids))
    if not cluster_ids:
        return
    with transaction.atomic():
        change_log.writing_titles()  # before the titles' datestamps are taken
        _refresh(cluster_ids)


def _refresh(cluster_ids: list[int]) -> None:
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(cluster_ids), 500):
        chunk = cluster_ids[start : start + 500]
        holding_counts = _holding_counts(
            Record.objects.filter(cluster_id__in=chunk, status=RecordStatus.ACTIVE)
        )
        for row in (
            Record.objects.filter(cluster_id__in=chunk, status=RecordStatus.ACTIVE)
            .annotate(**{f"has_{name}": _filled(name) for name in QUALITY_FIELDS})
            .values(
                "pk",
                "cluster_id",
                "library_id",
                "uniform_title",
                *SHOWN_FIELDS,
                *(f"has_{name}" for name in QUALITY_FIELDS),
            )
        ):
            row["holding_count"] = holding_counts.get(row["pk"], 0)
            members[row["cluster_id"]].append(row)
    empty = [pk for pk in cluster_ids if pk not in members]
    for first in range(0, len(empty), 500):
        chunk = empty[first : first + 500]
        Record.objects.filter(cluster_id__in=chunk).update(cluster=None)
        remember_deleted(chunk)
        Cluster.objects.filter(pk__in=chunk).delete()
    best_rows = {pk: _best_record(rows) for pk, rows in members.items()}
    features = prepared_by_key((row["pk"], row["raw_hash"]) for row in best_rows.values())
    now = timezone.now()
    clusters = [
        Cluster(
            pk=cluster_id,
            updated_at=now,
            **dict(
                zip(
                    SUMMARY_ATTRIBUTES,
                    _summary(rows, best_rows[cluster_id], features),
                    strict=True,
                )
            ),
        )
        for cluster_id, rows in members.items()
    ]
    store_refreshed_forms(features)  # the forms made while summing up, kept
    update_rows(Cluster, clusters, [*SUMMARY_FIELDS, "updated_at"])
    change_log.record_changes(cluster_ids)
