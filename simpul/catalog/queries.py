"""Read side of the union catalogue: searches, the record page and look-ups by identifier.

Pages and the API call these; nothing here changes state. Loading is done in a fixed
number of queries whatever the page size (no query per hit or per record).
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.db.models import Count, Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from simpul.catalog import matching
from simpul.catalog.bibliographic import ItemStatus, MaterialType
from simpul.catalog.models import (
    Cluster,
    ClusterDecision,
    Holding,
    ImportJob,
    Record,
    RecordStatus,
)
from simpul.catalog.search import SearchQuery, SearchResult, Sort
from simpul.catalog.search.engine import MAX_PAGE_SIZE, YEAR_RANGES
from simpul.catalog.search.query import MAX_QUERY_CHARS, year_bounds
from simpul.catalog.services.indexing import search_index
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library, localised

DEFAULT_PAGE_SIZE = 20
MAX_FILTER_VALUES = 20  # values per facet a request may select
MAX_PAGE = 10_000

FORMAT_LABELS = {
    MaterialType.BOOK: gettext_lazy("Book"),
    MaterialType.EBOOK: gettext_lazy("E-book"),
    MaterialType.SERIAL: gettext_lazy("Journal or serial"),
    MaterialType.ARTICLE: gettext_lazy("Article"),
    MaterialType.THESIS: gettext_lazy("Thesis"),
    MaterialType.MAP: gettext_lazy("Map"),
    MaterialType.SCORE: gettext_lazy("Music score"),
    MaterialType.AUDIO: gettext_lazy("Sound recording"),
    MaterialType.VIDEO: gettext_lazy("Video"),
    MaterialType.MANUSCRIPT: gettext_lazy("Manuscript"),
    MaterialType.MICROFORM: gettext_lazy("Microform"),
    MaterialType.REPOSITORY: gettext_lazy("Repository item"),
    MaterialType.OTHER: gettext_lazy("Other"),
}

STATUS_LABELS = {
    ItemStatus.AVAILABLE: gettext_lazy("Available"),
    ItemStatus.ON_LOAN: gettext_lazy("On loan"),
    ItemStatus.REFERENCE: gettext_lazy("Reference only"),
    ItemStatus.LOST: gettext_lazy("Missing"),
    ItemStatus.UNKNOWN: gettext_lazy("Ask the library"),
}

# ISO 639-2/B codes seen most in Indonesian collections, named as librarians name them;
# any other code is named from the ISO 639 tables (`_iso_language_name`).
LANGUAGE_NAMES = {
    "ind": gettext_lazy("Indonesian"),
    "eng": gettext_lazy("English"),
    "jav": gettext_lazy("Javanese"),
    "sun": gettext_lazy("Sundanese"),
    "may": gettext_lazy("Malay"),
    "ara": gettext_lazy("Arabic"),
    "dut": gettext_lazy("Dutch"),
    "chi": gettext_lazy("Chinese"),
    "jpn": gettext_lazy("Japanese"),
    "ger": gettext_lazy("German"),
    "fre": gettext_lazy("French"),
    "spa": gettext_lazy("Spanish"),
    "rus": gettext_lazy("Russian"),
    "gre": gettext_lazy("Greek"),
    "lat": gettext_lazy("Latin"),
    "ita": gettext_lazy("Italian"),
    "por": gettext_lazy("Portuguese"),
    "kor": gettext_lazy("Korean"),
    "tha": gettext_lazy("Thai"),
    "ban": gettext_lazy("Balinese"),
    "mad": gettext_lazy("Madurese"),
    "bug": gettext_lazy("Buginese"),
    "min": gettext_lazy("Minangkabau"),
}


def format_label(code: str) -> str:
    try:
        return str(FORMAT_LABELS[MaterialType(code)])
    except ValueError:
        return code


def status_label(code: str) -> str:
    try:
        return str(STATUS_LABELS[ItemStatus(code)])
    except ValueError:
        return code


def year_label(value: str) -> str:
    """A chosen year filter as the search reads it: 2010, 2010 to 2020 (also when typed the other
    way round), 2010 and later, up to 1999."""
    bounds = year_bounds(value)
    if bounds is None:
        return value
    low, high = bounds
    if low is not None and high is not None:
        return str(low) if low == high else f"{low}\u2013{high}"
    if low is not None:
        return _("%(year)s and later") % {"year": low}
    return _("up to %(year)s") % {"year": high}


def language_label(code: str) -> str:
    known = LANGUAGE_NAMES.get(code)
    if known is not None:
        return str(known)
    return _iso_language_name(code, translation.get_language() or "en") or code


@functools.lru_cache(maxsize=2048)
def _iso_language_name(code: str, language: str) -> str:
    """The name of a MARC language code (ISO 639-2/B, or 639-3) in the page's language,
    from the ISO tables pycountry carries with their translations; "" when unknown."""
    found = pycountry.languages.get(bibliographic=code) or pycountry.languages.get(alpha_3=code)
    if found is None:
        return ""
    names = gettext_module.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    name = _QUALIFIER.sub("", names.gettext(found.name))
    # Indonesian names a language "bahasa Persia": the table's bare "Persia" reads as the
    # country. Special codes (scope S: "Banyak bahasa", "Tak ditentukan") stay as they are.
    if language.startswith("id") and found.scope != "S" and "bahasa" not in name.casefold():
        name = f"Bahasa {name}"
    return name


_QUALIFIER = re.compile(r"\s*\([^)]*\)$")  # "Malay (macrolanguage)", "Modern Greek (1453-)"


# --- searching ------------------------------------------------------------------------------


@dataclass
class SearchParams:
    """What a search page or API call asked for, cleaned: bad values are dropped, not fatal."""

    q: str = ""
    libraries: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    year: str = ""  # a year, a range key such as "2000-2009", or "2010-2020"
    available: bool = False
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    FILTERS = ("library", "format", "language", "subject", "year", "available")

    @property
    def filtered(self) -> bool:
        return bool(
            self.libraries
            or self.formats
            or self.languages
            or self.subjects
            or self.year
            or self.available
        )

    @property
    def empty(self) -> bool:
        return not self.q.strip() and not self.filtered

    def as_query(self) -> SearchQuery:
        bounds = year_bounds(self.year) if self.year else None
        year_from, year_to = bounds or (None, None)
        return SearchQuery(
            text=self.q,
            libraries=self.libraries,
            formats=self.formats,
            languages=self.languages,
            subjects=self.subjects,
            year_from=year_from,
            year_to=year_to,
            available_only=self.available,
            sort=self.sort,
            page=self.page,
            page_size=self.page_size,
        )

    def as_items(self, **changes: Any) -> list[tuple[str, str]]:
        """The parameters as (name, value) pairs for a link, with some changed.

        Changes: q, sort, page (values), year (a value or ""), available (bool), and
        toggle=(name, value) to add or remove one facet value.
        """
        lists = {
            "library": list(self.libraries),
            "format": list(self.formats),
            "language": list(self.languages),
            "subject": list(self.subjects),
        }
        year, available = changes.get("year", self.year), changes.get("available", self.available)
        if toggle := changes.get("toggle"):
            name, value = toggle
            if name == "year":
                year = "" if year == value else value
            elif name == "available":
                available = not available
            elif value in lists[name]:
                lists[name].remove(value)
            else:
                lists[name].append(value)
        items: list[tuple[str, str]] = []
        q = changes.get("q", self.q)
        if q:
            items.append(("q", q))
        for name, values in lists.items():
            items.extend((name, value) for value in values)
        if year:
            items.append(("year", year))
        if available:
            items.append(("available", "1"))
        sort = changes.get("sort", self.sort)
        if sort != Sort.RELEVANCE:
            items.append(("sort", str(sort)))
        page = changes.get("page", 1 if "toggle" in changes else self.page)
        if page != 1:
            items.append(("page", str(page)))
        if self.page_size != DEFAULT_PAGE_SIZE:
            items.append(("page_size", str(self.page_size)))
        return items

    def selected(self, name: str, value: str) -> bool:
        return {
            "library": value in self.libraries,
            "format": value in self.formats,
            "language": value in self.languages,
            "subject": value in self.subjects,
            "year": value == self.year,
            "available": self.available,
        }.get(name, False)


def _clean_text(value: str, limit: int) -> str:
    return value.replace("\x00", " ")[:limit]


def _whole_number(value: str, default: int, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except (ValueError, AttributeError):
        return default
    return max(low, min(number, high))


def search_params(data: Mapping[str, Any]) -> SearchParams:
    """SearchParams from request parameters (a QueryDict or a plain mapping).

    Never raises: text is cut to a sane length and stripped of NUL characters, unknown
    sorts, pages and sizes fall back to defaults, unknown facet values simply find nothing.
    """

    def values(name: str) -> list[str]:
        if hasattr(data, "getlist"):
            raw = data.getlist(name)
        else:
            raw = data.get(name, [])
            raw = [raw] if isinstance(raw, str) else list(raw or [])
        kept = [_clean_text(str(v), 200).strip() for v in raw]
        return list(dict.fromkeys(v for v in kept if v))[:MAX_FILTER_VALUES]

    def one(name: str) -> str:
        found = values(name)
        return found[0] if found else ""

    year = one("year")
    if year and year_bounds(year) is None:
        year = ""
    try:
        sort = Sort(one("sort") or Sort.RELEVANCE)
    except ValueError:
        sort = Sort.RELEVANCE
    q = data.get("q", "")
    if not isinstance(q, str):
        q = ""
    return SearchParams(
        q=_clean_text(q, MAX_QUERY_CHARS).strip(),
        libraries=[v.upper() for v in values("library")],
        formats=values("format"),
        languages=values("language"),
        subjects=values("subject"),
        year=year,
        available=one("available").lower() in {"1", "true", "yes", "on"},
        sort=sort,
        page=_whole_number(one("page"), 1, 1, MAX_PAGE),
        page_size=_whole_number(one("page_size"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


@dataclass
class HeldBy:
    code: str
    name: str


@dataclass
class Hit:
    cluster: Cluster
    libraries: list[HeldBy]
    copies: int
    available: int
    known: int = 0  # copies whose availability the library reports

    @property
    def record(self) -> Record | None:
        return self.cluster.best_record

    @property
    def format_label(self) -> str:
        return format_label(self.cluster.material_type)

    @property
    def other_titles(self) -> list[str]:
        """The best record's uniform and other titles (two at most): why a search for a
        translation's original or a parallel title found this title."""
        record = self.record
        if record is None:
            return []
        shown = self.cluster.title.casefold()
        titles = [record.uniform_title, *(record.variant_titles or [])]
        return [t for t in dict.fromkeys(titles) if t and t.casefold() not in shown][:2]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchPage:
    params: SearchParams
    result: SearchResult
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]

    @property
    def total(self) -> int:
        return self.result.total

    @property
    def page_count(self) -> int:
        return max(1, -(-self.result.total // self.result.page_size))

    @property
    def first_position(self) -> int:
        return (self.result.page - 1) * self.result.page_size + 1


def library_names(codes: Iterable[str]) -> dict[str, str]:
    """Display names (in the current language) of libraries by code."""
    return {
        lib.code: lib.display_name
        for lib in Library.objects.filter(code__in=set(codes)).only("code", "name", "name_en")
    }


# What a list of titles shows of each title's best record; the rest stays in the table
# (a page of twenty titles decoded every JSON column of their records for nothing).
HIT_RECORD_FIELDS = (
    "title", "authors", "publisher", "edition", "isbns", "uniform_title", "variant_titles",
)  # fmt: skip


def load_hits(cluster_ids: Sequence[int]) -> list[Hit]:
    """The clusters with their best record, holding libraries and copy counts (three queries).

    A hit's record carries only HIT_RECORD_FIELDS; reading another field costs a query.
    """
    if not cluster_ids:
        return []
    clusters = {
        c.pk: c
        for c in Cluster.objects.filter(pk__in=cluster_ids)
        .select_related("best_record")
        .only(
            *(f.name for f in Cluster._meta.concrete_fields),
            *(f"best_record__{name}" for name in HIT_RECORD_FIELDS),
        )
    }
    holders: dict[int, dict[str, str]] = defaultdict(dict)
    for cluster_id, code, name, name_en in (
        Record.objects.filter(cluster_id__in=clusters, status=RecordStatus.ACTIVE)
        .values_list("cluster_id", "library__code", "library__name", "library__name_en")
        .distinct()
    ):
        holders[cluster_id][code] = localised(name, name_en)
    copies: dict[int, tuple[int, int, int]] = {}
    for row in (
        Holding.objects.filter(record__cluster_id__in=clusters, record__status=RecordStatus.ACTIVE)
        .values("record__cluster_id")
        .annotate(
            n=Count("pk"),
            available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE)),
            known=Count("pk", filter=~Q(status=ItemStatus.UNKNOWN)),
        )
    ):
        copies[row["record__cluster_id"]] = (row["n"], row["available"], row["known"])
    hits = []
    for cluster_id in cluster_ids:
        cluster = clusters.get(cluster_id)
        if cluster is None or cluster_id not in holders:
            continue  # removed since the index last heard of it
        n, available, known = copies.get(cluster_id, (0, 0, 0))
        libraries = [HeldBy(code, name) for code, name in sorted(holders[cluster_id].items())]
        hits.append(
            Hit(cluster=cluster, libraries=libraries, copies=n, available=available, known=known)
        )
    return hits


def _facet_values(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    names = library_names(code for code, _n in facets.get("library", []))
    labels = {
        "library": lambda code: names.get(code, code),
        "format": format_label,
        "language": language_label,
        "availability": lambda v: str(_("Available now")) if v == "available" else v,
    }
    shown: dict[str, list[FacetValue]] = {}
    for name, buckets in facets.items():
        label = labels.get(name, str)
        values = [FacetValue(value, str(label(value)), count) for value, count in buckets]
        if name == "availability":
            values = [v for v in values if v.value == "available"]
        if name == "year":
            order = {key: i for i, (key, _f, _l) in enumerate(YEAR_RANGES)}
            values.sort(key=lambda v: -order.get(v.value, 0))
            for v in values:
                v.label = year_label(v.value)  # worded as the chip once it is chosen
        shown[name] = values
    return shown


def search_catalogue(params: SearchParams, *, facets: bool = True) -> SearchPage:
    """Run a search and load the page of hits it found."""
    query = params.as_query()
    query.facets = facets
    result = search_index().search(query)
    hits = load_hits([hit.cluster_id for hit in result.hits])
    return SearchPage(
        params=params,
        result=result,
        hits=hits,
        facets=_facet_values(result.facets) if facets else {},
    )


def suggestions(prefix: str, limit: int = 8) -> list[str]:
    prefix = _clean_text(prefix, MAX_QUERY_CHARS)
    if not prefix.strip():
        return []
    return search_index().suggest(prefix, limit=max(1, min(limit, 20)))


# --- the record page ------------------------------------------------------------------------


class ClusterGone(Http404):
    """No cluster (any more) at this number: withdrawn, merged elsewhere or never there."""


@dataclass
class HoldingRow:
    location: str
    call_number: str
    status: str
    status_label: str
    url: str


@dataclass
class LibraryHoldings:
    code: str
    name: str
    holdings: list[HoldingRow]

    @property
    def available(self) -> int:
        return sum(1 for h in self.holdings if h.status == ItemStatus.AVAILABLE)


@dataclass
class SourceRecord:
    record: Record
    reasons: list[str]


@dataclass
class OtherEdition:
    """A link to another edition of the work, with what tells it apart at a glance."""

    pk: int
    title: str
    year: int | None
    format_label: str
    language_names: list[str]


@dataclass
class ClusterView:
    cluster: Cluster
    best: Record
    records: list[Record]  # active, best first (raw is loaded: exports need it)
    holdings: list[LibraryHoldings]
    other_editions: list[OtherEdition]

    def reasons(self, record: Record) -> list[str]:
        return matching.describe(record.match_reasons or [])

    def source_records_for(self, actor: permissions.Actor) -> list[SourceRecord]:
        """Member records the actor may inspect: the coordinator all, staff their library's."""
        return [
            SourceRecord(record, self.reasons(record))
            for record in self.records
            if permissions.can_view_staff_data(actor, record.library)
        ]

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(a for r in self.records for a in (r.authors or [])))

    @property
    def isbns(self) -> list[str]:
        return list(dict.fromkeys(i for r in self.records for i in (r.isbns or [])))

    @property
    def issns(self) -> list[str]:
        return list(dict.fromkeys(i for r in self.records for i in (r.issns or [])))

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(s for r in self.records for s in (r.subjects or [])))

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(c for r in self.records for c in (r.languages or [])))

    @property
    def language_names(self) -> list[str]:
        return [language_label(code) for code in self.languages]

    @property
    def series(self) -> list[str]:
        return list(dict.fromkeys(s for r in self.records for s in (r.series or [])))

    @property
    def summary(self) -> str:
        return next((r.summary for r in self.records if r.summary), "")

    @property
    def variant_titles(self) -> list[str]:
        """Other titles the members' records give (parallel, cover, spine titles)."""
        shown = {t.casefold() for t in (self.best.title, self.best.subtitle, self.uniform_title)}
        titles = (t for r in self.records for t in (r.variant_titles or []))
        return [t for t in dict.fromkeys(titles) if t.casefold() not in shown]

    @property
    def uniform_title(self) -> str:
        """The original's title a translation is catalogued under (MARC 240), when it is
        not simply the title shown."""
        title = next((r.uniform_title for r in self.records if r.uniform_title), "")
        return "" if title.casefold() == self.best.title.casefold() else title

    @property
    def urls(self) -> list[str]:
        return list(dict.fromkeys(u for r in self.records for u in (r.urls or [])))

    @property
    def format_label(self) -> str:
        return format_label(self.best.material_type)

    @property
    def library_codes(self) -> list[str]:
        return [group.code for group in self.holdings]


def _gone() -> ClusterGone:
    return ClusterGone(
        _(
            "This title is no longer in the catalogue: the libraries that held it have "
            "withdrawn or merged their records. Search again to find other copies."
        )
    )


def get_cluster(pk: int) -> ClusterView:
    """Everything the record page shows; ClusterGone (a 404) for a cluster with no records."""
    cluster = Cluster.objects.filter(pk=pk).first()
    if cluster is None:
        raise _gone()
    records = sorted(
        Record.objects.filter(cluster=cluster, status=RecordStatus.ACTIVE).select_related(
            "library"
        ),
        key=lambda r: (r.pk != cluster.best_record_id, r.library.code, r.pk),
    )
    if not records:
        raise _gone()
    groups: dict[str, LibraryHoldings] = {}
    for record in records:  # a library holding a record without items still holds it
        groups.setdefault(
            record.library.code,
            LibraryHoldings(record.library.code, record.library.display_name, []),
        )
    for holding in (
        Holding.objects.filter(record__in=records)
        .select_related("library")
        .order_by("library__code", "location", "call_number", "pk")
    ):
        group = groups.setdefault(
            holding.library.code,
            LibraryHoldings(holding.library.code, holding.library.display_name, []),
        )
        group.holdings.append(
            HoldingRow(
                location=holding.location,
                call_number=holding.call_number,
                status=holding.status,
                status_label=status_label(holding.status),
                url=holding.url,
            )
        )
    others: list[OtherEdition] = []
    if cluster.work_key:
        others = [
            OtherEdition(
                pk=pk,
                title=title,
                year=year,
                format_label=format_label(material_type),
                language_names=[language_label(code) for code in languages or []],
            )
            for pk, title, year, material_type, languages in Cluster.objects.filter(
                work_key=cluster.work_key
            )
            .exclude(pk=cluster.pk)
            .order_by("-year", "pk")
            .values_list("pk", "title", "year", "material_type", "best_record__languages")[:50]
        ]
    return ClusterView(
        cluster=cluster,
        best=records[0],
        records=records,
        holdings=sorted(groups.values(), key=lambda g: g.name.casefold()),
        other_editions=others,
    )


# --- look-ups ---------------------------------------------------------------------------------


def get_member_record(library_code: str, local_id: str) -> Record:
    """A member library's record by its own identifier (an active one first, if several origins)."""
    record = (
        Record.objects.filter(library__code=library_code.strip().upper(), local_id=local_id)
        .select_related("library")
        .defer("raw")
        .order_by(
            # active before withdrawn, then the most recently changed
            "status",
            "-updated_at",
        )
        .first()
    )
    if record is None:
        raise Http404(
            _("Library %(library)s has no record with the identifier %(id)s.")
            % {"library": library_code.upper(), "id": local_id}
        )
    return record


def get_import_job_for(actor: permissions.Actor, job_id: int) -> ImportJob:
    """An import job, for staff of its library and the coordinator (AccessDenied otherwise)."""
    job = ImportJob.objects.select_related("library").filter(pk=job_id).first()
    if job is None:
        raise Http404(_("There is no import with the number %(id)s.") % {"id": job_id})
    if not permissions.can_view_staff_data(actor, job.library):
        raise AccessDenied(
            _("Only staff of %(library)s can see its imports.") % {"library": job.library.code}
        )
    return job


PROBLEMS_SHOWN = 200  # on the page; the CSV download has them all
IMPORTS_SHOWN = 50


def libraries_for_import(actor: permissions.Actor) -> list[Library]:
    """The libraries whose catalogue this person may bring in: all for the coordinator."""
    if not actor.is_authenticated:
        return []
    return [
        library
        for library in Library.objects.order_by("code")
        if permissions.can_edit_library(actor, library)
    ]


def import_jobs(actor: permissions.Actor, libraries: Sequence[Library]) -> list[ImportJob]:
    """The latest imports of these libraries (those this person may see), newest first."""
    allowed = [lib.pk for lib in libraries if permissions.can_view_staff_data(actor, lib)]
    return list(
        ImportJob.objects.filter(library_id__in=allowed)
        .select_related("library", "created_by")
        .order_by("-created_at", "-pk")[:IMPORTS_SHOWN]
    )


def grouping_decisions(records: Sequence[Record]) -> list[ClusterDecision]:
    """Librarians' merges and splits that involve these records, newest first."""
    if not records:
        return []
    condition = Q()
    for record in records:
        condition |= Q(library_a_id=record.library_id, local_id_a=record.local_id)
        condition |= Q(library_b_id=record.library_id, local_id_b=record.local_id)
    return list(
        ClusterDecision.objects.filter(condition)
        .select_related("library_a", "library_b", "decided_by")
        .order_by("-decided_at", "-pk")[:50]
    )


def cluster_from_reference(text: str) -> Cluster:
    """A title named by its number or its address (".../catalogue/123/"), for a merge."""
    found = re.search(r"(\d+)\s*/?\s*$", text.strip())
    cluster = Cluster.objects.filter(pk=int(found.group(1))).first() if found else None
    if cluster is None or cluster.best_record_id is None:
        raise InvalidInput(
            _("No title has the number or address %(value)s.") % {"value": text.strip()[:200]}
        )
    return cluster


def visible_import_jobs(actor: permissions.Actor, library_code: str = "") -> Any:
    """Imports of the libraries whose staff data this person may see, newest first."""
    libraries = [
        library
        for library in Library.objects.all()
        if permissions.can_view_staff_data(actor, library)
        and (not library_code or library.code == library_code.upper())
    ]
    return (
        ImportJob.objects.filter(library__in=libraries)
        .select_related("library")
        .order_by("-created_at", "-pk")
    )
