"""Do two records describe the same manifestation (the same edition)? Pure functions.

How a record is placed (the clustering service calls these):

1. `exact_keys` — standard identifiers (ISBN-13, ISSN of a serial, DOI, LCCN, OCLC
   number). Sharing one makes two records candidates, never a match by itself:
   ISBNs are wrongly shared in real data (a set ISBN on every volume, the
   paperback's ISBN in the hardback record, reused or cancelled numbers).
2. `blocking_keys` — cheap keys from the normalised title, first author and year,
   so that records without identifiers meet their candidates.
3. `compare` — a scored comparison in the manner of Fellegi and Sunter: every
   field that agrees or disagrees adds or subtracts weight (log-odds), and some
   disagreements veto a match outright whatever else agrees: another format,
   language, volume or edition, different numbers in the title, a title that is
   not the same at all. A match needs `SAME_THRESHOLD`; between
   `REVIEW_THRESHOLD` and that, a librarian may want to look.
4. `work_key` — the same for every edition of a work, to link "other editions"
   that are kept apart.

Each piece of evidence becomes a reason a librarian can read ("same ISBN
9786020…", "titles 0.97 similar", "different edition: 2 vs 3"), translated when
it is read. The evaluation is in `bench/clustering_eval.py`; see docs/clustering.md.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from simpul.catalog import isbn as identifiers
from simpul.catalog import normalise as norm
from simpul.catalog.bibliographic import BibRecord, MaterialType

# Weights are log-odds: positive for agreement, negative for disagreement.
PRIOR = -3.5  # two records that share a key but of which nothing else is known
SAME_THRESHOLD = 4.0  # total weight from which two records are one manifestation
REVIEW_THRESHOLD = 1.5  # below SAME_THRESHOLD but worth a librarian's look
VETO = -20.0  # a disagreement no agreement can outweigh

W_IDENTIFIER = 6.0
W_ISBN_DIFFERENT = -2.0
W_IDENTIFIER_DIFFERENT = -3.0
W_TITLE = ((0.95, 5.0), (0.88, 4.0), (0.80, 2.0), (0.70, 0.0), (0.50, -6.0))
W_TITLE_SHORT = ((0.95, 3.0), (0.88, 2.0), (0.80, 0.5), (0.70, 0.0), (0.50, -6.0))
SHORT_TITLE_WORDS = 3  # titles of up to this many significant words prove little alone
TYPO_SIMILARITY = 0.9  # a short title one typing error away from the other
W_SUBTITLE_SAME = 0.5
W_SUBTITLE_DIFFERENT = -4.0
W_AUTHOR_SAME = 3.0
W_AUTHOR_COMPATIBLE = 2.5
W_AUTHOR_DIFFERENT = -5.0
W_AUTHOR_IN_STATEMENT = 1.5
# Neither record names an author: most books have one, so two records that share a title
# and both lack one agree on something (sound recordings, serials, anonymous works).
W_NO_AUTHORS = 1.0
W_YEAR_SAME = 1.5
W_YEAR_CLOSE = 0.0  # copyright year in one record, printing year in the other
W_YEAR_PRINTING = -0.5
W_YEAR_NEAR = -2.5  # two or three years: often an unrecorded later printing
YEAR_NEAR = 3
YEAR_FAR = 4  # years apart from which only a printing statement can explain the gap
W_PUBLISHER_SAME = 1.5
W_PUBLISHER_SIMILAR = 1.0
W_PUBLISHER_DIFFERENT = -2.5
W_EDITION_SAME = 1.5
W_EDITION_ONE_SIDED = -4.0
W_EDITION_REVISED = -2.0
W_PAGES_SAME = 1.0
W_PAGES_DIFFERENT = -2.5
W_NUMBER_ONE_SIDED = -3.0
W_TYPE_SOFT = -3.0
W_TRANSLATION_ONE_SIDED = -3.0
W_WORDS_DIFFERENT = -5.0  # each title has words the other lacks: "Biodiesel" vs "Fuel Ethanol"
# Evidence that, in a pair that does not match, rules out the other's whole cluster
# (`compare_to_cluster`): the two titles say different things.
CONTRADICTING = frozenset({"different_words", "different_subtitle"})
W_BEGINS_DIFFERENTLY = -2.5  # "Vtoroi pokrov ..." (the second) vs "Pokrov ..."

# Printed text in another binding or as a thesis is close; any other difference is a
# different format (print vs e-book vs microform vs sound recording ...).
TEXT_TYPES = frozenset({MaterialType.BOOK, MaterialType.THESIS, MaterialType.MANUSCRIPT})
_UNKNOWN_LANGUAGES = frozenset({"", "und", "mul", "zxx", "mis", "###", "|||"})
# Words saying that a record describes a translation: the Indonesian ones are said of the
# book in hand wherever they stand; "translation" in an English subtitle is often about
# the content ("A translation of the twelfth-century Disciplina Clericalis").
_TRANSLATION_WORDS = frozenset(
    {"terjemahan", "penerjemah", "penterjemah", "diterjemahkan", "translated", "translation",
     "traduction", "traduit", "ubersetzt", "ubersetzung"}
)  # fmt: skip
_TRANSLATION_PHRASES = (
    "versi bahasa indonesia", "edisi bahasa indonesia", "alih bahasa", "dalam bahasa indonesia",
    "indonesian edition", "indonesian version",
)  # fmt: skip


def _says_translation(text: str, *, phrases_only: bool = False) -> bool:
    if any(phrase in text for phrase in _TRANSLATION_PHRASES):
        return True
    return not phrases_only and bool(_TRANSLATION_WORDS.intersection(text.split()))


_NO_SPELLING_REFORM = frozenset({"eng", "fre", "ger", "dut", "spa", "ita", "por", "rus", "ara"})

MESSAGES: dict[str, Any] = {
    "same_isbn": _("same ISBN %(value)s"),
    "different_isbn": _("different ISBNs: %(a)s vs %(b)s"),
    "same_identifier": _("same %(scheme)s %(value)s"),
    "different_identifier": _("different %(scheme)s: %(a)s vs %(b)s"),
    "different_format": _("different format: %(a)s vs %(b)s"),
    "different_type": _("different material type: %(a)s vs %(b)s"),
    "different_language": _("different language: %(a)s vs %(b)s"),
    "same_title": _("same title"),
    "similar_title": _("titles %(sim).2f similar"),
    "short_title": _("short title: agreement on it proves little alone"),
    "different_title": _("different titles (%(sim).2f similar)"),
    "same_subtitle": _("subtitles %(sim).2f similar"),
    "different_subtitle": _("different subtitles: “%(a)s” vs “%(b)s”"),
    "ambiguous_subtitle": _(
        "no subtitle, and matches titles whose subtitles differ (“%(a)s”, “%(b)s”): "
        "kept apart until a librarian decides"
    ),
    "different_numbers": _("different numbers in the title: %(a)s vs %(b)s"),
    "number_one_side": _("number %(a)s in one title only"),
    "different_words": _("words in one title only: %(a)s vs %(b)s"),
    "begins_differently": _("titles begin differently: %(a)s vs %(b)s"),
    "same_volume": _("same volume: %(a)s"),
    "different_volume": _("different volume: %(a)s vs %(b)s"),
    "volume_one_side": _("volume %(a)s vs no volume"),
    "same_edition": _("same edition: %(a)s"),
    "different_edition": _("different edition: %(a)s vs %(b)s"),
    "edition_one_side": _("edition %(a)s vs no edition stated"),
    "revised_one_side": _("revised edition vs not revised"),
    "translation_one_side": _("one record describes a translation"),
    "pages_and_year": _("another edition: different pages and year %(ya)s vs %(yb)s"),
    "isbn_and_year": _("another printing or edition: different ISBNs and year %(ya)s vs %(yb)s"),
    "edition_and_pages": _("another edition: edition %(a)s vs %(b)s and different pages"),
    "edition_and_year": _("another edition: edition %(a)s vs %(b)s, year %(ya)s vs %(yb)s"),
    "same_year": _("same year: %(a)s"),
    "year_close": _("years differ by one: %(a)s vs %(b)s"),
    "year_printing": _("years %(a)s vs %(b)s, explained by a later printing"),
    "different_year": _("different year: %(a)s vs %(b)s"),
    "same_publisher": _("same publisher: %(a)s"),
    "similar_publisher": _("similar publishers: %(a)s / %(b)s"),
    "different_publisher": _("different publisher: %(a)s vs %(b)s"),
    "same_pages": _("same number of pages: %(a)s"),
    "different_pages": _("different number of pages: %(a)s vs %(b)s"),
    "same_author": _("same author: %(a)s"),
    "compatible_author": _("compatible author names: %(a)s / %(b)s"),
    "different_author": _("different authors: %(a)s vs %(b)s"),
    "no_authors": _("neither record names an author"),
    "author_in_statement": _("author %(a)s named in the statement of responsibility"),
}


class Evidence(NamedTuple):
    """One observation behind a decision: a message code, its parameters, its weight."""

    code: str
    weight: float
    params: dict[str, Any]
    veto: bool = False

    def __str__(self) -> str:
        return str(MESSAGES[self.code]) % self.params

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "weight": self.weight, "params": self.params}


def describe(evidence: list[dict[str, Any]]) -> list[str]:
    """Reasons stored with `Evidence.as_json`, in the reader's language."""
    return [str(MESSAGES[e["code"]]) % e["params"] for e in evidence if e["code"] in MESSAGES]


@dataclass(slots=True)
class MatchResult:
    """The verdict on a pair: `same` manifestation or not, a score in [0, 1], and why."""

    score: float
    same: bool
    evidence: list[Evidence]
    total: float = 0.0  # the summed weight (log-odds) behind `score`

    @property
    def reasons(self) -> list[str]:
        """Human-readable reasons, strongest first, in the active language."""
        ordered = sorted(self.evidence, key=lambda e: (not e.veto, -abs(e.weight)))
        return [str(e) for e in ordered]

    @property
    def review(self) -> bool:
        """Not the same by the rules, but close enough for a librarian to look at."""
        return not self.same and self.total >= REVIEW_THRESHOLD and not self.vetoed

    @property
    def vetoed(self) -> bool:
        return any(e.veto for e in self.evidence)


# --- features: everything compare needs, computed once per record ----------------------


@dataclass(frozen=True, slots=True)
class Features:
    main: str
    subtitle: str
    main_grams: frozenset[str]
    sub_grams: frozenset[str]
    full_grams: frozenset[str]
    alt_main_grams: frozenset[str] | None  # the title read in the pre-1972 spelling
    alt_full_grams: frozenset[str] | None
    significant: tuple[str, ...]
    alt_significant: tuple[str, ...] | None
    words: frozenset[str]  # significant words of title and subtitle, as written and modern
    full_words: int
    translated: bool  # the main title or edition says "terjemahan", "translated", ...
    translated_sub: bool  # the subtitle does
    numbers: frozenset[str]
    sub_numbers: frozenset[str]
    volumes: frozenset[str]
    edition: norm.EditionInfo
    authors: tuple[tuple[str, ...], ...]
    surnames: tuple[str, ...]
    statement: frozenset[str]  # name words in the statement of responsibility
    publisher: str  # normalised, known variants as one name
    publisher_plain: str  # normalised words as written, without legal forms (for typos)
    publisher_grams: frozenset[str]
    year: int | None
    pages: int | None
    material: str
    languages: frozenset[str]
    isbns: frozenset[str]
    issns: frozenset[str]
    doi: str
    lccn: str
    oclc: str

    if not TYPE_CHECKING:  # mypy is to keep checking attribute names

        def __getattr__(self, name: str) -> Any:
            """A trigram set, made when first asked for (`_made`): most stored candidates
            are ruled out by edition and year before their titles are weighed."""
            make = _GRAM_MAKERS.get(name)
            if make is None:
                raise AttributeError(name)
            value = make(self)
            _SLOT_SETTERS[name](self, value)
            return value


def _old_spelling_grams(text: str, f: Features) -> frozenset[str] | None:
    """Set exactly when the title reads differently in the modern spelling (see `prepare`)."""
    if f.alt_significant is None:
        return None
    return trigrams(norm.indonesian_old_spelling(text))


def _full_title(f: Features) -> str:
    return f"{f.main} {f.subtitle}".strip()


_GRAM_MAKERS: dict[str, Callable[[Features], frozenset[str] | None]] = {
    "main_grams": lambda f: trigrams(f.main),
    "sub_grams": lambda f: trigrams(f.subtitle),
    "full_grams": lambda f: trigrams(_full_title(f)),
    "alt_main_grams": lambda f: _old_spelling_grams(f.main, f),
    "alt_full_grams": lambda f: _old_spelling_grams(_full_title(f), f),
    "publisher_grams": lambda f: trigrams(f.publisher.replace(" ", "")),
}
# The slots themselves: a frozen dataclass refuses plain assignment.
_SLOT_SETTERS = {f.name: getattr(Features, f.name).__set__ for f in fields(Features)}


def _made(**values: Any) -> Features:
    """Features from all but the trigram sets, which are made from these when first asked
    for (`_GRAM_MAKERS`, the one place that says how)."""
    if values.keys() != _STORED_NAMES:  # what the constructor would have checked
        raise TypeError(f"Features fields missing or unknown: {values.keys() ^ _STORED_NAMES}")
    made = object.__new__(Features)
    for name, value in values.items():
        _SLOT_SETTERS[name](made, value)
    return made


def _pickled_as_tuples(cls: type) -> None:
    """Pickle a frozen, slotted dataclass as the tuple of its values. The `__setstate__`
    dataclasses give such a class looks its fields up again for every object, which cost
    a fifth of handing a page's prepared records from the reading process to the writing."""
    names = tuple(f.name for f in fields(cls))
    values = operator.attrgetter(*names)
    setters = tuple(getattr(cls, name).__set__ for name in names)  # the slots themselves

    def get_state(self: Any) -> tuple[Any, ...]:
        return values(self)

    def set_state(self: Any, state: tuple[Any, ...]) -> None:
        for set_slot, value in zip(setters, state, strict=True):
            set_slot(self, value)

    setattr(cls, "__getstate__", get_state)  # noqa: B010 (mypy will not see methods replaced)
    setattr(cls, "__setstate__", set_state)  # noqa: B010


_pickled_as_tuples(Features)
_pickled_as_tuples(norm.EditionInfo)


def trigrams(text: str) -> frozenset[str]:
    """The text's trigrams, each interned: records share most of theirs, and an import keeps
    thousands of prepared records (a third of their memory was copies of the same trigrams)."""
    if not text:
        return frozenset()
    padded = f" {text} "
    return frozenset(map(sys.intern, [padded[i : i + 3] for i in range(len(padded) - 2)]))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two trigram sets: 1.0 for equal strings, 0.0 for nothing shared."""
    if not a or not b:
        return 0.0
    return 2.0 * len(a & b) / (len(a) + len(b))


def _isbns(values: list[str]) -> frozenset[str]:
    found = set()
    for value in values:
        if len(value) == 13 and value.isdigit():
            found.add(value)
        else:
            normalised = identifiers.normalise_isbn(value)
            if normalised:
                found.add(normalised)
    return frozenset(found)


def _issns(values: list[str]) -> frozenset[str]:
    return frozenset(n for n in (identifiers.normalise_issn(v) for v in values) if n)


def prepare(rec: BibRecord) -> Features:
    """Normalise a record once for any number of comparisons."""
    parts = norm.title_parts(rec.title, rec.subtitle, rec.edition)
    full = f"{parts.main} {parts.subtitle}".strip()
    languages = frozenset(
        code.lower() for code in rec.languages if code.lower() not in _UNKNOWN_LANGUAGES
    )
    significant = tuple(t for t in parts.main.split() if t not in norm.STOPWORDS) or tuple(
        parts.main.split()
    )
    alt_significant = None  # set exactly when the title reads otherwise in the new spelling
    modern_full = full
    if not (languages and languages <= _NO_SPELLING_REFORM) and norm.has_old_spelling(full):
        modern_main = norm.indonesian_old_spelling(parts.main)
        modern_full = norm.indonesian_old_spelling(full)
        if modern_full != full:
            alt_significant = tuple(t for t in modern_main.split() if t not in norm.STOPWORDS)
    authors = tuple(t for t in (norm.name_tokens(a) for a in rec.authors[:5]) if t)
    surnames = tuple(s for s in (norm.surname_key(a) for a in rec.authors[:2]) if s)
    statement: frozenset[str] = frozenset()
    if rec.responsibility:
        text = norm.fold_diacritics(rec.responsibility).lower()
        statement = frozenset(
            form
            for w in norm._NON_WORD.sub(" ", text).split()
            if len(w) > 1
            for form in (w, norm.name_spelling(w))
        )
    publisher = norm.normalise_publisher(rec.publisher) if rec.publisher else ""
    material = rec.material_type.value if rec.material_type else ""
    return _made(
        main=parts.main,
        subtitle=parts.subtitle,
        significant=significant,
        alt_significant=alt_significant,
        words=frozenset(t for t in f"{full} {modern_full}".split() if t not in norm.STOPWORDS),
        full_words=len([t for t in full.split() if t not in norm.STOPWORDS]),
        translated=_says_translation(f"{parts.main} {norm.normalise_title(rec.edition)}")
        or _says_translation(parts.subtitle, phrases_only=True)
        or "terjemahan" in parts.subtitle.split(),
        translated_sub=_says_translation(parts.subtitle),
        numbers=parts.numbers,
        sub_numbers=parts.sub_numbers,
        volumes=parts.volumes,
        edition=parts.edition,
        authors=authors,
        surnames=surnames,
        statement=statement,
        publisher=publisher,
        publisher_plain="".join(norm.publisher_words(rec.publisher)) if rec.publisher else "",
        year=rec.year if rec.year and 1000 <= rec.year <= 2100 else None,
        pages=norm.parse_pages(rec.extent),
        material=material,
        languages=languages,
        isbns=_isbns(rec.isbns),
        issns=_issns(rec.issns),
        doi=identifiers.normalise_doi(rec.doi) if rec.doi else "",
        lccn=identifiers.normalise_lccn(rec.lccn) if rec.lccn else "",
        oclc=rec.oclc.strip().lstrip("0") if rec.oclc else "",
    )


_CACHE_ATTRIBUTE = "_simpul_match_features"


def _fingerprint(rec: BibRecord) -> tuple[Any, ...]:
    return (
        rec.title, rec.subtitle, rec.responsibility, tuple(rec.authors), rec.publisher,
        rec.year, rec.edition, rec.extent, tuple(rec.isbns), tuple(rec.issns), rec.doi,
        rec.lccn, rec.oclc, tuple(rec.languages), rec.material_type,
    )  # fmt: skip


def features(rec: BibRecord | Features) -> Features:
    """`prepare(rec)`, remembered on the record object until one of its fields changes."""
    if isinstance(rec, Features):
        return rec
    fingerprint = _fingerprint(rec)
    cached = getattr(rec, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    prepared = prepare(rec)
    setattr(rec, _CACHE_ATTRIBUTE, (fingerprint, prepared))
    return prepared


# --- stored form ------------------------------------------------------------------------
#
# A prepared record is stored beside the record (`Record.match_form`), so that a stored
# candidate is not normalised again each time a new record may match it: in a large
# catalogue most candidates are no longer in memory, and normalising them was the
# dearest step of an import. The trigram sets are left out (made from the strings when
# first asked for, to keep rows small). The form is tagged with a digest of the code
# that derives it: after any change to that code, a stored form no longer counts and is
# made again.

_GRAM_FIELDS = frozenset(_GRAM_MAKERS)
_STORED_FIELDS = tuple(f.name for f in fields(Features) if f.name not in _GRAM_FIELDS)
_STORED_NAMES = frozenset(_STORED_FIELDS)
_SET_FIELDS = frozenset(
    {"words", "numbers", "sub_numbers", "volumes", "statement", "languages", "isbns", "issns"}
)
_TUPLE_FIELDS = frozenset({"significant", "alt_significant", "surnames"})
FORM_TAG = (
    b"mf"
    + hashlib.sha256(
        b"".join(
            Path(module).read_bytes() for module in (__file__, norm.__file__, identifiers.__file__)
        )
    )
    .hexdigest()[:12]
    .encode()
    + b":"
)


def _plain(name: str, value: Any) -> Any:
    if name in _SET_FIELDS:
        return sorted(value)
    if name == "edition":
        return [value.number, value.printing, value.revised]
    return value


def stored_form(f: Features) -> bytes:
    """What `prepare` derived, as bytes to keep with the record (JSON of plain values)."""
    values = [_plain(name, getattr(f, name)) for name in _STORED_FIELDS]
    return FORM_TAG + json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def from_stored_form(data: bytes) -> Features | None:
    """The prepared record a stored form holds; None when the code that wrote it differs."""
    if not data.startswith(FORM_TAG):
        return None
    values = dict(zip(_STORED_FIELDS, json.loads(data[len(FORM_TAG) :]), strict=True))
    for name in _SET_FIELDS:
        values[name] = frozenset(values[name])
    for name in _TUPLE_FIELDS:
        if values[name] is not None:
            values[name] = tuple(values[name])
    values["authors"] = tuple(map(tuple, values["authors"]))
    values["edition"] = norm.EditionInfo(*values["edition"])
    return _made(**values)


# --- keys -------------------------------------------------------------------------------


def exact_keys(rec: BibRecord | Features) -> set[str]:
    """Identifier keys: "isbn:9786020...", "issn:..." (serials only), "doi:", "lccn:", "oclc:".

    A series ISSN in a book record is no key: every book of the series would share it.
    """
    f = features(rec)
    keys = {f"isbn:{i}" for i in f.isbns}
    if f.material == MaterialType.SERIAL:
        keys |= {f"issn:{i}" for i in f.issns}
    if f.doi:
        keys.add(f"doi:{f.doi}"[:200])
    if f.lccn:
        keys.add(f"lccn:{f.lccn}")
    if f.oclc:
        keys.add(f"oclc:{f.oclc}")
    return keys


def _joined(words: tuple[str, ...]) -> str:
    return "_".join(w[:16] for w in words)


def blocking_keys(rec: BibRecord | Features) -> set[str]:
    """Cheap keys that records of one manifestation almost always share.

    "t:" the first three significant title words; "e:" the last three of a long title
    (for a typo early in it); "a:" the first author's surname with the first three
    letters of the title (for a typo later in a short title, and whatever the years
    say); "z:" the surname with the first letters of the title's last word (for a typo
    in the first word of a short title: "Sppearheads for reform"). Both spellings of a
    pre-1972 title get keys.
    """
    f = features(rec)
    keys: set[str] = set()
    for words in (f.significant, f.alt_significant):
        if not words:
            continue
        keys.add("t:" + _joined(words[:3]))
        if len(words) >= 5:
            keys.add("e:" + _joined(words[-3:]))
        if f.surnames:
            surname = f.surnames[0][:30]
            keys.add(f"a:{surname}:{words[0][:3]}")
            if len(words) >= 2 and words[-1][:3] != words[0][:3]:
                keys.add(f"z:{surname}:{words[-1][:3]}")
    return keys


# Uniform titles that name a kind of writing, not a work: every compilation of a
# composer's operas or a country's laws has one, so they link nothing (normalised form).
COLLECTIVE_UNIFORM_TITLES = frozenset(
    {"works", "selections", "laws etc", "treaties etc", "correspondence", "essays", "letters",
     "novels", "plays", "poems", "poetry", "prose works", "short stories", "speeches", "songs",
     "stories", "writings", "operas", "symphonies", "concertos", "sonatas", "quartets", "karya",
     "karya karya", "undang undang"}
)  # fmt: skip


def _work_words(uniform_title: str) -> tuple[str, ...]:
    """Significant words of a uniform title; none for a collective one ("Laws, etc.",
    "Organ music")."""
    main = norm.title_parts(uniform_title, "", "").main
    if not main or main in COLLECTIVE_UNIFORM_TITLES or main.endswith(" music"):
        return ()
    return tuple(t for t in main.split() if t not in norm.STOPWORDS) or tuple(main.split())


def work_key(rec: BibRecord | Features, uniform_title: str = "") -> str:
    """The same for every edition (and volume) of a work: title words and first author.

    Editions and volumes differ in edition/volume statements, year, pages and
    identifiers, none of which is in the key. A translation under another title shares
    it when a record of it gives the original's uniform title (MARC 240): that title's
    words stand for the title proper's.
    """
    f = features(rec)
    words = _work_words(uniform_title) or f.alt_significant or f.significant
    author = f.surnames[0] if f.surnames else ""
    return f"w:{_joined(words[:8])}|{author[:30]}"[:200]


# --- comparing --------------------------------------------------------------------------


def _within_one_edit(a: str, b: str) -> bool:
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        differing = sum(map(operator.ne, a, b))  # counted without a Python loop
        if differing <= 1:
            return True
        if differing > 2:
            return False
        # Two letters swapped: the second difference is the next letter, each the other's.
        i = next(k for k in range(la) if a[k] != b[k])
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _close(a: str, b: str) -> bool:
    return len(a) >= 3 and len(b) >= 3 and _within_one_edit(a, b)


def _same_name_word(a: str, b: str) -> bool:
    if a == b:
        return True
    modern_a, modern_b = norm.name_spelling(a), norm.name_spelling(b)
    # Most names have no old spelling, and then the words themselves were just compared.
    return (modern_a is not a or modern_b is not b) and modern_a == modern_b


def _close_name_word(a: str, b: str) -> bool:
    if _close(a, b):
        return True
    modern_a, modern_b = norm.name_spelling(a), norm.name_spelling(b)
    return (modern_a is not a or modern_b is not b) and _close(modern_a, modern_b)


def _within_two_edits(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def _explained(word: str, others: frozenset[str]) -> bool:
    """A word of one title that the other title has too: mistyped (twice in a long word,
    once per record), split or joined ("sehari-hari" / "seharihari")."""
    for other in others:
        if (
            _close(word, other)
            or (len(word) >= 3 and word in other)
            or (len(other) >= 3 and other in word)
            or (
                len(word) >= 6
                and len(other) >= 6
                and abs(len(word) - len(other)) <= 2
                and len(set(word) - set(other)) <= 2
                and _within_two_edits(word, other)
            )
        ):
            return True
    return False


def _first_words(f: Features) -> tuple[str, ...]:
    """The first title word, in both spellings; none when too short to tell ("th")."""
    first = f.significant[:1]
    if f.alt_significant:
        first += f.alt_significant[:1]
    return tuple(w for w in first if len(w) >= 4)


def _unexplained(a: frozenset[str], b: frozenset[str]) -> list[str]:
    """Words of `a` that `b` lacks; words under four letters are too short to tell."""
    return sorted(w for w in a - b if len(w) >= 4 and not w.isdigit() and not _explained(w, b))


# Initials of names whose spelling changed in 1972: "D." stands for "Djoko" = "Joko".
_INITIAL_ALIASES = {"d": "j", "t": "c"}


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1.0 same name; 0.9 same with initials; 0.8 one a shortened form; 0.0-0.2 another person.

    Word order is ignored, so inverted and direct forms agree; a one-letter word is an
    initial and agrees with any word of that letter; one typo per long word is forgiven.
    """
    if a == b:
        return 1.0
    full_a = [t for t in a if len(t) > 1]
    full_b = [t for t in b if len(t) > 1]
    rest_b = list(full_b)
    rest_a: list[str] = []
    matched = 0
    fuzzy = False
    for token in full_a:
        same = next((other for other in rest_b if _same_name_word(token, other)), None)
        if same is not None:
            rest_b.remove(same)
            matched += 1
        else:
            rest_a.append(token)
    for token in list(rest_a):
        for other in rest_b:
            if _close_name_word(token, other):
                rest_a.remove(token)
                rest_b.remove(other)
                matched += 1
                fuzzy = True
                break
    if not matched:
        # "W. R." for "Widada R": every initial of an all-initials name fits a word.
        if full_a and full_b:
            return 0.0
        only_initials, words = (a, b) if not full_a else (b, a)
        letters = sorted(w[0] for w in words)
        return 0.75 if only_initials and sorted(only_initials) == letters else 0.0
    initials_a = [t for t in a if len(t) == 1]
    initials_b = [t for t in b if len(t) == 1]
    used_initials = False
    for rest, initials in ((rest_a, initials_b), (rest_b, initials_a)):
        for token in list(rest):
            for initial in initials:
                if token[0] == initial or token[0] == _INITIAL_ALIASES.get(initial):
                    initials.remove(initial)
                    rest.remove(token)
                    used_initials = True
                    break
    for initial in list(initials_a):
        if initial in initials_b:
            initials_a.remove(initial)
            initials_b.remove(initial)
    left_a = rest_a + initials_a
    left_b = rest_b + initials_b
    if left_a and left_b:
        return 0.2  # "Bambang Sutrisno" and "Agus Sutrisno"
    if left_a or left_b:
        return 0.8
    if used_initials or fuzzy:
        return 0.9
    return 1.0


def authors_similarity(
    a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]
) -> tuple[float, str, str]:
    """Best agreement between the first authors of two records, and which names gave it."""
    best = (-1.0, "", "")
    for name_a in a[:3]:
        for name_b in b[:3]:
            sim = name_similarity(name_a, name_b)
            if sim > best[0]:
                best = (sim, " ".join(name_a), " ".join(name_b))
                if sim == 1.0:
                    return best
    return best


def publisher_similarity(a: Features, b: Features) -> float:
    if a.publisher == b.publisher:
        return 1.0
    words_a, words_b = set(a.publisher.split()), set(b.publisher.split())
    if words_a and words_b and (words_a <= words_b or words_b <= words_a):
        return 0.9
    sim = dice(a.publisher_grams, b.publisher_grams)
    if sim < 0.8:
        for compact_a, compact_b in (
            (a.publisher.replace(" ", ""), b.publisher.replace(" ", "")),
            (a.publisher_plain, b.publisher_plain),
        ):
            if len(compact_a) >= 4 and _within_one_edit(compact_a, compact_b):
                return 0.8  # "Spektrum" / "Spetrum", "RajaaGrafindo Persada"
    return sim


# The last pair of prepared records whose titles were compared, with the result: the full
# comparison of a pair asks again what the quick veto has just asked. Features are frozen,
# and held here, so the same objects are the same titles.
_last_titles: tuple[Features | None, Features | None, tuple[float, float]] = (None, None, (0, 0))


def _best_dice(
    a: frozenset[str], alt_a: frozenset[str] | None, b: frozenset[str], alt_b: frozenset[str] | None
) -> float:
    """The better similarity of two titles, each as written and in its modern spelling."""
    if alt_a is None and alt_b is None:
        return dice(a, b)  # most titles: one spelling each
    forms_a = [a] if alt_a is None else [a, alt_a]
    forms_b = [b] if alt_b is None else [b, alt_b]
    return max(dice(x, y) for x in forms_a for y in forms_b)


def _title_similarity(a: Features, b: Features) -> tuple[float, float]:
    """(main title similarity, whole title similarity), the better of both spellings."""
    global _last_titles
    last = _last_titles
    if last[0] is a and last[1] is b:
        return last[2]
    main = _best_dice(a.main_grams, a.alt_main_grams, b.main_grams, b.alt_main_grams)
    full = _best_dice(a.full_grams, a.alt_full_grams, b.full_grams, b.alt_full_grams)
    if main < TYPO_SIMILARITY and len(a.main) <= 30 and _within_one_edit(a.main, b.main):
        main = TYPO_SIMILARITY  # "Natrue" for "Nature": trigrams punish short titles
    _last_titles = (a, b, (main, full))
    return main, full


def _step(value: float, table: tuple[tuple[float, float], ...], below: float) -> float:
    for bound, weight in table:
        if value >= bound:
            return weight
    return below


def _edition_label(info: norm.EditionInfo) -> str:
    if info.number is not None:
        return str(info.number)
    return "rev." if info.revised else "-"


def _sorted(values: frozenset[str]) -> str:
    return ", ".join(sorted(values, key=lambda v: (len(v), v)))


def _another_edition(ea: norm.EditionInfo, eb: norm.EditionInfo) -> bool:
    """Whether one record states a later (or revised) edition and the other states none."""
    if ea.number is not None and eb.number is not None:
        return False  # both stated: equal, or vetoed as different editions
    stated = ea.number if ea.number is not None else eb.number
    if stated is not None:
        return stated >= 2
    return ea.revised != eb.revised


def _pages_differ(fa: Features, fb: Features) -> bool:
    if not (fa.pages and fb.pages):
        return False
    gap = abs(fa.pages - fb.pages)
    return gap > 5 and gap > 0.06 * max(fa.pages, fb.pages)


# The verdicts of `_years_verdict` that rule a pair out, whatever else agrees.
YEAR_VETOES = frozenset({"edition_and_year", "pages_and_year", "isbn_and_year", "far_year"})


def _years_verdict(
    fa: Features, fb: Features, another_edition: bool, pages_differ: bool
) -> str | None:
    """What the two years say, given what edition and pages said; None without two years.
    A gap of years is weighed with what else differs: another edition, other pages or
    another ISBN in another year is another publication."""
    if not (fa.year and fb.year):
        return None
    gap = abs(fa.year - fb.year)
    if gap == 0:
        return "same_year"
    if another_edition:
        return "edition_and_year"
    if pages_differ:
        return "pages_and_year"
    if fa.isbns and fb.isbns and not fa.isbns & fb.isbns:
        # A reprint that kept its manifestation keeps its ISBN; a new ISBN in another
        # year is a new printing registered as its own publication.
        return "isbn_and_year"
    # Only a later printing of the later record explains a gap: "Cet. 3, 2019".
    later = fa.edition if fa.year > fb.year else fb.edition
    if later.printing is not None and later.printing >= 2 and gap <= 3 * YEAR_FAR:
        return "year_printing"
    if gap == 1:
        return "year_close"
    if gap <= YEAR_NEAR:
        return "near_year"
    return "far_year"


def compare(a: BibRecord | Features, b: BibRecord | Features) -> MatchResult:
    """Whether `a` and `b` describe the same manifestation, with a score and the reasons."""
    fa, fb = features(a), features(b)
    evidence: list[Evidence] = []
    add: Callable[..., None] = lambda code, weight, **params: evidence.append(  # noqa: E731
        Evidence(code, weight, params)
    )

    def veto(code: str, **params: Any) -> None:
        evidence.append(Evidence(code, VETO, params, veto=True))

    # Identifiers.
    shared_isbns = fa.isbns & fb.isbns
    if shared_isbns:
        add("same_isbn", W_IDENTIFIER, value=min(shared_isbns))
    elif fa.isbns and fb.isbns:
        add("different_isbn", W_ISBN_DIFFERENT, a=min(fa.isbns), b=min(fb.isbns))
    for scheme, value_a, value_b in (
        ("DOI", fa.doi, fb.doi), ("LCCN", fa.lccn, fb.lccn), ("OCLC", fa.oclc, fb.oclc),
    ):  # fmt: skip
        if value_a and value_b:
            if value_a == value_b:
                add("same_identifier", W_IDENTIFIER, scheme=scheme, value=value_a)
            else:
                add("different_identifier", W_IDENTIFIER_DIFFERENT, scheme=scheme, a=value_a,
                    b=value_b)  # fmt: skip
    serials = fa.material == MaterialType.SERIAL and fb.material == MaterialType.SERIAL
    if serials and fa.issns and fb.issns:
        shared_issns = fa.issns & fb.issns
        if shared_issns:
            add("same_identifier", W_IDENTIFIER, scheme="ISSN", value=min(shared_issns))
        else:
            add("different_identifier", W_IDENTIFIER_DIFFERENT, scheme="ISSN",
                a=min(fa.issns), b=min(fb.issns))  # fmt: skip

    # Format and language.
    if fa.material != fb.material and fa.material and fb.material:
        if fa.material in TEXT_TYPES and fb.material in TEXT_TYPES:
            add("different_type", W_TYPE_SOFT, a=fa.material, b=fb.material)
        else:
            veto("different_format", a=fa.material, b=fb.material)
    if fa.languages and fb.languages and not fa.languages & fb.languages:
        veto("different_language", a=_sorted(fa.languages), b=_sorted(fb.languages))

    # Authors (first: agreeing authors make a short title count in full).
    authors_agree = False
    if fa.authors and fb.authors:
        asim, name_a, name_b = authors_similarity(fa.authors, fb.authors)
        authors_agree = asim >= 0.75
        if asim >= 0.99:
            add("same_author", W_AUTHOR_SAME, a=name_a)
        elif asim >= 0.75:
            add("compatible_author", W_AUTHOR_COMPATIBLE, a=name_a, b=name_b)
        elif asim < 0.5:
            add("different_author", W_AUTHOR_DIFFERENT, a=name_a, b=name_b)
    elif fa.authors or fb.authors:
        named, statement = (fa, fb) if fa.surnames else (fb, fa)
        if named.surnames and named.surnames[0] in statement.statement:
            add("author_in_statement", W_AUTHOR_IN_STATEMENT, a=named.surnames[0])
    else:
        add("no_authors", W_NO_AUTHORS)

    # Title.
    main_sim, full_sim = _title_similarity(fa, fb)
    sim = max(main_sim, full_sim)
    subtitles_differ = False
    if fa.subtitle and fb.subtitle and main_sim >= 0.85:
        sub_sim = dice(fa.sub_grams, fb.sub_grams)
        smaller = min(len(fa.sub_grams), len(fb.sub_grams))
        contained = len(fa.sub_grams & fb.sub_grams) / smaller if smaller else 0.0
        if sub_sim >= 0.8 or contained >= 0.9:
            add("same_subtitle", W_SUBTITLE_SAME, sim=sub_sim)
        elif sub_sim < 0.5:
            subtitles_differ = True
            add("different_subtitle", W_SUBTITLE_DIFFERENT, a=fa.subtitle[:60],
                b=fb.subtitle[:60])  # fmt: skip
            # "Perl : programmer's reference" and "Perl : the complete reference": the main
            # title is shared, so judge the whole title (a subtitle never vetoes alone).
            sim = max(full_sim, W_TITLE[-1][0])
    # A short title ("Pengantar akuntansi") is shared by many books: alone, or with only a
    # publisher and year beside it, it proves little.
    # Serials have no authors; their title and publisher are what identify them.
    short = (
        not authors_agree
        and not serials
        and (bool(fa.authors or fb.authors) or fa.material in TEXT_TYPES)
        and (fa.full_words <= SHORT_TITLE_WORDS or fb.full_words <= SHORT_TITLE_WORDS)
    )
    if sim < W_TITLE[-1][0]:
        veto("different_title", sim=sim)
    else:
        weight = _step(sim, W_TITLE_SHORT if short else W_TITLE, below=0.0)
        if sim >= 0.999:
            add("same_title", weight)
        elif weight < 0:
            add("different_title", weight, sim=sim)
        else:
            add("similar_title", weight, sim=sim)
        if short and weight > 0:
            add("short_title", 0.0)
    if sim >= 0.7 and not subtitles_differ and fa.words != fb.words:
        only_a = _unexplained(fa.words, fb.words)
        only_b = _unexplained(fb.words, fa.words) if only_a else []
        if only_a and only_b:
            add("different_words", W_WORDS_DIFFERENT, a=" ".join(only_a[:4]),
                b=" ".join(only_b[:4]))  # fmt: skip
        firsts_a, firsts_b = _first_words(fa), _first_words(fb)
        if (
            firsts_a
            and firsts_b
            and not set(firsts_a) & set(firsts_b)
            and (
                not any(_explained(w, fb.words) for w in firsts_a)
                or not any(_explained(w, fa.words) for w in firsts_b)
            )
        ):
            add("begins_differently", W_BEGINS_DIFFERENTLY, a=firsts_a[0], b=firsts_b[0])
    all_a, all_b = fa.numbers | fa.sub_numbers, fb.numbers | fb.sub_numbers
    if all_a != all_b:
        if all_a - all_b and all_b - all_a:
            veto("different_numbers", a=_sorted(all_a), b=_sorted(all_b))
        elif (fa.numbers - all_b) or (fb.numbers - all_a):
            # A number in one main title only ("Manajemen risiko 2" vs "Manajemen risiko");
            # numbers only in one subtitle ("... : July 17-20, 2000") prove nothing.
            extra = (all_a - all_b) or (all_b - all_a)
            add("number_one_side", W_NUMBER_ONE_SIDED, a=_sorted(extra))

    # Volume.
    if fa.volumes != fb.volumes:
        if fa.volumes and fb.volumes:
            veto("different_volume", a=_sorted(fa.volumes), b=_sorted(fb.volumes))
        else:
            veto("volume_one_side", a=_sorted(fa.volumes or fb.volumes))
    elif fa.volumes:
        add("same_volume", 0.5, a=_sorted(fa.volumes))

    # Edition, printing and year.
    ea, eb = fa.edition, fb.edition
    another_edition = _another_edition(ea, eb)
    if ea.number is not None and eb.number is not None:
        if ea.number != eb.number:
            veto("different_edition", a=ea.number, b=eb.number)
        elif ea.number >= 2:
            add("same_edition", W_EDITION_SAME, a=ea.number)
    elif another_edition and (ea.number is not None or eb.number is not None):
        add("edition_one_side", W_EDITION_ONE_SIDED, a=ea.number or eb.number)
    if ea.revised != eb.revised and ea.number is None and eb.number is None:
        add("revised_one_side", W_EDITION_REVISED)
    if fa.translated != fb.translated or (
        fa.subtitle and fb.subtitle and fa.translated_sub != fb.translated_sub
    ):
        add("translation_one_side", W_TRANSLATION_ONE_SIDED)
    pages_differ = _pages_differ(fa, fb)
    if pages_differ:
        add("different_pages", W_PAGES_DIFFERENT, a=fa.pages, b=fb.pages)
    elif fa.pages and fb.pages:
        gap = abs(fa.pages - fb.pages)
        if gap <= 2 or gap <= 0.02 * max(fa.pages, fb.pages):
            add("same_pages", W_PAGES_SAME, a=fa.pages)
    years = _years_verdict(fa, fb, another_edition, pages_differ)
    if years == "same_year":
        add("same_year", W_YEAR_SAME, a=fa.year)
    elif years == "edition_and_year":
        veto("edition_and_year", a=_edition_label(ea), b=_edition_label(eb), ya=fa.year,
             yb=fb.year)  # fmt: skip
    elif years in {"pages_and_year", "isbn_and_year"}:
        veto(years, ya=fa.year, yb=fb.year)
    elif years == "year_printing":
        add("year_printing", W_YEAR_PRINTING, a=fa.year, b=fb.year)
    elif years == "year_close":
        add("year_close", W_YEAR_CLOSE, a=fa.year, b=fb.year)
    elif years == "near_year":
        add("different_year", W_YEAR_NEAR, a=fa.year, b=fb.year)
    elif years == "far_year":
        veto("different_year", a=fa.year, b=fb.year)
    if another_edition and pages_differ:
        veto("edition_and_pages", a=_edition_label(ea), b=_edition_label(eb))

    # Publisher and pages.
    if fa.publisher and fb.publisher:
        psim = publisher_similarity(fa, fb)
        if psim >= 0.9:
            add("same_publisher", W_PUBLISHER_SAME, a=fa.publisher)
        elif psim >= 0.7:
            add("similar_publisher", W_PUBLISHER_SIMILAR, a=fa.publisher, b=fb.publisher)
        else:
            add("different_publisher", W_PUBLISHER_DIFFERENT, a=fa.publisher, b=fb.publisher)

    total = PRIOR + sum(e.weight for e in evidence)
    vetoed = any(e.veto for e in evidence)
    same = not vetoed and total >= SAME_THRESHOLD
    score = 1.0 / (1.0 + math.exp(-max(min(total, 40.0), -40.0)))
    return MatchResult(score=round(score, 4), same=same, evidence=evidence, total=total)


def quick_veto(fa: Features, fb: Features) -> Evidence | None:
    """The first of `compare`'s cheap vetoes that applies, if any: placing a record in a
    crowded block is mostly ruling candidates out, and a veto decides alone whatever the
    rest of the evidence says, so the full comparison can be skipped."""
    if fa.material != fb.material and fa.material and fb.material:
        if not (fa.material in TEXT_TYPES and fb.material in TEXT_TYPES):
            return Evidence("different_format", VETO, {"a": fa.material, "b": fb.material}, True)
    if fa.languages and fb.languages and not fa.languages & fb.languages:
        return Evidence("different_language", VETO, {}, True)
    if fa.volumes != fb.volumes:
        return Evidence("different_volume", VETO, {}, True)
    ea, eb = fa.edition.number, fb.edition.number
    if ea is not None and eb is not None and ea != eb:
        return Evidence("different_edition", VETO, {"a": ea, "b": eb}, True)
    all_a, all_b = fa.numbers | fa.sub_numbers, fb.numbers | fb.sub_numbers
    if all_a - all_b and all_b - all_a:
        return Evidence("different_numbers", VETO, {}, True)
    # Most candidates sharing an author's title are its other editions: ruled out here by
    # edition, pages and year, before their titles and authors are weighed.
    another_edition, pages_differ = _another_edition(fa.edition, fb.edition), _pages_differ(fa, fb)
    years = _years_verdict(fa, fb, another_edition, pages_differ)
    if years in YEAR_VETOES:
        return Evidence("different_year" if years == "far_year" else years, VETO, {}, True)
    if another_edition and pages_differ:
        return Evidence("edition_and_pages", VETO, {}, True)
    if max(_title_similarity(fa, fb)) < W_TITLE[-1][0]:
        return Evidence("different_title", VETO, {}, True)
    return None


def ambiguous_subtitle(
    rec: BibRecord | Features, matched: Iterable[Iterable[BibRecord | Features]]
) -> Evidence | None:
    """Why a record that matched several clusters must join none of them, if it must.

    "Perl" by Martin C. Brown, 1999, matches both "Perl : programmer's reference" and
    "Perl : the complete reference": with the subtitle missing, nothing in the record
    says which book it is, so joining the better score would be a coin toss that puts
    one library's copy under the wrong title. It stands alone instead, with this reason.
    """
    fr = features(rec)
    if fr.subtitle:
        return None
    subtitled: list[list[Features]] = []
    for members in matched:
        found = [fm for fm in map(features, members) if fm.subtitle]
        if found:
            subtitled.append(found)
    for x, group_x in enumerate(subtitled):
        for group_y in subtitled[x + 1 :]:
            if all(dice(a.sub_grams, b.sub_grams) < 0.5 for a in group_x for b in group_y):
                return Evidence(
                    "ambiguous_subtitle",
                    0.0,
                    {"a": group_x[0].subtitle[:60], "b": group_y[0].subtitle[:60]},
                )
    return None


def compare_to_cluster(
    rec: BibRecord | Features, members: Iterable[BibRecord | Features]
) -> MatchResult:
    """Whether `rec` belongs with a cluster's records: the best match among them, unless one
    of them contradicts it outright (another edition, volume, format, language ...).

    Comparing with every member, not only the most similar one, keeps chains from forming:
    a record without an edition statement may match both the 2nd and the 3rd edition, but
    a 3rd-edition record never joins a cluster that holds a 2nd-edition record. A member
    whose title has words the record's lacks, and the other way round, rules the cluster
    out too when the two do not match: a record without its subtitle matches each of the
    Data-Planet tables that differ only by subtitle, and must not gather them into one.
    And the record must match at least half the members, not one: a later edition with
    no edition statement can match the one sparse record of a cluster and none of the
    complete ones.
    """
    best: MatchResult | None = None
    matched = compared = 0
    fr = features(rec)
    for member in members:  # read lazily: a member that rules the cluster out ends it
        compared += 1
        fm = features(member)
        vetoed = quick_veto(fr, fm)
        if vetoed is not None:
            return MatchResult(score=0.0, same=False, evidence=[vetoed], total=VETO)
        result = compare(fr, fm)
        if result.vetoed:
            return result
        if not result.same and any(e.code in CONTRADICTING for e in result.evidence):
            return MatchResult(score=0.0, same=False, evidence=result.evidence, total=VETO)
        matched += result.same
        if best is None or result.total > best.total:
            best = result
    if best is None:
        return MatchResult(score=0.0, same=False, evidence=[], total=PRIOR)
    if best.same and matched * 2 < compared:
        return replace(best, same=False)
    return best
