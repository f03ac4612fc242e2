"""How well the union catalogue's duplicate matcher separates same and different editions.

Usage: uv run python bench/clustering_eval.py [--seed 20260501] [--limit N] [--worst 12]

Builds a labelled evaluation set from the real records in ../shared/data (MARC 21,
MARCXML and the Indonesian CSV), read with pymarc directly, by generating the
variation real member libraries produce when they catalogue the same book, and hard
negatives (other edition, other volume, translation, other format, same title by
another author, generic Indonesian textbook titles). Then it runs
`simpul.catalog.matching` on every labelled pair and on the whole set as a
catalogue (blocking, scoring, clustering), and prints precision, recall, F1, counts,
speed and the worst mistakes with their reasons. docs/clustering.md describes
exactly how the set is built. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import re
import sys
import time
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402

from simpul.catalog import isbn as identifiers  # noqa: E402
from simpul.catalog import matching  # noqa: E402
from simpul.catalog import normalise as norm  # noqa: E402
from simpul.catalog.bibliographic import BibRecord, MaterialType, SourceFormat  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_SEED = 20260501
VARIANTS_PER_RECORD = 3

# --- reading the real records ------------------------------------------------------------


def _strip_isbd(text: str) -> str:
    return re.sub(r"[\s/:;,=.]+$", "", text.strip()) if text else ""


def _control(record: pymarc.Record, tag: str) -> str:
    field = record.get(tag)
    return str(field.data or "") if field is not None else ""


def _subfield(record: pymarc.Record, tag: str, code: str) -> str:
    field = record.get(tag)
    return str(field.get(code) or "") if field is not None else ""


def _material(record: pymarc.Record) -> MaterialType:
    leader = str(record.leader)
    kind, level = leader[6], leader[7]
    f008 = _control(record, "008")
    form = f008[23] if len(f008) > 23 else " "
    if kind in "at":
        if level == "s":
            return MaterialType.SERIAL
        if form in "abc":
            return MaterialType.MICROFORM
        if form in "oqs":
            return MaterialType.EBOOK
        if record.get("502"):
            return MaterialType.THESIS
        return MaterialType.MANUSCRIPT if kind == "t" else MaterialType.BOOK
    return {
        "c": MaterialType.SCORE, "d": MaterialType.SCORE, "i": MaterialType.AUDIO,
        "j": MaterialType.AUDIO, "g": MaterialType.VIDEO, "k": MaterialType.OTHER,
        "e": MaterialType.MAP, "f": MaterialType.MAP,
    }.get(kind, MaterialType.OTHER)  # fmt: skip


def marc_to_bib(record: pymarc.Record, local_id: str) -> BibRecord | None:
    """A minimal MARC 21 -> BibRecord mapping for the evaluation (the project's readers
    are richer; this keeps the benchmark independent of them)."""
    leader = str(record.leader)
    if len(leader) < 8 or leader[6] not in "acdefgijkmoprt":
        return None  # authority, classification, holdings
    f245 = record.get("245")
    if f245 is None:
        return None
    title = _strip_isbd(" ".join(f245.get_subfields("a", "k", "n", "p")))
    if not title:
        return None
    subtitle = _strip_isbd(" ".join(f245.get_subfields("b")))
    authors = []
    for tag in ("100", "110", "111", "700", "710"):
        for f in record.get_fields(tag):
            name = " ".join(f.get_subfields("a", "b", "q"))
            name = _strip_isbd(name)
            if name:
                authors.append(name)
    imprint = None
    for f in record.get_fields("264"):
        if f.indicator2 == "1":
            imprint = f
            break
    imprint = imprint or record.get("260") or record.get("264")
    publisher = _strip_isbd(" ".join(imprint.get_subfields("b"))) if imprint else ""
    place = _strip_isbd(" ".join(imprint.get_subfields("a"))) if imprint else ""
    f008 = _control(record, "008")
    year = None
    if len(f008) >= 11 and f008[7:11].isdigit():
        year = int(f008[7:11])
    elif imprint:
        found = re.search(r"1[5-9]\d\d|20\d\d", " ".join(imprint.get_subfields("c")))
        year = int(found.group(0)) if found else None
    isbns: list[str] = []
    for f in record.get_fields("020"):
        for value in f.get_subfields("a"):
            for isbn in identifiers.extract_isbns(value):
                if isbn not in isbns:
                    isbns.append(isbn)
    languages = []
    if len(f008) >= 38 and f008[35:38].strip():
        languages.append(f008[35:38].lower())
    for f in record.get_fields("041"):
        for value in f.get_subfields("a"):
            for i in range(0, len(value) - 2, 3):
                code = value[i : i + 3].lower()
                if code not in languages:
                    languages.append(code)
    lccn = ""
    if _subfield(record, "010", "a"):
        lccn = identifiers.normalise_lccn(_subfield(record, "010", "a"))
    oclc = ""
    for f in record.get_fields("035"):
        for value in f.get_subfields("a"):
            oclc = oclc or identifiers.normalise_oclc(value)
    edition = " ".join(" ".join(f.get_subfields("a", "b")) for f in record.get_fields("250"))
    extent = " ".join(" ".join(f.get_subfields("a")) for f in record.get_fields("300"))
    raw = b""
    with contextlib.suppress(Exception):
        raw = record.as_marc()
    return BibRecord(
        local_id=local_id,
        source_format=SourceFormat.MARC21,
        raw=raw if isinstance(raw, bytes) else b"",
        title=title,
        subtitle=subtitle,
        responsibility=_strip_isbd(" ".join(f245.get_subfields("c"))),
        authors=authors,
        publisher=publisher,
        place=place,
        year=year,
        edition=_strip_isbd(edition),
        extent=_strip_isbd(extent),
        isbns=isbns,
        issns=[
            issn
            for f in record.get_fields("022")
            for issn in (identifiers.normalise_issn(v) for v in f.get_subfields("a"))
            if issn
        ],
        lccn=lccn,
        oclc=oclc,
        languages=languages,
        material_type=_material(record),
    )


def _marc_records() -> Iterator[tuple[str, pymarc.Record]]:
    sink = io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
    ):
        warnings.simplefilter("ignore")
        for path in sorted((DATA / "marc21").rglob("*.mrc")):
            with path.open("rb") as handle:
                reader = pymarc.MARCReader(handle, to_unicode=True, permissive=True,
                                           utf8_handling="replace")  # fmt: skip
                for n, record in enumerate(reader):
                    if record is not None:
                        yield f"{path.name}#{n}", record
        for path in sorted((DATA / "marcxml").glob("*.xml")):
            try:
                records = pymarc.parse_xml_to_array(str(path))
            except Exception:  # noqa: S112 (a broken sample file is skipped)
                continue
            for n, record in enumerate(records):
                if record is not None:
                    yield f"{path.name}#{n}", record


def load_marc() -> list[BibRecord]:
    found = []
    for local_id, record in _marc_records():
        with contextlib.suppress(Exception):
            bib = marc_to_bib(record, local_id)
            if bib is not None and _readable(bib.title):
                found.append(bib)
    return found


def _readable(text: str) -> bool:
    """Mangled MARC-8 (the cp1251 sample) comes out as combining marks only."""
    letters = [c for c in text if c.isalpha()]
    marks = sum(1 for c in text if unicodedata.combining(c))
    return len(letters) >= 3 and marks < len(letters)


_ENGLISH_WORDS = frozenset(
    "the of and for to in with your my from how are is be at on a an all you sea men women "
    "practice tests advanced dictionary design designs english law sales doctor worry happy "
    "income active".split()
)


def guess_language(title: str) -> str:
    words = norm.title_tokens(title)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return "eng" if words and english / len(words) >= 0.25 else "ind"


def load_csv() -> list[BibRecord]:
    """The Indonesian polytechnic's book table: one row per copy, so collapse copies."""
    path = DATA / "indonesian" / "ucm_perpustakaan_buku-sample.csv"
    seen = set()
    found = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["judulbuku"], row["author"], row["publisher"], row["tahun"])
            if key in seen:
                continue
            seen.add(key)
            found.append(
                BibRecord(
                    local_id=f"ucm-{row['id_buku']}",
                    source_format=SourceFormat.CSV,
                    raw=",".join(row.values()).encode(),
                    title=row["judulbuku"].strip(),
                    authors=norm.split_authors(row["author"]),
                    publisher=row["publisher"].strip(),
                    place=row["kota"].strip(),
                    year=int(row["tahun"]) if row["tahun"].isdigit() else None,
                )
            )
    return found


def _identity(rec: BibRecord) -> tuple[object, ...]:
    parts = norm.title_parts(rec.title, rec.subtitle, rec.edition)
    return (parts.main, parts.subtitle, rec.year, tuple(sorted(rec.isbns)),
            tuple(norm.normalise_person_name(a) for a in rec.authors[:1]))  # fmt: skip


def load_bases() -> list[BibRecord]:
    """Distinct real records: the same record exported twice (MARC and MARCXML) counts once."""
    bases: list[BibRecord] = []
    seen: set[tuple[object, ...]] = set()
    for rec in [*load_marc(), *load_csv()]:
        key = _identity(rec)
        if key in seen:
            continue
        seen.add(key)
        bases.append(rec)
    return bases


# Real pairs that share a key and that a cataloguer, reading both records, calls the
# same manifestation (checked by hand; everything else sharing a key is different).
NATURAL_SAME: set[frozenset[str]] = {
    # Two LC records (LCCN 00314247 and 2008543486) of the same 1997 Hosei Daigaku
    # Shuppankyoku edition, 480 p.: the later one adds the ISBN and "Shohan" (first edition).
    frozenset({"traject-test_data.utf8.mrc#3", "traject-test_data.utf8.mrc#28"}),
}

# --- how member libraries differ --------------------------------------------------------

GIVEN_NAMES = (
    "Agus Bambang Budi Dewi Eko Joko Siti Ahmad Muhammad Rina Yuliani Hendra Wahyu Slamet "
    "Heru Dedi Rudi Iwan Sri Nur Tri Dwi Andi Fajar Indra Lina Maya Putri Rizky Taufik "
    "Yusuf Zainal Arief Bayu Citra Dian Erna Fitri Gita Hadi Imam Kurnia Lukman Mega "
    "Nanda Oki Pandu Ratna Sinta Teguh Umar Vivi Wulan Yanti"
).split()
SURNAMES = (
    "Santoso Wijaya Saputra Pratama Hidayat Nugroho Setiawan Kurniawan Susanto Gunawan "
    "Siregar Nasution Lubis Harahap Simanjuntak Sutrisno Rahman Hasibuan Sitompul Wibowo "
    "Purnomo Hartono Prasetyo Utomo Lestari Rahayu Kusuma Permana Sembiring Tarigan "
    "Manurung Situmorang Pohan Daulay Ginting Rangkuti Syahputra Hakim Fauzi Maulana "
    "Firmansyah Ramadhan Hutagalung Panjaitan Sinaga Suryadi Suharto Mulyadi Sukirno"
).split()
MONONYMS = "Sugiyono Rudianto Hery Mulyadi Sukirno Nopirin Mardiasmo Suwardjono Jogiyanto".split()
DEGREE_PREFIXES = ["Prof.", "Dr.", "Drs.", "Dra.", "Ir.", "H.", "Prof. Dr.", "Dr. Ir.",
                   "Prof. Dr. Ir.", "Dr. H.", "Prof. Dr. H."]  # fmt: skip
DEGREE_SUFFIXES = ["S.Kom.", "M.T.I.", "M.Kom.", "S.E.", "M.Si.", "M.M.", "S.H.", "M.H.",
                   "M.Sc.", "Ph.D.", "M.Pd.", "S.Pd.", "M.A.", "MBA", "Ak.", "S.T.", "M.T.",
                   "M.Ak.", "LL.M."]  # fmt: skip
INDONESIAN_PUBLISHERS = [
    "PT Gramedia Pustaka Utama", "Penerbit Andi", "Elex Media Komputindo", "Erlangga",
    "RajaGrafindo Persada", "Salemba Empat", "Bumi Aksara", "Deepublish", "Alfabeta",
    "Remaja Rosdakarya", "Kencana Prenada Media", "Pustaka Pelajar", "Graha Ilmu",
    "Mizan", "Sinar Grafika", "Rineka Cipta", "Informatika", "Gava Media", "Grasindo",
    "Ghalia Indonesia", "Refika Aditama", "Penerbit ITB", "UGM Press", "Pustaka Setia",
]  # fmt: skip
FOREIGN_PUBLISHERS = ["Penguin Books", "Random House", "Simon & Schuster", "Pearson",
                      "Springer", "Routledge", "Wiley", "Bantam", "Harper & Row",
                      "Oxford University Press"]  # fmt: skip
# What a publisher's name looks like in different local systems (other than the alias table).
PUBLISHER_SPELLINGS = {
    "gramedia": ["PT Gramedia Pustaka Utama", "Gramedia", "Pt.Gramedia Pustaka Utama",
                 "Gramedia Pustaka Utama", "PT. Gramedia"],
    "andi": ["Penerbit Andi", "Andi Offset", "ANDI", "Andi", "CV Andi Offset", "Andi Publisher"],
    "elexmedia": ["Elex Media Komputindo", "Elexmedia Komputindo", "PT Elex Media Komputindo",
                  "Elexmedia", "Elex Media"],
    "erlangga": ["Erlangga", "Penerbit Erlangga", "PT Gelora Aksara Pratama"],
    "rajagrafindo": ["RajaGrafindo Persada", "PT RajaGrafindo Persada", "Rajawali Pers",
                     "Pt.Rajagrafindo Persada"],
    "ugm press": ["Gadjah Mada University Press", "UGM Press", "Ugm Press"],
    "salemba empat": ["Salemba Empat", "Penerbit Salemba Empat", "Salemba 4"],
    "bumi aksara": ["Bumi Aksara", "PT Bumi Aksara", "Bumi Aksara, Jakarta"],
    "pustaka setia": ["Pustaka Setia", "CV Pustaka Setia", "Cv.Pustaka Setia"],
    "kencana": ["Kencana", "Kencana Prenada Media Group", "Prenadamedia Group"],
}  # fmt: skip
GENERIC_TITLES = [
    "Pengantar Akuntansi", "Bahasa Indonesia", "Metodologi Penelitian", "Pendidikan Pancasila",
    "Pendidikan Kewarganegaraan", "Pengantar Manajemen", "Manajemen Pemasaran", "Statistika",
    "Pengantar Ekonomi Mikro", "Pengantar Ekonomi Makro", "Hukum Perdata", "Kimia Dasar",
    "Fisika Dasar", "Matematika Dasar", "Sosiologi", "Pengantar Ilmu Hukum", "Akuntansi Biaya",
    "Manajemen Keuangan", "Psikologi Pendidikan", "Filsafat Ilmu", "Sistem Informasi Manajemen",
    "Algoritma dan Pemrograman", "Basis Data", "Jaringan Komputer", "Kewirausahaan",
    "Etika Bisnis", "Perpajakan", "Auditing", "Bahasa Inggris", "Pendidikan Agama Islam",
    "Metodologi Penelitian Kualitatif", "Metode Penelitian Kuantitatif", "Manajemen Sumber Daya "
    "Manusia", "Akuntansi Keuangan Menengah", "Ekonomi Pembangunan", "Hukum Tata Negara",
    "Sistem Operasi", "Rekayasa Perangkat Lunak", "Teori Akuntansi", "Komunikasi Bisnis",
]  # fmt: skip
TRANSLATION_SUBTITLES = ["edisi bahasa Indonesia", "terjemahan", "versi bahasa Indonesia",
                         "panduan lengkap", "kisah nyata"]  # fmt: skip


@dataclass
class Variant:
    record: BibRecord
    tags: list[str] = field(default_factory=list)


def _typo(rng: random.Random, text: str) -> str:
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    if len(positions) < 4:
        return text
    i = rng.choice(positions[1:])
    op = rng.choice(["swap", "drop", "double", "replace"])
    if op == "swap" and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if op == "drop":
        return text[:i] + text[i + 1 :]
    if op == "double":
        return text[:i] + text[i] + text[i:]
    letter = rng.choice("aeiounrstlk")
    letter = letter.upper() if text[i].isupper() else letter
    return text[:i] + letter + text[i + 1 :]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:].lower() if text else text


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


def _split_name(name: str) -> tuple[str, str]:
    """(surname, given) from either order."""
    surname, given = norm.clean_person_name(name)
    if surname:
        return surname, given
    words = given.split()
    if len(words) == 1:
        return words[0], ""
    return words[-1], " ".join(words[:-1])


def _name_form(rng: random.Random, name: str, style: str, tags: list[str]) -> str:
    surname, given = _split_name(name)
    if given and rng.random() < 0.15:
        given = " ".join(w[0] + "." for w in given.replace(".", " ").split() if w)
        tags.append("initials")
    if style == "inverted":
        text = f"{surname}, {given}" if given else surname
        if rng.random() < 0.08:
            text += f", {rng.randint(1930, 1985)}-"
            tags.append("dates")
        return text
    text = f"{given} {surname}".strip()
    if style == "degrees" and rng.random() < 0.6:
        prefix = rng.choice(DEGREE_PREFIXES) if rng.random() < 0.5 else ""
        suffixes = rng.sample(DEGREE_SUFFIXES, rng.randint(1, 3))
        glued = rng.random() < 0.4  # "Prof.Dr.Ir.Widodo Budiharto,M.Sc" as in the CSV
        if glued:
            text = prefix.replace(" ", "") + text + "," + ",".join(s.rstrip(".") for s in suffixes)
        else:
            text = (prefix + " " if prefix else "") + text + ", " + ", ".join(suffixes)
        tags.append("degrees")
    return text


def _publisher_form(rng: random.Random, publisher: str, tags: list[str]) -> str:
    canonical = norm.normalise_publisher(publisher)
    spellings = PUBLISHER_SPELLINGS.get(canonical)
    if spellings and rng.random() < 0.7:
        choice = rng.choice(spellings)
        if choice != publisher:
            tags.append("publisher-variant")
        return choice
    if rng.random() < 0.3:
        tags.append("publisher-variant")
        return rng.choice(["PT ", "Penerbit ", "CV. ", "Pt."]) + publisher
    return publisher


_ABBREVIATE = {"untuk": "utk", "dengan": "dgn", "yang": "yg", "dan": "&",
               "universitas": "Univ.", "jalan": "Jl.", "dalam": "dlm"}  # fmt: skip


def _abbreviate(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        short = _ABBREVIATE.get(word.lower())
        if not short:
            return word
        return short.upper() if word.isupper() else short

    return re.sub(r"\w+", one, text)


_NEW_TO_OLD = (("ny", "nj"), ("sy", "sj"), ("kh", "ch"), ("j", "dj"), ("y", "j"), ("c", "tj"),
               ("u", "oe"))  # fmt: skip


def to_old_spelling(text: str) -> str:
    """Today's spelling written as before 1972 ("jalan yang" -> "djalan jang")."""
    out = []
    i = 0
    lower = text.lower()
    while i < len(text):
        for new, old in _NEW_TO_OLD:
            if lower.startswith(new, i):
                piece = old if not text[i].isupper() else old.upper()
                out.append(piece)
                i += len(new)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _fold(text: str) -> str:
    return norm.fold_diacritics(text)


def _pages_form(rng: random.Random, pages: int, indonesian: bool, tags: list[str]) -> str:
    roman = rng.choice(["", "xii, ", "x, ", "viii, ", "xvi, "])
    if rng.random() < 0.15:
        pages += rng.choice([-2, -1, 1, 2])
        tags.append("pages-count")
    unit = rng.choice(["hlm.", "hal.", "halaman"]) if indonesian else rng.choice(["p.", "pages"])
    tail = rng.choice(
        ["", " : ilus. ; 24 cm", " ; 21 cm"] if indonesian else ["", " : ill. ; 24 cm"]
    )
    return f"{roman}{pages} {unit}{tail}"


def _edition_form(rng: random.Random, number: int, indonesian: bool) -> str:
    ordinal_id = {1: "pertama", 2: "kedua", 3: "ketiga", 4: "keempat", 5: "kelima",
                  6: "keenam", 7: "ketujuh", 8: "kedelapan"}  # fmt: skip
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number, "th")
    forms = [f"Ed. {number}", f"Edisi ke-{number}", f"Edisi {number}", f"{number}th ed."]
    if number in ordinal_id:
        forms.append(f"Edisi {ordinal_id[number]}")
    if not indonesian:
        forms = [f"{number}{suffix} ed.", f"{number}{suffix} edition", f"Ed. {number}"]
    return rng.choice(forms)


def make_isbn(rng: random.Random) -> str:
    prefix = rng.choice(["978602", "978623", "978979"])
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(12 - len(prefix)))
    return body + identifiers.isbn13_check_digit(body)


def _isbn10(isbn13: str) -> str | None:
    if not isbn13.startswith("978"):
        return None
    body = isbn13[3:12]
    return body + identifiers.isbn10_check_digit(body)


def _hyphenate(isbn13: str) -> str:
    return f"{isbn13[:3]}-{isbn13[3:6]}-{isbn13[6:10]}-{isbn13[10:12]}-{isbn13[12]}"


@dataclass
class Truth:
    """What the base record's item really is, from which libraries make their records."""

    main: str
    subtitle: str
    authors: list[str]
    publisher: str
    year: int | None
    edition: int | None
    volume: int | None
    pages: int | None
    isbns: list[str]
    language: str
    material: MaterialType
    responsibility: str = ""
    revised: bool = False
    extra_isbns: list[str] = field(default_factory=list)  # other binding of the same edition


_CSV_EDITION = re.compile(
    r"\s*\bEDISI\s+(?:REVISI\s+)?(?:KE-?\s*)?(?:\d+|[IVX]+|PERTAMA|KEDUA|KETIGA|KEEMPAT|KELIMA|"
    r"KEENAM|KETUJUH|KEDELAPAN)\b|\s*\bEDISI\s+REVISI\b|\s*\b\d+E\b"
)
_CSV_VOLUME = re.compile(r"\s*\b(?:BUKU|JILID)\s+(?:\d+|[IVX]+)\b")


def truth_of(rec: BibRecord, rng: random.Random) -> Truth:
    """The item behind a real record. The CSV writes edition and volume into the title
    ("JASA AUDIT ... EDISI 8 | BUKU 1"): they are lifted out, so that every library's
    record of the item can state them in its own way."""
    parts = norm.title_parts(rec.title, rec.subtitle, rec.edition)
    title, subtitle = rec.title, rec.subtitle
    if not subtitle:
        pieces = re.split(r"\s+[:|]\s*|\s*[:|]\s+|\|", title, maxsplit=1)
        if len(pieces) == 2 and pieces[0].strip() and pieces[1].strip():
            title, subtitle = pieces[0].strip(), pieces[1].strip()
    volume = int(min(parts.volumes)) if parts.volumes and min(parts.volumes).isdigit() else None
    if rec.source_format == SourceFormat.CSV:
        title = _CSV_VOLUME.sub("", _CSV_EDITION.sub("", title)).strip()
        subtitle = _CSV_VOLUME.sub("", _CSV_EDITION.sub("", subtitle)).strip()
        title, subtitle = _sentence_case(title), subtitle.lower()
    elif volume is not None:
        volume = None  # MARC titles keep their numbering in $n as transcribed
    pages = norm.parse_pages(rec.extent)
    if pages is None and rec.source_format == SourceFormat.CSV:
        pages = rng.randint(90, 520)  # the CSV has no extent; the books have pages
    isbns = list(rec.isbns)
    if not isbns and rec.source_format == SourceFormat.CSV:
        isbns = [make_isbn(rng)]  # Indonesian books of these years carry ISBNs; the CSV has none
    edition = parts.edition.number
    # The CSV has no language column, so its (Indonesian library's) titles are judged by
    # their words; a MARC record without a language code has an unknown language, and
    # guessing would make an English score "Indonesian" and its "translation" itself.
    language = rec.languages[0] if rec.languages else ""
    if not language and rec.source_format == SourceFormat.CSV:
        language = guess_language(rec.title)
    return Truth(
        main=title,
        subtitle=subtitle,
        authors=list(rec.authors),
        publisher=rec.publisher,
        year=rec.year,
        edition=edition,
        volume=volume,
        pages=pages,
        isbns=isbns,
        language=language,
        material=rec.material_type,
        responsibility=rec.responsibility,
        revised=parts.edition.revised,
    )


PROFILES = ("marc", "slims", "csv")
_CORPORATE_WORDS = ("univ", "indonesia", "departemen", "press", "komputer", "enterprise",
                    "ikatan", "bank", "books")  # fmt: skip
_VOLUME_WORDS = {
    "marc": ["Jilid {n}", "Vol. {n}", "Buku {n}", "Bagian {n}"],
    "slims": ["Jil. {n}", "Jilid {n}", "Vol {n}", "Buku {n}"],
    "csv": ["BUKU {r}", "JILID {n}", "BUKU {n}", "VOL.{n}"],
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


def render(truth: Truth, rng: random.Random, profile: str, local_id: str) -> Variant:
    """One library's record of the item `truth` describes, in that library's conventions."""
    tags: list[str] = [profile]
    indonesian = truth.language == "ind"
    main, subtitle = truth.main, truth.subtitle
    if subtitle and rng.random() < 0.15:
        subtitle = ""
        tags.append("no-subtitle")
    if rng.random() < 0.25 and (" dan " in main.lower() or " and " in main.lower()):
        main = re.sub(r"\b(dan|and)\b", "&", main, flags=re.IGNORECASE)
        tags.append("ampersand")
    if indonesian and rng.random() < 0.1:
        new_main = _abbreviate(main)
        if new_main != main:
            main = new_main
            tags.append("abbreviation")
    if indonesian and rng.random() < 0.05:
        main, subtitle = to_old_spelling(main), to_old_spelling(subtitle)
        tags.append("old-spelling")
    if rng.random() < 0.4 and any(ord(c) > 127 for c in main + subtitle):
        main, subtitle = _fold(main), _fold(subtitle)
        tags.append("no-diacritics")
    if rng.random() < 0.1 and re.search(r"[A-Za-z]-[A-Za-z]", main):
        joiner = " " if rng.random() < 0.5 else ""
        main = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", joiner, main)
        tags.append("hyphen")
    if re.match(r"(?i)(the|a|an)\s", main) and rng.random() < 0.3:
        main = main.split(" ", 1)[1]
        tags.append("no-article")

    volume_text = ""
    if truth.volume is not None:
        pattern = rng.choice(_VOLUME_WORDS[profile])
        volume_text = pattern.format(n=truth.volume, r=_ROMAN.get(truth.volume, truth.volume))
    edition_text = ""
    if truth.edition and truth.edition >= 2:
        edition_text = _edition_form(rng, truth.edition, indonesian)
    elif truth.edition == 1 and rng.random() < 0.5:
        edition_text = _edition_form(rng, 1, indonesian)
    if truth.revised and indonesian:
        edition_text = "Edisi revisi" + (f" ke-{truth.edition}" if truth.edition else "")
    elif truth.revised:
        edition_text = (edition_text + ", " if edition_text else "") + "Rev. ed."
    if edition_text and rng.random() < 0.1:
        edition_text = ""  # many local systems leave the edition field empty
        tags.append("no-edition")
    printing_year = truth.year
    book = truth.material in (MaterialType.BOOK, MaterialType.THESIS)
    if book and truth.year and rng.random() < 0.05:
        n = rng.randint(2, 6)
        edition_text = (edition_text + ", " if edition_text else "") + rng.choice(
            [f"Cet. {n}", f"Cetakan ke-{n}", f"cet. ke-{n}"]
        )
        printing_year = truth.year + rng.randint(1, 3)
        tags.append("later-printing")
    elif indonesian and rng.random() < 0.1:
        edition_text = (edition_text + ", " if edition_text else "") + "Cet. 1"
        tags.append("printing-1")

    # Title, subtitle, edition and volume in the profile's layout.
    if rng.random() < 0.2:
        target = rng.choice(["title", "title", "author", "publisher", "subtitle"])
        tags.append(f"typo-{target}")
    if "typo-title" in tags:
        main = _typo(rng, main)
    elif "typo-subtitle" in tags and subtitle:
        subtitle = _typo(rng, subtitle)
    if profile == "csv":
        text = main
        edition_in_title = re.sub(r"(?i),?\s*cet(akan)?\.?\s*(ke-?)?\s*\d+", "", edition_text)
        if edition_in_title.strip():
            text += " " + edition_in_title.strip()
        if subtitle:
            text += " | " + subtitle
        if volume_text:
            text += (" | " if not subtitle else " ") + volume_text
        title, sub, edition_field = text.upper(), "", ""
    elif profile == "slims":
        title = _title_case(main) if rng.random() < 0.6 else main
        sub = subtitle
        if volume_text:
            title += " " + volume_text
        if sub and rng.random() < 0.5:
            title, sub = f"{title} : {sub}", ""
            tags.append("subtitle-in-title")
        edition_field = edition_text
    else:
        title = _sentence_case(main) if rng.random() < 0.3 else main
        sub = subtitle
        if volume_text:
            title += ". " + volume_text
        edition_field = edition_text
        if rng.random() < 0.3:
            title += " :" if sub else ""
            tags.append("isbd")

    # Names.
    authors = list(truth.authors)
    if len(authors) > 1 and rng.random() < 0.3:
        authors = authors[:1]
        tags.append("first-author-only")
    style = {"marc": "inverted", "slims": rng.choice(["inverted", "direct", "degrees"]),
             "csv": "degrees"}[profile]  # fmt: skip
    named = []
    for name in authors:
        if any(w in name.lower() for w in _CORPORATE_WORDS):
            named.append(name)  # corporate names stay as they are
        else:
            named.append(_name_form(rng, name, style, tags))
    if "inverted" in style and any(", " in n for n in named):
        tags.append("inverted")
    else:
        tags.append("direct")
    if profile == "csv":
        joined = ",".join(named)
        if len(truth.authors) > 1 and len(authors) == 1 and rng.random() < 0.5:
            joined += ",Dkk"
        named = norm.split_authors(joined)  # what a CSV reader makes of the one field

    publisher = _publisher_form(rng, truth.publisher, tags) if truth.publisher else ""
    if publisher and rng.random() < 0.06:
        publisher = ""
        tags.append("no-publisher")

    year = printing_year
    if year and "later-printing" not in tags:
        roll = rng.random()
        if roll < 0.05:
            year += rng.choice([-1, 1])
            tags.append("year-1")
        elif roll < 0.08:
            year = None
            tags.append("no-year")

    isbns: list[str] = []
    if profile != "csv" and truth.isbns:
        isbns = list(truth.isbns)
        if rng.random() < 0.25:
            isbns = []
            tags.append("no-isbn")
        elif rng.random() < 0.2:
            form = rng.choice(["isbn10", "hyphens"])
            isbns = [(_isbn10(i) or i) if form == "isbn10" else _hyphenate(i) for i in isbns]
            tags.append(form)
        if isbns and truth.extra_isbns and rng.random() < 0.5:
            isbns = list(truth.extra_isbns) if rng.random() < 0.5 else isbns + truth.extra_isbns
            tags.append("other-binding-isbn")
    extent = ""
    if profile != "csv" and truth.pages and (profile == "marc" or rng.random() < 0.6):
        extent = _pages_form(rng, truth.pages, indonesian, tags)
        if truth.material == MaterialType.EBOOK:
            extent = f"1 online resource ({truth.pages} p.)"
    languages = [truth.language] if profile == "marc" or rng.random() < 0.4 else []
    languages = [code for code in languages if code]

    # One typo in one field (title and subtitle: above, in the words of the title).
    if "typo-author" in tags and named:
        named[0] = _typo(rng, named[0])
    elif "typo-publisher" in tags and publisher:
        publisher = _typo(rng, publisher)
    if profile == "csv":
        title = title.upper()

    responsibility = truth.responsibility if profile == "marc" else ""
    record = BibRecord(
        local_id=local_id,
        source_format=SourceFormat.CSV if profile == "csv" else SourceFormat.MARC21,
        raw=b"",
        title=title,
        subtitle=sub,
        responsibility=responsibility,
        authors=named,
        publisher=publisher,
        year=year,
        edition=edition_field,
        extent=extent,
        isbns=isbns,
        languages=languages,
        material_type=truth.material,
    )
    return Variant(record, tags)


# --- hard negatives ---------------------------------------------------------------------


def other_edition(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    new = replace(truth)
    new.edition = (truth.edition or 1) + rng.randint(1, 2)
    if truth.year:
        new.year = truth.year + rng.randint(1, 6)
    if truth.pages:
        new.pages = int(truth.pages * rng.choice([rng.uniform(0.8, 0.95), rng.uniform(1.05, 1.35)]))
    if truth.isbns and rng.random() < 0.15:
        new.isbns = list(truth.isbns)  # the publisher reused the ISBN
        kind = "other-edition-same-isbn"
    else:
        new.isbns = [make_isbn(rng)] if truth.isbns else []
        kind = "other-edition"
    return new, kind


def translation(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    new = replace(truth, authors=list(truth.authors))
    if truth.language == "ind":
        new.language = "eng"  # the original the Indonesian edition was translated from
        new.publisher = rng.choice(FOREIGN_PUBLISHERS)
        new.year = truth.year - rng.randint(1, 8) if truth.year else None
        new.subtitle = "" if rng.random() < 0.5 else truth.subtitle
    else:
        new.language = "ind"
        new.publisher = rng.choice(INDONESIAN_PUBLISHERS)
        new.year = truth.year + rng.randint(1, 8) if truth.year else None
        if rng.random() < 0.5:
            new.subtitle = rng.choice(TRANSLATION_SUBTITLES)
        new.responsibility = f"alih bahasa, {rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}"
    new.pages = int(truth.pages * rng.uniform(1.05, 1.3)) if truth.pages else None
    new.isbns = [make_isbn(rng)] if truth.isbns else []
    new.edition = None
    return new, "translation"


def other_format(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    new = replace(truth)
    if truth.year and truth.year < 1985 and rng.random() < 0.5:
        new.material = MaterialType.MICROFORM
        return new, "other-format-microform"
    new.material = MaterialType.EBOOK
    new.isbns = [make_isbn(rng)] + (list(truth.isbns) if rng.random() < 0.5 else [])
    return new, "other-format-ebook"


def random_person(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(MONONYMS)
    return f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN_NAMES)}"


def other_author(truth: Truth, rng: random.Random) -> tuple[Truth, str]:
    new = replace(truth, subtitle="" if rng.random() < 0.6 else truth.subtitle)
    new.authors = [random_person(rng)]
    if rng.random() < 0.7:
        new.publisher = rng.choice(INDONESIAN_PUBLISHERS + FOREIGN_PUBLISHERS)
    if truth.year and rng.random() < 0.8:
        new.year = truth.year + rng.randint(-10, 10)
    new.isbns = [make_isbn(rng)] if rng.random() < 0.6 else []
    new.pages = rng.randint(80, 600)
    new.responsibility = ""
    return new, "same-title-other-author"


# --- the labelled set -------------------------------------------------------------------


@dataclass
class Pair:
    a: BibRecord
    b: BibRecord
    same: bool
    kind: str  # "positive" or the kind of negative
    tags: list[str] = field(default_factory=list)


@dataclass
class Dataset:
    pairs: list[Pair]
    records: list[tuple[BibRecord, str]]  # every record with its manifestation id
    bases: int


def build_dataset(seed: int = DEFAULT_SEED, limit: int | None = None) -> Dataset:
    rng = random.Random(seed)
    bases = load_bases()
    if limit:
        bases = random.Random(seed).sample(bases, min(limit, len(bases)))
    pairs: list[Pair] = []
    records: list[tuple[BibRecord, str]] = []
    counter = 0

    def new_id(prefix: str) -> str:
        nonlocal counter
        counter += 1
        return f"{prefix}-{counter}"

    def cluster(
        truth: Truth, anchor: BibRecord | None, manifestation: str, n: int
    ) -> list[Variant]:
        """`n` libraries' records of one manifestation; pairs among them are positives."""
        members = [Variant(anchor, ["original"])] if anchor is not None else []
        profiles = list(PROFILES)
        rng.shuffle(profiles)
        for i in range(n):
            members.append(render(truth, rng, profiles[i % len(profiles)], new_id("v")))
        for m in members:
            records.append((m.record, manifestation))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                tags = sorted(set(members[i].tags) | set(members[j].tags))
                pairs.append(Pair(members[i].record, members[j].record, True, "positive", tags))
        return members

    def negative(members: list[Variant], truth: Truth, kind: str, manifestation: str) -> None:
        other = render(truth, rng, rng.choice(PROFILES), new_id("n"))
        records.append((other.record, manifestation))
        for anchor in rng.sample(members, min(2, len(members))):
            pairs.append(Pair(anchor.record, other.record, False, kind, other.tags))

    # Real records a cataloguer calls the same manifestation share one id.
    same_as: dict[str, str] = {}
    for group in NATURAL_SAME:
        first = min(group)
        for local_id in group:
            same_as[local_id] = first
    for index, base in enumerate(bases):
        truth = truth_of(base, rng)
        manifestation = f"m-{same_as.get(base.local_id, index)}"
        anchor = base if base.source_format != SourceFormat.CSV or rng.random() < 0.5 else None
        members = cluster(truth, anchor, manifestation, VARIANTS_PER_RECORD)
        if same_as.get(base.local_id, base.local_id) != base.local_id:
            continue  # its twin already has the hard negatives of this manifestation
        makers: list[Callable[[Truth, random.Random], tuple[Truth, str]]] = [other_edition]
        if truth.material in (MaterialType.BOOK, MaterialType.THESIS):
            makers.append(other_format)
        if truth.authors:
            makers.append(other_author)
        if truth.language in ("ind", "eng") and truth.authors:
            makers.append(translation)
        for k, maker in enumerate(rng.sample(makers, min(3, len(makers)))):
            neg_truth, kind = maker(truth, rng)
            negative(members, neg_truth, kind, f"{manifestation}-n{k}")
        # Every fifth book is one volume of a set: its other volume is a hard negative,
        # and the set's ISBN sits in both records half of the time.
        if index % 5 == 0 and truth.material == MaterialType.BOOK and truth.volume is None:
            set_isbn = [make_isbn(rng)] if rng.random() < 0.5 else []
            one = replace(truth, volume=1, isbns=[make_isbn(rng), *set_isbn])
            two = replace(truth, volume=2, isbns=[make_isbn(rng), *set_isbn])
            if truth.year and rng.random() < 0.3:
                two.year = truth.year + 1
            volume_members = cluster(one, None, f"{manifestation}-v1", 2)
            kind = "other-volume-set-isbn" if set_isbn else "other-volume"
            negative(volume_members, two, kind, f"{manifestation}-v2")
        # Every seventh book also exists in another binding with its own ISBN, which some
        # libraries record beside (or instead of) the first.
        if index % 7 == 3 and truth.isbns:
            truth.extra_isbns = [make_isbn(rng)]
            cluster(truth, None, manifestation, 1)

    # Generic textbook titles: many books, one title, different authors/publishers/years.
    for g, title in enumerate(GENERIC_TITLES):
        books = []
        for k in range(5):
            language = "ind"
            truth = Truth(
                main=title, subtitle="" if rng.random() < 0.7 else rng.choice(
                    ["teori dan aplikasi", "untuk perguruan tinggi", "konsep dan praktik"]),
                authors=[random_person(rng) for _ in range(rng.choice([1, 1, 2]))],
                publisher=rng.choice(INDONESIAN_PUBLISHERS), year=rng.randint(1995, 2023),
                edition=None, volume=None, pages=rng.randint(120, 480),
                isbns=[make_isbn(rng)] if rng.random() < 0.8 else [], language=language,
                material=MaterialType.BOOK,
            )  # fmt: skip
            members = cluster(truth, None, f"g{g}-{k}", 2)
            books.append((truth, members))
        # The first book also has a later edition.
        first_truth, first_members = books[0]
        neg_truth, kind = other_edition(first_truth, rng)
        negative(first_members, neg_truth, "generic-" + kind, f"g{g}-e")
        for i in range(len(books)):
            for j in range(i + 1, len(books)):
                a = rng.choice(books[i][1]).record
                b = rng.choice(books[j][1]).record
                pairs.append(Pair(a, b, False, "generic-title-other-book"))

    # Real records that share a key but are different books ("Perl : programmer's
    # reference" and "Perl : the complete reference", both by Martin C. Brown, 1999).
    holders: dict[str, list[int]] = defaultdict(list)
    for i, base in enumerate(bases):
        for key in matching.blocking_keys(base) | matching.exact_keys(base):
            holders[key].append(i)
    natural = set()
    for members_ in holders.values():
        for i in range(len(members_)):
            for j in range(i + 1, len(members_)):
                natural.add((members_[i], members_[j]))
    for i, j in sorted(natural):
        a, b = bases[i], bases[j]
        same = frozenset({a.local_id, b.local_id}) in NATURAL_SAME
        pairs.append(Pair(a, b, same, "natural-same" if same else "natural-shared-key"))
    return Dataset(pairs, records, len(bases))


# --- evaluation -------------------------------------------------------------------------


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1


@dataclass
class Evaluation:
    pairs: Scores
    end_to_end: Scores  # a pair counts as found only if it also shares a key
    blocking_recall: float
    by_kind: dict[str, Scores]
    by_tag: dict[str, Scores]
    mistakes: list[tuple[Pair, matching.MatchResult]]
    totals: list[tuple[Pair, float]]  # weight of every non-vetoed pair
    catalogue: Scores  # pairwise, after blocking + matching + clustering the whole set
    incremental: Scores  # the same, placing records one by one as the service does
    catalogue_records: int
    candidate_pairs: int
    incremental_comparisons: int
    pairs_per_second: float
    raw_pairs_per_second: float
    records_per_second: float


def record_keys(rec: BibRecord) -> set[str]:
    return matching.exact_keys(rec) | matching.blocking_keys(rec)


def score_pairs(dataset: Dataset) -> Scores:
    """Precision and recall of `matching.compare` on the labelled pairs alone."""
    scores = Scores()
    for pair in dataset.pairs:
        scores.add(pair.same, matching.compare(pair.a, pair.b).same)
    return scores


def evaluate(dataset: Dataset) -> Evaluation:
    pairs_scores = Scores()
    e2e = Scores()
    by_kind: dict[str, Scores] = defaultdict(Scores)
    by_tag: dict[str, Scores] = defaultdict(Scores)
    mistakes = []
    totals = []
    blocked = 0
    positives = 0
    for pair in dataset.pairs:
        result = matching.compare(pair.a, pair.b)
        pairs_scores.add(pair.same, result.same)
        shares_key = bool(record_keys(pair.a) & record_keys(pair.b))
        e2e.add(pair.same, result.same and shares_key)
        if pair.same:
            positives += 1
            blocked += shares_key
        by_kind[pair.kind].add(pair.same, result.same)
        for tag in pair.tags:
            by_tag[tag].add(pair.same, result.same)
        if pair.same != result.same:
            mistakes.append((pair, result))
        if not result.vetoed:
            totals.append((pair, result.total))

    # Speed: prepared features (what the clustering service compares many times), and
    # from raw records (normalisation included).
    prepared = [(matching.prepare(p.a), matching.prepare(p.b)) for p in dataset.pairs]
    started = time.perf_counter()
    rounds = 3
    for _ in range(rounds):
        for fa, fb in prepared:
            matching.compare(fa, fb)
    pairs_per_second = rounds * len(prepared) / (time.perf_counter() - started)
    started = time.perf_counter()
    for pair in dataset.pairs:
        matching.compare(matching.prepare(pair.a), matching.prepare(pair.b))
    raw_pairs_per_second = len(dataset.pairs) / (time.perf_counter() - started)
    started = time.perf_counter()
    for rec, _ in dataset.records:
        f = matching.prepare(rec)
        matching.exact_keys(f)
        matching.blocking_keys(f)
        matching.work_key(f)
    records_per_second = len(dataset.records) / (time.perf_counter() - started)

    catalogue, candidates = cluster_catalogue(dataset.records, incremental=False)
    incremental, compared = cluster_catalogue(dataset.records, incremental=True)
    return Evaluation(
        pairs=pairs_scores,
        end_to_end=e2e,
        blocking_recall=blocked / positives if positives else 1.0,
        by_kind=dict(by_kind),
        by_tag=dict(by_tag),
        mistakes=mistakes,
        totals=totals,
        catalogue=catalogue,
        incremental=incremental,
        catalogue_records=len(dataset.records),
        candidate_pairs=candidates,
        incremental_comparisons=compared,
        pairs_per_second=pairs_per_second,
        raw_pairs_per_second=raw_pairs_per_second,
        records_per_second=records_per_second,
    )


def cluster_catalogue(
    records: list[tuple[BibRecord, str]], *, incremental: bool
) -> tuple[Scores, int]:
    """Every record as one catalogue, then pairwise precision/recall of the clusters
    against the manifestations.

    incremental=False: every matched pair sharing a key is linked (union-find), the most
    pessimistic reading, where one wrong link joins two whole clusters.
    incremental=True: as the clustering service places records one by one: a record joins
    the cluster of its best match among the records it shares a key with, unless a member
    of that cluster contradicts it (`matching.compare_to_cluster`), or stands alone when
    it matched clusters it cannot choose between (`matching.ambiguous_subtitle`).
    """
    feats = [matching.prepare(rec) for rec, _ in records]
    keys = [matching.exact_keys(f) | matching.blocking_keys(f) for f in feats]
    compared = 0
    if incremental:
        order = list(range(len(records)))
        random.Random(7).shuffle(order)  # libraries' records arrive in no particular order
        cluster_of: dict[int, int] = {}
        members: dict[int, list[int]] = defaultdict(list)
        holders: dict[str, list[int]] = defaultdict(list)
        for i in order:
            candidates = {j for key in keys[i] for j in holders[key]}
            best: tuple[float, int] | None = None
            matched: list[list[matching.Features]] = []
            for cluster in sorted({cluster_of[j] for j in candidates}):
                compared += len(members[cluster])
                group = [feats[j] for j in members[cluster]]
                result = matching.compare_to_cluster(feats[i], group)
                if result.same:
                    matched.append(group)
                    if best is None or result.total > best[0]:
                        best = (result.total, cluster)
            if len(matched) > 1 and matching.ambiguous_subtitle(feats[i], matched):
                best = None
            cluster = best[1] if best else i
            cluster_of[i] = cluster
            members[cluster].append(i)
            for key in keys[i]:
                holders[key].append(i)
        groups = list(members.values())
    else:
        holders = defaultdict(list)
        for i, record_keys in enumerate(keys):
            for key in record_keys:
                holders[key].append(i)
        parent = list(range(len(records)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        seen: set[tuple[int, int]] = set()
        for block in holders.values():
            for x in range(len(block)):
                for y in range(x + 1, len(block)):
                    i, j = block[x], block[y]
                    if (i, j) in seen:
                        continue
                    seen.add((i, j))
                    if matching.compare(feats[i], feats[j]).same:
                        parent[find(i)] = find(j)
        compared = len(seen)
        found: dict[int, list[int]] = defaultdict(list)
        for i in range(len(records)):
            found[find(i)].append(i)
        groups = list(found.values())
    truth_ids = [m for _, m in records]
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth_ids).values())
    tp = fp = 0
    for group in groups:
        counts = Counter(truth_ids[i] for i in group)
        together = sum(c * (c - 1) // 2 for c in counts.values())
        tp += together
        fp += len(group) * (len(group) - 1) // 2 - together
    scores = Scores(tp=tp, fp=fp, fn=true_pairs - tp)
    return scores, compared


# --- report -----------------------------------------------------------------------------


def _describe(rec: BibRecord) -> str:
    bits = [f"{rec.title}" + (f" : {rec.subtitle}" if rec.subtitle else "")]
    if rec.authors:
        bits.append("; ".join(rec.authors[:2]))
    bits.append(str(rec.publisher or "-"))
    bits.append(str(rec.year or "-"))
    if rec.edition:
        bits.append(f"ed={rec.edition}")
    if rec.isbns:
        bits.append(",".join(rec.isbns[:2]))
    if rec.extent:
        bits.append(rec.extent)
    if rec.languages:
        bits.append("/".join(rec.languages))
    bits.append(rec.material_type.value)
    return " | ".join(bits)


def main() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)  # reasons print in English, no project needed
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--limit", type=int, default=None, help="use only N real records")
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args()

    started = time.perf_counter()
    dataset = build_dataset(args.seed, args.limit)
    built = time.perf_counter() - started
    result = evaluate(dataset)
    kinds = Counter(p.kind for p in dataset.pairs)
    positives = sum(1 for p in dataset.pairs if p.same)
    print(f"Labelled set (seed {args.seed}): {dataset.bases} real records -> "
          f"{len(dataset.records)} records, {len(dataset.pairs)} pairs "
          f"({positives} same, {len(dataset.pairs) - positives} different); built in "
          f"{built:.1f} s")  # fmt: skip
    for kind, n in sorted(kinds.items()):
        s = result.by_kind[kind]
        wrong = s.fn if kind in ("positive", "natural-same") else s.fp
        print(f"  {kind:<28} {n:>6} pairs, {wrong:>4} wrong")
    p = result.pairs
    print(f"\nMatcher on labelled pairs: precision {p.precision:.4f}  recall {p.recall:.4f}  "
          f"F1 {p.f1:.4f}  (TP {p.tp}, FP {p.fp}, FN {p.fn}, TN {p.tn})")  # fmt: skip
    e = result.end_to_end
    print(f"With blocking (pair must share a key): recall {e.recall:.4f}, precision "
          f"{e.precision:.4f}; positives sharing a key: {result.blocking_recall:.4f}")  # fmt: skip
    c = result.catalogue
    print(
        f"Whole set ({result.catalogue_records} records) as one catalogue, pairwise over clusters:"
    )
    i = result.incremental
    print(
        f"  placed one by one, as the service does ({result.incremental_comparisons} "
        f"comparisons): precision {i.precision:.4f}  recall {i.recall:.4f}  F1 {i.f1:.4f}"
    )
    print(f"  every matched pair linked (union-find, {result.candidate_pairs} candidate "
          f"pairs): precision {c.precision:.4f}  recall {c.recall:.4f}  F1 {c.f1:.4f}")  # fmt: skip
    print(f"Speed: {result.pairs_per_second:,.0f} comparisons/s on prepared records, "
          f"{result.raw_pairs_per_second:,.0f} pairs/s from raw records, "
          f"{result.records_per_second:,.0f} records/s to prepare + keys (one core)")  # fmt: skip

    print(
        "\nWeight (log-odds) of the labelled pairs; a match needs "
        f"{matching.SAME_THRESHOLD:+.1f} and no veto:"
    )
    for low in range(-6, 12):
        same_n = sum(1 for pr, t in result.totals if pr.same and low <= t < low + 1)
        diff_n = sum(1 for pr, t in result.totals if not pr.same and low <= t < low + 1)
        if same_n or diff_n:
            print(f"  [{low:+3d}, {low + 1:+3d})  same {same_n:>5}  different {diff_n:>5}")
    print("\nRecall by variation (positive pairs carrying the tag):")
    for tag, s in sorted(result.by_tag.items(), key=lambda kv: kv[1].recall):
        if s.tp + s.fn >= 5:
            print(f"  {tag:<22} {s.recall:.3f} of {s.tp + s.fn}")
    blame: Counter[str] = Counter()
    for pair, res in result.mistakes:
        if pair.same:
            worst = min(res.evidence, key=lambda e: e.weight, default=None)
            weak = res.total < matching.SAME_THRESHOLD and (worst is None or worst.weight >= 0)
            blame["too little evidence" if weak or worst is None else worst.code] += 1
    print("\nWhat kept same-edition pairs apart (strongest evidence against):")
    for code, n in blame.most_common():
        print(f"  {code:<28} {n}")
    fps = sorted((m for m in result.mistakes if not m[0].same), key=lambda m: -m[1].total)
    fns = sorted((m for m in result.mistakes if m[0].same), key=lambda m: m[1].total)
    for label, items in (("false positives", fps), ("false negatives", fns)):
        print(f"\nWorst {label} ({len(items)}):")
        for pair, res in items[: args.worst]:
            print(f"  [{pair.kind}] score {res.score:.3f} (weight {res.total:+.1f}) "
                  f"tags: {','.join(pair.tags)}")  # fmt: skip
            print(f"    A: {_describe(pair.a)}")
            print(f"    B: {_describe(pair.b)}")
            print(f"    because: {'; '.join(res.reasons)}")


if __name__ == "__main__":
    main()
