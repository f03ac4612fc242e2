"""The union catalogue's search index: Tantivy on disk, behind one small interface.

The index is derived data. One document per cluster (what patrons see); it is
built from the clusters' records and holdings and can be rebuilt from scratch at
any time. Text is analysed in Python (`analysis`) and handed to Tantivy as
whitespace-separated tokens, so indexing and querying use exactly the same rules.

Fields (all text fields use the ``ws`` whitespace tokenizer over pre-analysed tokens):

========== ===================================================================
id         the cluster id (u64; indexed to delete and replace, fast to read back)
all        exact tokens of everything searchable, with positions (phrases)
all_stem   Indonesian+English stems of titles, series, subjects, summary
title      exact tokens of title, subtitle, uniform and other titles, positions
           (boost, ``title:``, phrases)
title_stem stems of the same titles (``title:``)
author     exact author tokens, positions (``author:``)
subject    exact subject tokens, positions; subject_stem their stems
ident      ISBN-13 and ISSN tokens (``isbn:``, ``issn:`` and plain numbers)
year       i64, indexed and fast (range filter, facet ranges, sorting)
language, format, library, available, availability, subject_facet
           raw strings, indexed (filters) and fast (facet counts); subject_facet
           holds main headings (see `main_heading`)
title_sort folded title, fast (sorting by title)
========== ===================================================================

Only one writer may change an index at a time (a Tantivy rule): a process that
wants to write takes an exclusive file lock in the index folder first, waits up
to ``lock_timeout`` seconds for it and otherwise raises `WriterBusy`. The lock is
held from the first change until `commit()` or `rollback()`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

import tantivy
from django.utils.translation import gettext as _
from tantivy import Document, FieldType, Occur, Order, Query

from simpul.catalog.search import analysis
from simpul.catalog.search import query as query_language

if TYPE_CHECKING:
    from simpul.catalog.bibliographic import BibRecord

SCHEMA_VERSION = 1
SCHEMA_FILE = "simpul-schema.json"
LOCK_FILE = "simpul-writer.lock"
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # deepest position a page may reach (offset + page size)

# Facet ranges for years: (key, first year, last year); None is open-ended.
YEAR_RANGES: tuple[tuple[str, int | None, int | None], ...] = (
    ("-1949", None, 1949),
    ("1950-1969", 1950, 1969),
    ("1970-1989", 1970, 1989),
    ("1990-1999", 1990, 1999),
    ("2000-2009", 2000, 2009),
    ("2010-2019", 2010, 2019),
    ("2020-", 2020, None),
)
FACETS = ("library", "format", "language", "year", "subject", "availability")
AVAILABLE = "available"
UNAVAILABLE = "unavailable"

# How much each kind of match adds to a plain word's score.
BOOST_TITLE = 2.0
BOOST_AUTHOR = 1.0
BOOST_EXACT = 1.0
BOOST_TITLE_PHRASE = 3.0


class SearchIndexError(RuntimeError):
    pass


class WriterBusy(SearchIndexError):
    """Another process (or object) is writing to this index."""


class Sort(StrEnum):
    RELEVANCE = "relevance"
    YEAR_DESC = "year_desc"  # newest first
    YEAR_ASC = "year_asc"
    TITLE = "title"


@dataclass
class SearchDocument:
    """What the index knows about one cluster."""

    cluster_id: int
    title: str
    subtitle: str = ""
    other_titles: list[str] = field(default_factory=list)  # uniform and variant titles
    authors: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    publisher: str = ""
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    year: int | None = None
    languages: list[str] = field(default_factory=list)  # ISO 639-2/B codes
    material_type: str = "book"
    library_codes: list[str] = field(default_factory=list)  # libraries holding a copy
    available_library_codes: list[str] = field(default_factory=list)  # ... with one available now
    summary: str = ""
    full_text: str = ""  # e.g. a repository PDF's text: searched (all, all_stem), never shown

    @classmethod
    def from_records(
        cls, cluster_id: int, records: Sequence[tuple[str, BibRecord]]
    ) -> SearchDocument:
        """Merge a cluster's records, each given with the code of the library it came from.

        The first record gives title, subtitle, publisher, year, format and summary;
        names, subjects, series, identifiers, languages and holdings are the union.
        An item's own library code wins over the record's library.
        """
        from simpul.catalog.bibliographic import ItemStatus

        if not records:
            raise ValueError("a cluster has at least one record")
        first = records[0][1]

        def union(values: Iterable[str]) -> list[str]:
            return list(dict.fromkeys(v for v in values if v))

        holders: list[str] = []
        available: list[str] = []
        for library, record in records:
            if not record.items:
                holders.append(library)
            for item in record.items:
                code = item.library_code or library
                holders.append(code)
                if item.status == ItemStatus.AVAILABLE:
                    available.append(code)
        return cls(
            cluster_id=cluster_id,
            title=first.title,
            subtitle=first.subtitle,
            other_titles=union(
                t for _lib, r in records for t in [r.uniform_title, *r.variant_titles]
            ),
            authors=union(a for _lib, r in records for a in r.authors),
            subjects=union(s for _lib, r in records for s in r.subjects),
            series=union(s for _lib, r in records for s in r.series),
            publisher=first.publisher,
            isbns=union(i for _lib, r in records for i in r.isbns),
            issns=union(i for _lib, r in records for i in r.issns),
            year=next((r.year for _lib, r in records if r.year), None),
            languages=union(code for _lib, r in records for code in r.languages),
            material_type=str(first.material_type),
            library_codes=union(holders),
            available_library_codes=union(available),
            summary=next((r.summary for _lib, r in records if r.summary), ""),
        )


@dataclass
class SearchQuery:
    """One search: what was typed, the facet filters chosen, order and page."""

    text: str = ""
    libraries: Sequence[str] = ()  # held by any of these
    formats: Sequence[str] = ()
    languages: Sequence[str] = ()
    subjects: Sequence[str] = ()  # facet values, exactly as shown
    year_from: int | None = None
    year_to: int | None = None
    available_only: bool = False  # an available copy somewhere
    available_at: Sequence[str] = ()  # an available copy at any of these libraries
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = 20
    facets: bool = True
    facet_size: int = 20  # values per facet (libraries: up to 500)
    # For protocol faces (SRU): a query built from the engine's building blocks instead
    # of `text`, and a start position that need not fall on a page boundary.
    compiled: Query | None = None
    offset: int | None = None


@dataclass(frozen=True)
class SearchHit:
    cluster_id: int
    score: float  # relevance; 0.0 when sorted by year or title


# A query's words that no title contains: those with indexed spellings (most frequent
# first), and those without.
Unindexed = tuple[dict[str, list[str]], list[str]]


@dataclass(frozen=True)
class BroaderSearch:
    """A search that finds something where the one typed found nothing."""

    text: str
    total: int  # titles it finds, with the same filters
    dropped: tuple[str, ...] = ()  # words no title contains, left out; () for "any of the words"


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # translated, for the person searching
    spelling: list[str] = field(default_factory=list)  # "did you mean", when nothing matched
    broader: list[BroaderSearch] = field(default_factory=list)  # when nothing matched
    page: int = 1
    page_size: int = 20


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in ("all", "title", "author", "subject"):
        builder.add_text_field(name, tokenizer_name="ws", index_option="position")
    for name in ("all_stem", "title_stem", "subject_stem"):
        builder.add_text_field(name, tokenizer_name="ws", index_option="freq")
    builder.add_text_field("ident", tokenizer_name="ws", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    for name in ("language", "format", "library", "available", "availability", "subject_facet"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("title_sort", tokenizer_name="raw", fast=True, index_option="basic")
    return builder.build()


_SCHEMA = _schema()


def _whitespace_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def to_tantivy(doc: SearchDocument) -> Document:
    """The Tantivy document for one cluster."""
    return Document.from_dict(index_fields(doc), _SCHEMA)


def index_fields(doc: SearchDocument) -> dict[str, Any]:
    """The values of every index field for one cluster: all the analysis happens here."""
    tokens = analysis.tokens
    title, subtitle = tokens(doc.title), tokens(doc.subtitle)
    others = [tokens(t) for t in doc.other_titles]
    authors = [tokens(a) for a in doc.authors]
    series = [tokens(s) for s in doc.series]
    subjects = [tokens(s) for s in doc.subjects]
    summary, publisher = tokens(doc.summary), tokens(doc.publisher)
    full_text = tokens(doc.full_text) if doc.full_text else []
    fields: dict[str, Any] = {
        "id": doc.cluster_id,
        "all": analysis.joined_tokens(
            [title, subtitle, *others, *authors, *series, *subjects, publisher, summary, full_text]
        ),
        "all_stem": analysis.joined_stems(
            [title, subtitle, *others, *series, *subjects, summary, full_text]
        ),
        "title": analysis.joined_tokens([title, subtitle, *others]),
        "title_stem": analysis.joined_stems([title, subtitle, *others]),
        "author": analysis.joined_tokens(authors),
        "subject": analysis.joined_tokens(subjects),
        "subject_stem": analysis.joined_stems(subjects),
        "ident": " ".join(analysis.identifier_tokens(doc.isbns, doc.issns)),
        "title_sort": analysis.title_sort_key(title),
        "format": doc.material_type or "other",
        "availability": AVAILABLE if doc.available_library_codes else UNAVAILABLE,
    }
    if doc.year is not None:
        fields["year"] = doc.year
    multi = {
        "language": doc.languages,
        "library": doc.library_codes,
        "available": doc.available_library_codes,
        "subject_facet": [main_heading(s) for s in doc.subjects],
    }
    for name, values in multi.items():
        kept = list(dict.fromkeys(v for v in values if v))
        if kept:
            fields[name] = kept
    return fields


def main_heading(subject: str) -> str:
    """The part of a subject heading before its subdivisions: the subject facet's value.

    "Pendidikan -- Indonesia -- Sejarah" is counted under "Pendidikan": fewer,
    broader facet values for patrons, and far fewer distinct values to count.
    """
    return subject.split("--", 1)[0].strip()


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """Threads for counting facets, made anew in a forked child (its threads do not survive)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=4, thread_name_prefix="simpul-search"),
            )
        return _POOL[1]


class SearchIndex:
    """One on-disk index. Reading is safe from many threads and processes; writing is locked."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 30.0,
        writer_heap_bytes: int = 256_000_000,
        writer_threads: int = 0,
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = lock_timeout
        self.writer_heap_bytes = writer_heap_bytes
        self.writer_threads = writer_threads
        self._schema = _SCHEMA
        marker = self.path / SCHEMA_FILE
        if marker.exists():
            version = json.loads(marker.read_text()).get("version")
            if version != SCHEMA_VERSION:
                raise SearchIndexError(
                    f"The search index in {self.path} has schema version {version}, this Simpul "
                    f"needs {SCHEMA_VERSION}: rebuild it with `simpul reindex`."
                )
        self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        if not marker.exists():
            marker.write_text(json.dumps({"version": SCHEMA_VERSION}))
        self._index.register_tokenizer("ws", _whitespace_analyzer())
        self._writer: tantivy.IndexWriter | None = None
        self._lock: IO[str] | None = None

    # --- writing ------------------------------------------------------------------------

    def _acquire_writer(self) -> tantivy.IndexWriter:
        if self._writer is not None:
            return self._writer
        lock = (self.path / LOCK_FILE).open("a+")
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    lock.close()
                    raise WriterBusy(
                        f"Another process is writing to the search index in {self.path}; "
                        f"waited {self.lock_timeout:g} s. Only one indexer may run at a time."
                    ) from None
                time.sleep(0.05)
        try:
            self._writer = self._index.writer(
                heap_size=self.writer_heap_bytes, num_threads=self.writer_threads
            )
        except BaseException:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            lock.close()
            raise
        self._lock = lock
        return self._writer

    def _release_writer(self) -> None:
        self._writer = None  # dropping Tantivy's writer releases its own lock
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    @property
    def writing(self) -> bool:
        return self._writer is not None

    def add_or_replace(self, docs: Iterable[SearchDocument]) -> int:
        """Index these clusters, replacing what the index had for the same cluster ids.

        If a cluster id comes more than once, the last document for it wins.
        """
        writer = self._acquire_writer()
        count = 0
        for chunk in _chunks(docs, 10_000):
            latest = {doc.cluster_id: doc for doc in chunk}
            # A delete applies to documents added before it, so delete first, then add.
            writer.delete_documents_by_query(self._ids_query(latest))
            for doc in latest.values():
                writer.add_document(to_tantivy(doc))
            count += len(latest)
        return count

    def add_new(self, docs: Iterable[SearchDocument]) -> int:
        """Index clusters known not to be in the index yet (a rebuild after `clear()`).

        No deletes, so it is faster than `add_or_replace` for a full rebuild.
        """
        writer = self._acquire_writer()
        count = 0
        for doc in docs:
            writer.add_document(to_tantivy(doc))
            count += 1
        return count

    def delete(self, cluster_ids: Iterable[int]) -> None:
        writer = self._acquire_writer()
        for chunk in _chunks(cluster_ids, 10_000):
            writer.delete_documents_by_query(self._ids_query(chunk))

    def _ids_query(self, cluster_ids: Iterable[int]) -> Query:
        # By query, not by term: delete_documents_by_term does not match u64 fields.
        return Query.term_set_query(self._schema, "id", [int(i) for i in cluster_ids])

    def clear(self) -> None:
        """Delete every document (takes effect at commit)."""
        self._acquire_writer().delete_all_documents()

    def commit(self) -> None:
        """Make the changes durable and visible, and let another writer in."""
        if self._writer is None:
            return
        writer = self._writer
        try:
            writer.commit()
            writer.wait_merging_threads()
        finally:
            self._release_writer()
        self._index.reload()

    def rollback(self) -> None:
        if self._writer is None:
            return
        try:
            self._writer.rollback()
        finally:
            self._release_writer()

    def close(self) -> None:
        self.rollback()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------

    @property
    def num_docs(self) -> int:
        return int(self._searcher().num_docs)

    def _searcher(self) -> tantivy.Searcher:
        return self._index.searcher()

    def reload(self) -> None:
        """See changes committed by another process now (otherwise they appear within a moment)."""
        self._index.reload()

    def compile(self, text: str) -> tuple[Query | None, query_language.ParsedQuery, list[str]]:
        """The Tantivy query for a query string, the parsed tree and any warnings."""
        parsed = query_language.parse(text)
        compiler = self._compiler()
        compiled = cast(Query | None, compiler.compile(parsed.tree))
        keywords = [t for t in parsed.keywords() if not analysis.is_stop_word(t)]
        if compiled is not None and len(keywords) >= 2 and len(keywords) <= 8:
            boost = Query.boost_query(
                Query.phrase_query(self._schema, "title", _words(keywords), slop=1),
                BOOST_TITLE_PHRASE,
            )
            compiled = Query.boolean_query([(Occur.Must, compiled), (Occur.Should, boost)])
        return compiled, parsed, [*parsed.warnings, *compiler.warnings]

    def search(self, request: SearchQuery) -> SearchResult:
        compiled: Query | None
        warnings: list[str]
        if request.compiled is not None:
            compiled, parsed, warnings = request.compiled, query_language.ParsedQuery(None), []
        else:
            compiled, parsed, warnings = self.compile(request.text)
        query = self._with_filters(compiled, request)
        page_size = max(1, min(request.page_size, MAX_PAGE_SIZE))
        page = max(1, request.page)
        offset = (page - 1) * page_size if request.offset is None else max(0, request.offset)
        if offset + page_size > MAX_RESULT_WINDOW:
            warnings.append(
                _("Only the first %(count)d results can be paged through; narrow the search.")
                % {"count": MAX_RESULT_WINDOW}
            )
            offset = max(0, MAX_RESULT_WINDOW - page_size)
            page = offset // page_size + 1
        searcher = self._searcher()
        order_by, order = {
            Sort.RELEVANCE: (None, Order.Desc),
            Sort.YEAR_DESC: ("year", Order.Desc),
            Sort.YEAR_ASC: ("year", Order.Asc),
            Sort.TITLE: ("title_sort", Order.Asc),
        }[Sort(request.sort)]
        heavy, light = self._aggregations(request.facet_size) if request.facets else ({}, {})
        # Tantivy releases the GIL: half of the facets are counted on another core
        # while this thread finds the page of hits and counts the rest.
        pending = _pool().submit(searcher.aggregate, query, heavy) if heavy else None
        try:
            found = searcher.search(
                query,
                limit=page_size,
                offset=offset,
                count=True,
                order_by_field=order_by,
                order=order,
            )
            aggregated = searcher.aggregate(query, light) if light else {}
        finally:
            if pending is not None:
                aggregated_heavy = pending.result()
        if pending is not None:
            aggregated.update(aggregated_heavy)
        addresses = [address for _score, address in found.hits]
        ids = searcher.fast_field_values("id", addresses) if addresses else []
        hits = [
            SearchHit(
                cluster_id=int(cast(int, cluster_id)),
                score=float(score) if order_by is None else 0.0,
            )
            for (score, _address), cluster_id in zip(found.hits, ids, strict=True)
        ]
        total = _count(found)
        facets = self._facets(aggregated) if request.facets else {}
        spelling: list[str] = []
        broader: list[BroaderSearch] = []
        if total == 0 and parsed.keywords():
            unindexed = self._unindexed_words(searcher, request.text)
            spelling = self.spelling_suggestions(request.text, 3, request, unindexed)
            broader = self.broader_searches(request.text, request, unindexed)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            warnings=warnings,
            spelling=spelling,
            broader=broader,
            page=page,
            page_size=page_size,
        )

    def _with_filters(self, compiled: Query | None, request: SearchQuery) -> Query:
        filters: list[Query] = []

        def any_of(name: str, values: Iterable[str]) -> None:
            kept = list(dict.fromkeys(v for v in values if v))
            if kept:
                filters.append(Query.term_set_query(self._schema, name, kept))

        any_of("library", (query_language.library_code(v) for v in request.libraries))
        any_of("format", request.formats)
        any_of("language", request.languages)
        any_of("subject_facet", (main_heading(v) for v in request.subjects))
        any_of("available", (query_language.library_code(v) for v in request.available_at))
        if request.available_only:
            filters.append(Query.term_query(self._schema, "availability", AVAILABLE))
        if request.year_from is not None or request.year_to is not None:
            filters.append(self._year(request.year_from, request.year_to))
        if not filters:
            return compiled if compiled is not None else Query.all_query()
        clauses = [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        if compiled is not None:
            clauses.insert(0, (Occur.Must, compiled))
        return Query.boolean_query(clauses)

    @staticmethod
    def _aggregations(size: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """Tantivy aggregation requests for the facets: (for a worker thread, for the caller)."""
        size = max(1, min(size, 500))

        def terms(name: str, how_many: int) -> dict[str, Any]:
            # segment_size well above size keeps counts exact over several segments.
            return {
                "terms": {
                    "field": name,
                    "size": how_many,
                    "segment_size": max(how_many * 10, 1000),
                    "min_doc_count": 1,
                }
            }

        # Two halves of about equal cost (measured on 1M records): one is counted on a
        # worker thread while the calling thread finds the page of hits and counts the other.
        heavy = {
            "subject": terms("subject_facet", size),
            "year": terms("year", 1000),  # one bucket per year, grouped into ranges below
            "availability": terms("availability", 2),
        }
        light = {
            "library": terms("library", 500),
            "format": terms("format", 50),
            "language": terms("language", size),
        }
        return heavy, light

    @staticmethod
    def _facets(aggregated: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in FACETS:
            buckets = aggregated.get(name, {}).get("buckets", [])
            facets[name] = [
                (str(b["key"]), int(b["doc_count"])) for b in buckets if b["doc_count"] > 0
            ]
        by_range = dict.fromkeys((key for key, _first, _last in YEAR_RANGES), 0)
        for bucket in aggregated.get("year", {}).get("buckets", []):
            year = int(bucket["key"])
            for key, first, last in YEAR_RANGES:
                if (first is None or year >= first) and (last is None or year <= last):
                    by_range[key] += int(bucket["doc_count"])
                    break
        facets["year"] = [(key, count) for key, count in by_range.items() if count]
        return facets

    # --- query building blocks (used by the query language compiler) -----------------------

    def compiler(self) -> query_language.Compiler:
        """The building blocks, for a face that has its own query language (SRU's CQL)."""
        return self._compiler()

    def near(self, words: list[str], name: str | None, distance: int, ordered: bool) -> Query:
        """Words within `distance` positions of each other (CQL proximity), in one field."""
        target = name if name in {"title", "author", "subject"} else "all"
        slop = max(0, distance - 1)
        found = [Query.phrase_query(self._schema, target, _words(words), slop=slop)]
        if not ordered and len(words) > 1:
            found.append(Query.phrase_query(self._schema, target, _words(words[::-1]), slop=slop))
        return self._any(found)

    def cluster_ids_query(self, cluster_ids: Iterable[int]) -> Query:
        """The documents of these clusters (SRU's rec.id)."""
        return self._ids_query(cluster_ids)

    def _compiler(self) -> query_language.Compiler:
        return query_language.Compiler(
            term=self._term,
            prefix=self._prefix,
            phrase=self._phrase,
            value=self._value,
            year=self._year,
            all_docs=Query.all_query,
            must=self._boolean,
        )

    def _boolean(self, must: list[Any], should: list[Any], must_not: list[Any]) -> Query:
        clauses = [(Occur.Must, q) for q in must]
        clauses += [(Occur.Should, q) for q in should]
        clauses += [(Occur.MustNot, q) for q in must_not]
        return Query.boolean_query(clauses)

    def _t(self, name: str, value: str, boost: float = 1.0) -> Query:
        query = Query.term_query(self._schema, name, value)
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def _any(self, queries: list[Query]) -> Query:
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def _term(self, text: str, name: str | None) -> Query | None:
        identifiers = analysis.identifier_query_tokens(text) if name in {None, "ident"} else []
        if name == "ident":
            if not identifiers:
                digits = "".join(analysis.tokens(text))
                identifiers = [digits] if digits else []
            return Query.term_set_query(self._schema, "ident", identifiers) if identifiers else None
        words = analysis.tokens(text)
        if len(words) > 1:
            found = self._phrase(words, name)
        elif not words:
            found = None
        else:
            found = self._word(words[0], name)
        if identifiers:
            by_number = Query.term_set_query(self._schema, "ident", identifiers)
            found = by_number if found is None else self._any([by_number, found])
        return found

    def _word(self, word: str, name: str | None) -> Query:
        stop = analysis.is_stop_word(word)
        stems = [] if stop else list(analysis.stems(word))
        if name == "title":
            return self._any([*(self._t("title_stem", s) for s in stems), self._t("title", word)])
        if name == "author":
            return self._t("author", word)
        if name == "subject":
            return self._any(
                [*(self._t("subject_stem", s) for s in stems), self._t("subject", word)]
            )
        return self._any(
            [
                *(self._t("all_stem", s) for s in stems),
                self._t("all", word, BOOST_EXACT),
                self._t("title", word, BOOST_TITLE),
                self._t("author", word, BOOST_AUTHOR),
            ]
        )

    def _prefix(self, word: str, name: str | None) -> Query:
        target = name if name in {"title", "author", "subject"} else "all"
        pattern = "".join(c if c.isalnum() else f"\\{c}" for c in word) + ".*"
        return Query.regex_query(self._schema, target, pattern)

    def _phrase(self, words: list[str], name: str | None) -> Query | None:
        target = name if name in {"title", "author", "subject"} else "all"
        if len(words) == 1:
            return self._t(target, words[0])
        phrase = Query.phrase_query(self._schema, target, _words(words))
        if target != "all":
            return phrase
        in_title = Query.phrase_query(self._schema, "title", _words(words))
        return self._any([phrase, Query.boost_query(in_title, BOOST_TITLE)])

    def _value(self, name: str, value: str) -> Query:
        return Query.term_query(self._schema, name, value)

    def _year(self, first: int | None, last: int | None) -> Query:
        if first is None and last is None:
            return Query.all_query()
        return Query.range_query(self._schema, "year", FieldType.Integer, first, last)

    # --- suggestions ----------------------------------------------------------------------

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions for what is being typed: the last word completed from title words.

        Earlier words narrow the completions to titles that have them too, so
        "sejarah pen" offers "sejarah pendidikan" before "sejarah pentingnya".
        """
        words = analysis.tokens(prefix[: query_language.MAX_QUERY_CHARS])
        if not words or prefix[-1:].isspace():
            return []
        *head, last = words[-6:]
        if len(last) < 2:
            return []
        searcher = self._searcher()
        filter_query = None
        if head:
            filter_query = Query.boolean_query(
                [(Occur.Must, self._t("title", w)) for w in head if not analysis.is_stop_word(w)]
                or [(Occur.Must, Query.all_query())]
            )
        candidates = searcher.terms_with_prefix(
            "title", last, filter_query=filter_query, limit=None
        )
        candidates = [(t, n) for t, n in candidates if t != analysis.VALUE_SEPARATOR]
        candidates.sort(key=lambda item: (-item[1], item[0]))
        lead = " ".join(head)
        return [f"{lead} {term}".strip() for term, _count in candidates[:limit]]

    def spelling_suggestions(
        self,
        text: str,
        limit: int = 3,
        request: SearchQuery | None = None,
        unindexed: Unindexed | None = None,
    ) -> list[str]:
        """Other spellings of a query that would find something ("did you mean")."""
        searcher = self._searcher()
        options, _unknown = unindexed or self._unindexed_words(searcher, text)
        if not options:
            return []
        base = {word: corrections[0] for word, corrections in options.items()}
        variants = [base]
        first = next(iter(options))
        for alternative in options[first][1:limit]:
            variants.append({**base, first: alternative})
        suggestions: list[str] = []
        for variant in variants:
            suggestion = text
            for wrong, right in variant.items():
                suggestion = _replace_word(suggestion, wrong, right)
            if self._finds(searcher, suggestion, request):
                suggestions.append(suggestion)
        return list(dict.fromkeys(suggestions))[:limit]

    def broader_searches(
        self, text: str, request: SearchQuery | None = None, unindexed: Unindexed | None = None
    ) -> list[BroaderSearch]:
        """Searches wider than one that found nothing: without the words no title contains
        (their misspellings corrected), and, for plain words, any of them instead of all."""
        searcher = self._searcher()
        options, unknown = unindexed or self._unindexed_words(searcher, text)
        found: list[BroaderSearch] = []
        parsed = query_language.parse(text)
        words = list(dict.fromkeys(parsed.keywords()))
        known = [options[w][0] if w in options else w for w in words if w not in unknown]
        if unknown:
            wider = text
            for word in unknown:
                wider = _drop_word(wider, word)
            for wrong, corrections in options.items():
                wider = _replace_word(wider, wrong, corrections[0])
            wider = _tidy_query(wider)
            if query_language.parse(wider).warnings:  # an operator or field left with no word
                wider = " ".join(known)
            if wider and (total := self._finds(searcher, wider, request)):
                found.append(BroaderSearch(wider, total, tuple(unknown)))
        tree = parsed.tree
        plain = isinstance(tree, query_language.And) and all(
            isinstance(child, query_language.Term) and child.field is None and not child.prefix
            for child in tree.children
        )
        if plain:
            any_of = " OR ".join(known)
            if len(known) > 1 and (total := self._finds(searcher, any_of, request)):
                found.append(BroaderSearch(any_of, total))
        return found

    def _unindexed_words(self, searcher: tantivy.Searcher, text: str) -> Unindexed:
        """The query's words that no title contains: those with spellings that titles do
        contain (most frequent first), and those without."""
        options: dict[str, list[str]] = {}
        unknown: list[str] = []
        for word in dict.fromkeys(query_language.parse(text).keywords()):
            if searcher.doc_freq("all", word) == 0 and not word.isdigit():
                corrections = self._corrections(searcher, word)
                if corrections:
                    options[word] = corrections
                else:
                    unknown.append(word)
        return options, unknown

    def _finds(self, searcher: tantivy.Searcher, text: str, request: SearchQuery | None) -> int:
        """How many titles a query finds, within the filters of the search it widens."""
        compiled, _parsed, _warnings = self.compile(text)
        if compiled is None:
            return 0
        query = self._with_filters(compiled, request) if request is not None else compiled
        return _count(searcher.search(query, limit=1))

    def _corrections(self, searcher: tantivy.Searcher, word: str) -> list[str]:
        """Indexed words one or two edits away, most frequent first (at most 5)."""
        if len(word) < 3 or len(word) > analysis.MAX_TOKEN_LENGTH:
            return []
        found: dict[str, tuple[int, int]] = {}
        for candidate in _edits1(word):
            frequency = searcher.doc_freq("all", candidate)
            if frequency:
                found[candidate] = (1, frequency)
        if not found and len(word) >= 5:
            seen: set[str] = set()
            for start in {word[:2], word[0] + word[2], word[1] + word[0]}:
                for term, frequency in searcher.terms_with_prefix("all", start, limit=None):
                    if term in seen or abs(len(term) - len(word)) > 2:
                        continue
                    seen.add(term)
                    if _within_two_edits(word, term):
                        found[term] = (2, frequency)
        ranked = sorted(found.items(), key=lambda item: (item[1][0], -item[1][1], item[0]))
        return [term for term, _rank in ranked[:5]]


def _words(words: list[str]) -> list[str | tuple[int, str]]:
    return list(words)


def _count(found: tantivy.SearchResult) -> int:
    # `count` is there when searching with count=True; the type stub does not declare it.
    return int(getattr(found, "count", 0) or 0)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {word}


def _within_two_edits(a: str, b: str) -> bool:
    """Optimal string alignment distance (edits with transposition) of at most 2."""
    if a == b:
        return True
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > 2:
            return False
        previous2, previous = previous, current
    return previous[-1] <= 2


_FIELD_PREFIX = r"(?<![^\s(])[^\s:()\"“”]+:"
_PHRASE = re.compile(rf'({_FIELD_PREFIX})?["“”]\s*([^"“”]*?)\s*["“”]')
_EMPTY_GROUP = re.compile(rf"(?:{_FIELD_PREFIX})?\(\s*\)")
_BARE_FIELD = re.compile(rf"({_FIELD_PREFIX})(?=\s*(?:\)|$))")


def _tidy_query(text: str) -> str:
    """What is left of a query once words were taken out, written as a person would type it:
    no empty phrases or groups, no space inside quotes or parentheses, no field without a word."""
    text = _PHRASE.sub(lambda phrase: f'{phrase[1] or ""}"{phrase[2]}"' if phrase[2] else " ", text)
    while True:
        tidied = _BARE_FIELD.sub(
            lambda field: (
                " " if field[1][:-1].lower() in query_language.FIELD_ALIASES else field[0]
            ),
            text,
        )
        tidied = _EMPTY_GROUP.sub(" ", re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", tidied)))
        if tidied == text:
            return " ".join(text.split())
        text = tidied


def _drop_word(text: str, word: str) -> str:
    """Take a folded word out of what was typed, with the field or minus sign typed on it."""
    pattern = rf"(?:{_FIELD_PREFIX}|-)?(?<![^\W_]){re.escape(word)}(?![^\W_])-?"
    dropped = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return dropped if dropped != text else re.sub(pattern, " ", analysis.fold(text))


def _replace_word(text: str, wrong: str, right: str) -> str:
    """Replace a folded word in what was typed, keeping how it was capitalised."""
    pattern = rf"(?<![^\W_]){re.escape(wrong)}(?![^\W_])"

    def cased(match: re.Match[str]) -> str:
        typed = match.group(0)
        if typed.isupper() and len(typed) > 1:
            return right.upper()
        if typed[:1].isupper():
            return right[:1].upper() + right[1:]
        return right

    replaced = re.sub(pattern, cased, text, flags=re.IGNORECASE)
    if replaced == text:  # typed with diacritics or other folding: fall back to the folded text
        replaced = re.sub(pattern, right, analysis.fold(text))
    return replaced
