"""Which search engine for the union catalogue: Tantivy, SQLite FTS5 or PostgreSQL, measured.

Usage:
    uv run python bench/search_engines.py --records 1000000
    uv run python bench/search_engines.py --records 20000 --engines tantivy,sqlite   # a quick run

Generates N synthetic but realistically shaped bibliographic records (Indonesian
and English titles from catalogue-like templates and vocabularies, Zipf-distributed
words so that common words match 10%+ of the records, authors, publishers, ISBNs,
subjects, years, languages, formats, 8-50 holding libraries with availability),
streamed: no engine ever holds the whole set in Python. The same records (same
seed) go into each engine, analysed by the same code
(`simpul.catalog.search.analysis`), so the engines are compared, not the analysis:

* tantivy  — `simpul.catalog.search.SearchIndex`, the code Simpul ships: query
  language, relevance, one aggregation request for all facets.
* sqlite   — FTS5 (bm25) over the same tokens, facets by GROUP BY over the matches.
* postgres — one tsvector per record (exact tokens and stems, field weights), GIN
  index, ts_rank, facets by GROUP BY/unnest over the matches; work_mem 64MB and
  JIT off for the session, the server's other settings as they are. Needs a server
  (``--postgres``, default postgres://postgres@127.0.0.1:5432/test); everything
  is created in schema ``bench_search`` and dropped afterwards.

Every query returns the first page (20 hits) by relevance, the total and all six
facets (holding library, format, language, year ranges, subject, availability).
The query set has over 200 queries: broad single words (each matching 100k+
records at 1M), two words, phrases, fielded (title/author/subject/year), and
words with two facet filters. Each query runs once to warm up and once measured.
Build time excludes generating the records (measured separately).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")

import django  # noqa: E402

django.setup()

from simpul.catalog.search import analysis  # noqa: E402
from simpul.catalog.search.engine import (  # noqa: E402
    YEAR_RANGES,
    SearchDocument,
    SearchIndex,
    SearchQuery,
    index_fields,
    main_heading,
)

PAGE = 20
SUBJECT_FACET_SIZE = 20

# --- vocabularies -------------------------------------------------------------------------------
# Content words roughly in the order of how often they appear in Indonesian and
# English catalogue titles; the rank decides the Zipf weight.
ID_WORDS = """
indonesia pendidikan manajemen hukum ekonomi sistem sejarah islam bahasa masyarakat
pembangunan kebijakan pengembangan sosial kesehatan teknologi informasi kebudayaan
politik pembelajaran penelitian negara daerah anak akuntansi keuangan agama pertanian
lingkungan budaya sastra administrasi komunikasi pemerintahan pemasaran dasar strategi
perbankan hidup kerja industri pelayanan usaha perusahaan bisnis program aplikasi data
statistika matematika fisika kimia biologi ilmu perpustakaan pustakawan kepustakaan
pustaka jaringan komputer pemrograman algoritma desain web internet media massa guru
siswa sekolah mahasiswa universitas keluarga perempuan wanita pemuda tanah air laut
hutan kota desa rakyat perang kemerdekaan revolusi nasional internasional global modern
tradisional kesenian musik tari seni rupa arsitektur bangunan teknik mesin listrik
elektronika otomotif konstruksi sipil kualitas kinerja karyawan motivasi kepuasan
pelanggan produk harga saham pasar modal pajak perpajakan audit biaya koperasi syariah
zakat wakaf fiqih tafsir hadis quran akhlak tasawuf dakwah filsafat etika psikologi
sosiologi antropologi geografi demografi kependudukan kemiskinan kesejahteraan gizi
penyakit obat keperawatan kebidanan farmasi kedokteran gigi jiwa ibu bayi remaja lansia
olahraga pariwisata perhotelan kuliner pangan peternakan perikanan kelautan perkebunan
kehutanan tambang energi minyak gas batubara transportasi jalan jembatan kereta kapal
penerbangan pelabuhan perdagangan ekspor impor investasi kredit bank asuransi risiko
organisasi kepemimpinan birokrasi reformasi otonomi demokrasi pemilu partai parlemen
konstitusi pidana perdata dagang tata usaha adat waris perkawinan tanah agraria
lingkungan hidup bencana gempa banjir iklim cuaca kebakaran konservasi satwa flora fauna
novel puisi cerita pendek dongeng legenda kumpulan kamus ensiklopedia biografi memoar
tokoh pahlawan raja kerajaan majapahit sriwijaya mataram kolonial belanda jepang
proklamasi orde baru reformasi pancasila kewarganegaraan kebangsaan persatuan
keamanan pertahanan militer polisi intelijen terorisme narkoba korupsi kriminologi
jurnalistik penyiaran televisi radio film fotografi periklanan humas hubungan
masyarakat publik sektor swasta umkm kewirausahaan inovasi kreatif digital daring
""".split()

EN_WORDS = """
management introduction theory history education system analysis development policy
economics law social science research health information technology culture politics
language learning business marketing finance accounting public international global
modern asian southeast indonesia islamic religion philosophy psychology sociology
anthropology literature english writing reading grammar dictionary handbook guide
practice principles methods design engineering computer programming software data
network security database systems statistics mathematics physics chemistry biology
environment climate energy water agriculture food nutrition medicine nursing disease
children women family community rural urban development planning government state
democracy elections reform conflict war peace revolution colonial empire trade
economy markets banking investment risk insurance tax audit organizations leadership
strategy innovation entrepreneurship tourism hospitality media communication film
music art architecture history heritage museum library libraries librarianship
information retrieval cataloguing classification archives records knowledge digital
online internet web mobile applications teaching teachers students schools
universities higher curriculum assessment evaluation quality performance human
resources labour employment poverty welfare migration population gender identity
ethics justice rights constitution criminal civil commercial contract property
land forest ocean marine coastal islands java sumatra bali borneo sulawesi papua
""".split()

PLACES = """Jakarta Bandung Surabaya Yogyakarta Semarang Medan Makassar Palembang Padang
Denpasar Malang Surakarta Bogor Pontianak Banjarmasin Manado Ambon Jayapura Kupang
Mataram Aceh Riau Lampung Jambi Bengkulu Banten Gorontalo Kendari Palu Ternate""".split()
PROVINCES = """Jawa Barat|Jawa Tengah|Jawa Timur|Sumatera Utara|Sumatera Barat|Sulawesi Selatan|
Kalimantan Timur|Bali|Nusa Tenggara Timur|Papua|Aceh|Riau|Banten|Lampung|Maluku""".replace(
    "\n", ""
).split("|")
ORGS = ["PT", "CV", "UD", "Koperasi", "Bank", "Dinas", "Kantor", "Rumah Sakit", "SMA Negeri"]
ID_GIVEN = """Agus Budi Siti Dewi Sri Ahmad Muhammad Nur Rina Eko Joko Bambang Hendra Yudi
Andi Rudi Wahyu Dian Indah Fitri Ratna Yuli Ani Retno Hadi Sugeng Slamet Heru Tri Dwi Rahmat
Taufik Arief Irfan Fajar Rizki Putri Ayu Lestari Nanda Intan Kartika Ilham Fauzi Hasan Husein
Abdul Aziz Hamid Syamsul Zainal Suharto Sutrisno Sulistyo Basuki Koentjaraningrat Pramoedya
Taufiq Ismail Sapardi Chairil Goenawan Mochtar Ajip Umar Kayam Andrea Dee Tere Ika Leila""".split()
ID_FAMILY = """Santoso Wijaya Saputra Hidayat Kurniawan Setiawan Gunawan Pratama Nugroho
Susanto Hartono Siregar Nasution Harahap Lubis Simanjuntak Sitompul Tambunan Sihombing
Wibowo Prasetyo Purnomo Suryadi Hakim Rahman Syahputra Ramadhan Permana Sudrajat Hasibuan
Situmorang Pane Daulay Tanjung Batubara Hutapea Manurung Rusmawan Komarudin Anwar Habibie
Soekarno Hatta Sjahrir Tan Lim Wongso Halim Gozali Salim Latif Mahmud Yusuf""".split()
EN_GIVEN = """John Mary James Robert Michael William David Richard Thomas Charles Susan Linda
Barbara Elizabeth Jennifer Sarah Karen Nancy Lisa Anthony Mark Paul Steven Andrew Peter
Benedict Clifford Merle Anthony Robert Adam Emily Jane Helen Margaret""".split()
EN_FAMILY = """Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas
Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King
Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell
Anderson Geertz Ricklefs Reid Kahin Feith Vickers Cribb Hefner Bourchier""".split()
ID_PUBLISHERS = """Gramedia Pustaka Utama|Erlangga|Andi|Rajawali Pers|Elex Media Komputindo|
Kencana|Deepublish|Pustaka Pelajar|Balai Pustaka|Mizan|Bumi Aksara|Salemba Empat|
Remaja Rosdakarya|Alfabeta|Prenadamedia Group|Gadjah Mada University Press|Kompas|
Obor|LP3ES|Pustaka Jaya|Grasindo|Yrama Widya|Sinar Grafika|Refika Aditama|
Citra Aditya Bakti|Ghalia Indonesia|Informatika|Graha Ilmu|Lentera Hati|Gema Insani|
Rineka Cipta|UI Press|ITB Press|IPB Press|Airlangga University Press|Perpustakaan Nasional RI|
Kementerian Pendidikan dan Kebudayaan|Badan Pusat Statistik|Penerbit Ombak|Marjin Kiri""".replace(
    "\n", ""
).split("|")
EN_PUBLISHERS = """Oxford University Press|Cambridge University Press|Routledge|Springer|Wiley|
Elsevier|Sage|Pearson|McGraw-Hill|Palgrave Macmillan|Cornell University Press|
ISEAS Publishing|NUS Press|KITLV Press|Brill|Penguin|Harvard University Press|
American Library Association|Facet Publishing|Libraries Unlimited""".replace("\n", "").split("|")
ID_SERIES = ["Seri Buku Ajar", "Seri Pustaka Ilmiah", "Seri Sejarah Lokal", "Seri Manajemen"]
EN_SERIES = ["Asian Studies Series", "Lecture Notes", "Library Science Text Series"]

ID_TEMPLATES: list[tuple[str, int]] = [
    ("{t}", 20),
    ("Pengantar {t}", 8),
    ("Dasar-Dasar {t}", 5),
    ("{t} untuk Pemula", 3),
    ("Buku Ajar {t}", 4),
    ("Metodologi Penelitian {t}", 2),
    ("Sejarah {t} di {place}", 4),
    ("{t} dan {t}", 8),
    ("Panduan Praktis {t}", 3),
    ("Teori dan Praktik {t}", 3),
    ("Pengaruh {t} terhadap {t} pada {org} {place}", 8),
    ("Analisis {t} pada {org} {place}", 6),
    ("Perancangan Sistem Informasi {t} Berbasis Web", 3),
    ("{t}: {t}", 6),
    ("Kumpulan {t}", 2),
    ("Kamus {t}", 1),
    ("Kajian {t} di {province}", 3),
    ("Strategi {t} dalam {t}", 3),
    ("Manajemen {t}", 4),
]
EN_TEMPLATES: list[tuple[str, int]] = [
    ("{t}", 20),
    ("Introduction to {t}", 8),
    ("Principles of {t}", 5),
    ("{t}: Theory and Practice", 5),
    ("Handbook of {t}", 4),
    ("{t} in Indonesia", 6),
    ("The {t} of {t}", 4),
    ("Essays on {t}", 2),
    ("{t} and {t}", 8),
    ("A History of {t}", 4),
    ("{t} in Southeast Asia", 3),
    ("Understanding {t}", 3),
]
OTHER_LANGUAGES = [("jav", 2), ("ara", 2), ("may", 1), ("dut", 1), ("sun", 1)]
FORMATS = [
    ("book", 780),
    ("thesis", 80),
    ("ebook", 60),
    ("serial", 30),
    ("article", 20),
    ("map", 8),
    ("audio", 6),
    ("video", 8),
    ("manuscript", 4),
    ("repository", 4),
]


def _pseudo_words(count: int, rng: random.Random) -> list[str]:
    """Word-like strings for the long tail (names, rare terms), Indonesian syllable shapes."""
    onsets = "b c d g h j k l m n p r s t w y ng ny".split()
    vowels = "a i u e o a a i".split()
    codas = ["", "", "", "n", "ng", "r", "s", "t", "k", "h", "l", "m"]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        syllables = rng.choice((2, 2, 3, 3, 3, 4))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + (rng.choice(codas) if i else "")
            for i in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


class Zipf:
    """Draw words with probability proportional to 1/(rank + offset)^s."""

    def __init__(self, words: list[str], s: float = 1.0, offset: float = 2.0) -> None:
        self.words = words
        total = 0.0
        self.cumulative: list[float] = []
        for rank in range(len(words)):
            total += 1.0 / (rank + 1 + offset) ** s
            self.cumulative.append(total)

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def top(self, n: int) -> list[str]:
        return self.words[:n]


def _choose(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _isbn13(rng: random.Random) -> str:
    body = rng.choice(("978602", "978623", "978979", "978014", "978019")) + "".join(
        rng.choice("0123456789") for _ in range(6)
    )
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _issn(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(7))
    total = sum(int(d) * (8 - i) for i, d in enumerate(digits))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


@dataclass
class Corpus:
    """Everything the generator draws from; also what the query set is made of."""

    seed: int
    libraries: list[str]
    id_words: Zipf
    en_words: Zipf
    library_weights: list[float]
    subject_heads: Zipf

    @classmethod
    def make(cls, seed: int, libraries: int) -> Corpus:
        rng = random.Random(seed)
        tail = _pseudo_words(60_000, rng)
        id_real = list(dict.fromkeys(ID_WORDS))
        en_real = list(dict.fromkeys(EN_WORDS))
        codes = [f"PERPUS{i:02d}" for i in range(1, libraries + 1)]
        # Subject headings come from a controlled vocabulary: a few thousand main
        # headings (single topics and fixed two-word topics), Zipf-distributed.
        id_zipf = Zipf(id_real, s=1.0)
        en_zipf = Zipf(en_real, s=1.0)
        pairs = [" ".join(id_zipf.draw(rng, 2)) for _ in range(3000)]
        pairs += [" ".join(en_zipf.draw(rng, 2)) for _ in range(800)]
        headings = list(dict.fromkeys(h.capitalize() for h in [*id_real, *pairs, *en_real] if h))
        return cls(
            seed=seed,
            libraries=codes,
            id_words=Zipf(id_real + tail[:40_000], s=1.1, offset=1.0),
            en_words=Zipf(en_real + tail[40_000:], s=1.1, offset=1.0),
            library_weights=[1.0 / (i + 1) ** 0.8 for i in range(libraries)],
            subject_heads=Zipf(headings, s=0.9),
        )

    def documents(self, count: int) -> Iterator[SearchDocument]:
        rng = random.Random(self.seed * 7919 + 1)
        for cluster_id in range(1, count + 1):
            yield self._document(rng, cluster_id)

    def _topic(self, rng: random.Random, words: Zipf) -> str:
        n = rng.choice((1, 2, 2, 2, 3, 3))
        return " ".join(words.draw(rng, n)).title()

    def _title(self, rng: random.Random, language: str) -> str:
        english = language == "eng"
        template = _choose(rng, EN_TEMPLATES if english else ID_TEMPLATES)
        words = self.en_words if english else self.id_words
        title = template
        while "{t}" in title:
            title = title.replace("{t}", self._topic(rng, words), 1)
        return (
            title.replace("{place}", rng.choice(PLACES))
            .replace("{province}", rng.choice(PROVINCES))
            .replace("{org}", rng.choice(ORGS))
        )

    def _author(self, rng: random.Random, language: str) -> str:
        if language == "eng" and rng.random() < 0.8:
            return f"{rng.choice(EN_FAMILY)}, {rng.choice(EN_GIVEN)}"
        if rng.random() < 0.25:
            return rng.choice(ID_GIVEN)  # one-name authors
        return f"{rng.choice(ID_FAMILY)}, {rng.choice(ID_GIVEN)}"

    def _subject(self, rng: random.Random) -> str:
        head = self.subject_heads.draw(rng)[0]
        roll = rng.random()
        if roll < 0.2:
            return f"{head} -- Indonesia"
        if roll < 0.3:
            return f"{head} -- {rng.choice(PROVINCES)}"
        if roll < 0.4:
            return f"{head} -- Sejarah"
        return head

    def _document(self, rng: random.Random, cluster_id: int) -> SearchDocument:
        roll = rng.random()
        if roll < 0.68:
            language = "ind"
        elif roll < 0.93:
            language = "eng"
        else:
            language = _choose(rng, OTHER_LANGUAGES)
        material = _choose(rng, FORMATS)
        title = self._title(rng, language)
        subtitle = self._title(rng, language) if rng.random() < 0.3 else ""
        authors = [self._author(rng, language) for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3)))]
        english = language == "eng"
        holders = set()
        for _ in range(1 + min(int(rng.expovariate(0.9)), 7)):
            holders.add(rng.choices(self.libraries, weights=self.library_weights)[0])
        holding = sorted(holders)
        year_roll = rng.random()
        year: int | None
        if year_roll < 0.03:
            year = None
        elif year_roll < 0.15:
            year = rng.randint(1900, 1979)
        else:
            year = min(2025, int(2025 - rng.expovariate(1 / 12)))
        summary = ""
        if rng.random() < 0.1:
            words = self.en_words if english else self.id_words
            summary = " ".join(words.draw(rng, rng.randint(15, 35)))
        return SearchDocument(
            cluster_id=cluster_id,
            title=title,
            subtitle=subtitle,
            authors=authors,
            subjects=[self._subject(rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))],
            series=[rng.choice(EN_SERIES if english else ID_SERIES)] if rng.random() < 0.08 else [],
            publisher=rng.choice(EN_PUBLISHERS if english else ID_PUBLISHERS),
            isbns=[_isbn13(rng)] if material in {"book", "ebook"} and rng.random() < 0.75 else [],
            issns=[_issn(rng)] if material == "serial" else [],
            year=year,
            languages=[language],
            material_type=material,
            library_codes=holding,
            available_library_codes=[c for c in holding if rng.random() < 0.7],
            summary=summary,
        )


# --- the query set --------------------------------------------------------------------------


@dataclass
class Spec:
    """One benchmark query, in a form every engine can translate."""

    kind: str  # broad | two_words | phrase | fielded | filtered
    text: str  # Simpul query language
    words: list[str] = field(default_factory=list)  # plain words (all must match)
    phrase: list[str] = field(default_factory=list)
    field_name: str | None = None  # title | author | subject, for `words`
    year: tuple[int, int] | None = None
    libraries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def make_queries(corpus: Corpus, sample: list[SearchDocument], seed: int) -> list[Spec]:
    rng = random.Random(seed)
    specs: list[Spec] = []
    # Broad: the commonest words of the records themselves (at 1M records the first
    # dozen match 100,000 or more, the rest 40,000 or more).
    frequency: Counter[str] = Counter()
    for doc in sample:
        seen: set[str] = set()
        for value in [doc.title, doc.subtitle, *doc.subjects, *doc.series, *doc.authors]:
            seen.update(analysis.tokens(value))
        frequency.update(seen)
    ranked = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))  # ties: by word
    common = [w for w, _n in ranked[:200] if not analysis.is_stop_word(w) and w.isalpha()]
    for word in common[:60]:
        specs.append(Spec("broad", word, words=[word]))
    # Two words: taken from real titles, half of them with a common word.
    titled = [d for d in sample if len(analysis.tokens(d.title)) >= 2]
    while len([s for s in specs if s.kind == "two_words"]) < 50:
        doc = rng.choice(titled)
        words = [w for w in analysis.tokens(doc.title) if not analysis.is_stop_word(w)]
        if len(words) < 2:
            continue
        pair = rng.sample(words, 2)
        if rng.random() < 0.5:
            pair[1] = rng.choice(common[:30])
        if pair[0] == pair[1]:
            continue
        specs.append(Spec("two_words", " ".join(pair), words=pair))
    # Phrases: two or three consecutive words of a title.
    while len([s for s in specs if s.kind == "phrase"]) < 30:
        doc = rng.choice(titled)
        words = analysis.tokens(doc.title)
        n = rng.choice((2, 2, 3))
        if len(words) < n:
            continue
        start = rng.randrange(len(words) - n + 1)
        phrase = words[start : start + n]
        specs.append(Spec("phrase", '"' + " ".join(phrase) + '"', phrase=phrase))
    # Fielded.
    for i in range(40):
        doc = rng.choice(sample)
        kind = i % 4
        if kind == 0:
            words = [w for w in analysis.tokens(doc.title) if not analysis.is_stop_word(w)]
            word = rng.choice(words or ["indonesia"])
            specs.append(Spec("fielded", f"title:{word}", words=[word], field_name="title"))
        elif kind == 1 and doc.authors:
            surname = analysis.tokens(doc.authors[0])[0]
            specs.append(Spec("fielded", f"author:{surname}", words=[surname], field_name="author"))
        elif kind == 2 and doc.subjects:
            word = analysis.tokens(doc.subjects[0])[0]
            specs.append(Spec("fielded", f"subject:{word}", words=[word], field_name="subject"))
        else:
            first = rng.randint(1990, 2015)
            word = rng.choice(common[:60])
            specs.append(
                Spec(
                    "fielded",
                    f"{word} year:{first}-{first + 9}",
                    words=[word],
                    year=(first, first + 9),
                )
            )
    # Words with two facet filters: a library and a language or a format.
    for i in range(40):
        word = rng.choice(common[:40])
        words = [word]
        if i % 3 == 2:
            second = rng.choice(common[:80])
            if second != word:
                words.append(second)
        spec = Spec("filtered", " ".join(words), words=words)
        spec.libraries = [rng.choice(corpus.libraries[: max(3, len(corpus.libraries) // 2)])]
        if i % 2:
            spec.languages = [rng.choice(("ind", "ind", "eng"))]
        else:
            spec.formats = [rng.choice(("book", "book", "thesis", "ebook"))]
        specs.append(spec)
    return specs


# --- engines --------------------------------------------------------------------------------
# The SQL below is put together from constants and placeholders only (hence the S608 noqa).


@dataclass
class Outcome:
    total: int
    facets: dict[str, Counter[str]]


class Timer:
    """Wraps the record generator so build time can exclude generation."""

    def __init__(self, items: Iterable[SearchDocument]) -> None:
        self.items = iter(items)
        self.seconds = 0.0

    def __iter__(self) -> Iterator[SearchDocument]:
        return self

    def __next__(self) -> SearchDocument:
        started = time.perf_counter()
        try:
            return next(self.items)
        finally:
            self.seconds += time.perf_counter() - started


def _batches(items: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    batch: list[SearchDocument] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _year_bucket(year: int | None) -> str | None:
    if year is None:
        return None
    for key, first, last in YEAR_RANGES:
        if (first is None or year >= first) and (last is None or year <= last):
            return key
    return None


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class TantivyEngine:
    name = "tantivy"

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "tantivy"

    def build(self, docs: Iterable[SearchDocument]) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self.index = SearchIndex(self.path, writer_heap_bytes=1_000_000_000)
        self.index.add_new(docs)
        self.index.commit()

    def size(self) -> int:
        return _dir_size(self.path)

    def run(self, spec: Spec) -> Outcome:
        result = self.index.search(
            SearchQuery(
                text=spec.text,
                libraries=spec.libraries,
                languages=spec.languages,
                formats=spec.formats,
                page_size=PAGE,
                facet_size=SUBJECT_FACET_SIZE,
            )
        )
        return Outcome(result.total, {k: Counter(dict(v)) for k, v in result.facets.items()})

    def close(self) -> None:
        pass


def _word_terms(word: str) -> tuple[str, list[str]]:
    token = analysis.tokens(word)[0]
    return token, [] if analysis.is_stop_word(token) else list(analysis.stems(token))


class SqliteEngine:
    """FTS5 over the same analysed tokens; facets from plain tables joined to the matches."""

    name = "sqlite"
    COLUMNS = ("all_", "all_stem", "title", "title_stem", "author", "subject", "subject_stem")
    WEIGHTS = "1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0"

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "bench.sqlite3"

    def build(self, docs: Iterable[SearchDocument]) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        db.executescript(
            f"""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;
            CREATE TABLE bench_search_docs (id INTEGER PRIMARY KEY, year INTEGER, format TEXT,
                availability TEXT, title_sort TEXT);
            CREATE TABLE bench_search_library (doc_id INTEGER, code TEXT,
                PRIMARY KEY (doc_id, code)) WITHOUT ROWID;
            CREATE TABLE bench_search_language (doc_id INTEGER, code TEXT,
                PRIMARY KEY (doc_id, code)) WITHOUT ROWID;
            CREATE TABLE bench_search_subject (doc_id INTEGER, value TEXT,
                PRIMARY KEY (doc_id, value)) WITHOUT ROWID;
            CREATE VIRTUAL TABLE bench_search_fts USING fts5({", ".join(self.COLUMNS)},
                tokenize = 'unicode61 remove_diacritics 0');
            """
        )
        for batch in _batches(docs, 5000):
            rows, fts, libs, langs, subjects = [], [], [], [], []
            for d in batch:
                values = index_fields(d)
                rows.append(
                    (
                        d.cluster_id,
                        d.year,
                        d.material_type,
                        values["availability"],
                        values["title_sort"],
                    )
                )
                fts.append(
                    (
                        d.cluster_id,
                        # FTS5 drops "|"; a word it keeps stops phrases crossing values.
                        values["all"].replace(" | ", " qqsep ") + " " + values["ident"],
                        *(values[c] for c in self.COLUMNS[1:]),
                    )
                )
                libs += [(d.cluster_id, c) for c in d.library_codes]
                langs += [(d.cluster_id, c) for c in d.languages]
                subjects += [
                    (d.cluster_id, s) for s in dict.fromkeys(main_heading(s) for s in d.subjects)
                ]
            db.executemany("INSERT INTO bench_search_docs VALUES (?,?,?,?,?)", rows)
            db.executemany(
                f"INSERT INTO bench_search_fts (rowid, {', '.join(self.COLUMNS)}) "  # noqa: S608
                "VALUES (?,?,?,?,?,?,?,?)",
                fts,
            )
            db.executemany("INSERT INTO bench_search_library VALUES (?,?)", libs)
            db.executemany("INSERT INTO bench_search_language VALUES (?,?)", langs)
            db.executemany("INSERT INTO bench_search_subject VALUES (?,?)", subjects)
            db.commit()
        db.executescript(
            """
            CREATE INDEX bench_search_library_code ON bench_search_library (code, doc_id);
            CREATE INDEX bench_search_language_code ON bench_search_language (code, doc_id);
            CREATE INDEX bench_search_docs_format ON bench_search_docs (format);
            INSERT INTO bench_search_fts (bench_search_fts) VALUES ('optimize');
            ANALYZE;
            """
        )
        db.commit()
        db.close()
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA cache_size = -262144")
        self.db.execute("PRAGMA mmap_size = 4294967296")

    def size(self) -> int:
        return self.path.stat().st_size

    @staticmethod
    def _q(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def match(self, spec: Spec) -> str:
        q = self._q
        parts = []
        for word in spec.words:
            token, stems = _word_terms(word)
            if spec.field_name == "author":
                parts.append(f"author : {q(token)}")
                continue
            exact, stemmed = {
                "title": ("title", "title_stem"),
                "subject": ("subject", "subject_stem"),
            }.get(spec.field_name or "", ("all_", "all_stem"))
            alternatives = [f"{stemmed} : {q(s)}" for s in stems] + [f"{exact} : {q(token)}"]
            parts.append("(" + " OR ".join(alternatives) + ")")
        if spec.phrase:
            parts.append("all_ : " + q(" ".join(spec.phrase)))
        return " AND ".join(parts)

    def _where(self, spec: Spec) -> tuple[str, list[Any]]:
        # Correlated lookups by primary key for each match: SQLite's best plan when the
        # full-text match drives (materialising a filter's whole id list is far slower).
        sql = ["bench_search_fts MATCH ?"]
        params: list[Any] = [self.match(spec)]
        if spec.year:
            sql.append(
                "EXISTS (SELECT 1 FROM bench_search_docs d WHERE d.id = f.rowid "
                "AND d.year BETWEEN ? AND ?)"
            )
            params += list(spec.year)
        for table, values in (
            ("bench_search_library", spec.libraries),
            ("bench_search_language", spec.languages),
        ):
            if values:
                marks = ",".join("?" * len(values))
                sql.append(
                    f"EXISTS (SELECT 1 FROM {table} x WHERE x.doc_id = f.rowid "  # noqa: S608
                    f"AND x.code IN ({marks}))"
                )
                params += values
        if spec.formats:
            marks = ",".join("?" * len(spec.formats))
            sql.append(
                "EXISTS (SELECT 1 FROM bench_search_docs d WHERE d.id = f.rowid "  # noqa: S608
                f"AND d.format IN ({marks}))"
            )
            params += spec.formats
        return " AND ".join(sql), params

    def run(self, spec: Spec) -> Outcome:
        where, params = self._where(spec)
        self.db.execute(
            f"SELECT f.rowid, bm25(bench_search_fts, {self.WEIGHTS}) AS score "  # noqa: S608
            f"FROM bench_search_fts f WHERE {where} ORDER BY score LIMIT {PAGE}",
            params,
        ).fetchall()
        bucket = " ".join(
            f"WHEN d.year BETWEEN {first if first is not None else -9999} "
            f"AND {last if last is not None else 9999} THEN '{key}'"
            for key, first, last in YEAR_RANGES
        )
        rows = self.db.execute(
            f"""
            WITH m AS MATERIALIZED (SELECT f.rowid AS id FROM bench_search_fts f WHERE {where})
            SELECT 'library', l.code, count(*) FROM m
                JOIN bench_search_library l ON l.doc_id = m.id GROUP BY l.code
            UNION ALL SELECT 'language', l.code, count(*) FROM m
                JOIN bench_search_language l ON l.doc_id = m.id GROUP BY l.code
            UNION ALL SELECT * FROM (SELECT 'subject', s.value, count(*) AS n FROM m
                JOIN bench_search_subject s ON s.doc_id = m.id GROUP BY s.value
                ORDER BY n DESC LIMIT {SUBJECT_FACET_SIZE})
            UNION ALL SELECT 'row', d.format || '|' || d.availability || '|' ||
                COALESCE(CASE {bucket} END, ''), count(*) FROM m
                JOIN bench_search_docs d ON d.id = m.id GROUP BY 2
            """,  # noqa: S608
            params,
        ).fetchall()
        return _outcome_from_rows(rows)

    def close(self) -> None:
        self.db.close()


def _outcome_from_rows(rows: list[tuple[str, str, int]]) -> Outcome:
    facets: dict[str, Counter[str]] = {
        k: Counter() for k in ("library", "format", "language", "year", "subject", "availability")
    }
    total = 0
    for kind, value, count in rows:
        if kind == "row":
            material, availability, bucket = value.split("|")
            total += count
            facets["format"][material] += count
            facets["availability"][availability] += count
            if bucket:
                facets["year"][bucket] += count
        else:
            facets[kind][value] += count
    return Outcome(total, facets)


class PostgresEngine:
    """One tsvector per record (exact tokens, and stems as '~stem' at the same positions,
    weighted A title, B author, C subject, D other), GIN, ts_rank; facets by GROUP BY."""

    name = "postgres"
    WEIGHT = {"title": "A", "author": "B", "subject": "C"}

    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)
        # Settings an operator would choose for interactive queries: room to sort and
        # hash in memory, and no JIT compilation (it adds tens of ms to big queries).
        self.connection.execute("SET work_mem = '64MB'")
        self.connection.execute("SET jit = off")

    @staticmethod
    def tsvector(doc: SearchDocument) -> str:
        positions: dict[str, list[str]] = {}
        position = 1

        def add(values: Iterable[str], weight: str, stem: bool) -> None:
            nonlocal position
            for value in values:
                for token in analysis.tokens(value):
                    if position > 16383:
                        return
                    mark = f"{position}{weight}"
                    positions.setdefault(token, []).append(mark)
                    if stem and not analysis.is_stop_word(token):
                        for s in analysis.stems(token):
                            positions.setdefault("~" + s, []).append(mark)
                    position += 1
                position += 1  # a gap between values, so phrases stay inside one

        add([doc.title, doc.subtitle], "A", True)
        add(doc.authors, "B", False)
        add(doc.subjects, "C", True)
        add([*doc.series, doc.summary], "D", True)
        add([doc.publisher], "D", False)
        for token in analysis.identifier_tokens(doc.isbns, doc.issns):
            positions.setdefault(token, []).append(f"{position}D")
        return " ".join(
            f"'{lexeme}':{','.join(marks[:256])}" for lexeme, marks in positions.items()
        )

    def build(self, docs: Iterable[SearchDocument]) -> None:
        c = self.connection
        c.execute("DROP SCHEMA IF EXISTS bench_search CASCADE")
        c.execute("CREATE SCHEMA bench_search")
        c.execute(
            """
            CREATE TABLE bench_search.docs (id integer PRIMARY KEY, tsv tsvector, year integer,
                format text, availability text, languages text[], libraries text[],
                subjects text[], title_sort text)
            """
        )
        with c.cursor() as cursor:
            for batch in _batches(docs, 5000):
                with cursor.copy(
                    "COPY bench_search.docs (id, tsv, year, format, availability, languages,"
                    " libraries, subjects, title_sort) FROM STDIN"
                ) as copy:
                    for d in batch:
                        copy.write_row(
                            (
                                d.cluster_id,
                                self.tsvector(d),
                                d.year,
                                d.material_type,
                                "available" if d.available_library_codes else "unavailable",
                                d.languages,
                                d.library_codes,
                                list(dict.fromkeys(main_heading(s) for s in d.subjects)),
                                analysis.title_sort_key(d.title),
                            )
                        )
        c.execute("SET maintenance_work_mem = '1GB'")
        c.execute("CREATE INDEX ON bench_search.docs USING gin (tsv)")
        c.execute("CREATE INDEX ON bench_search.docs USING gin (libraries)")
        c.execute("CREATE INDEX ON bench_search.docs USING gin (languages)")
        c.execute("CREATE INDEX ON bench_search.docs (format)")
        c.execute("VACUUM ANALYZE bench_search.docs")

    def size(self) -> int:
        row = self.connection.execute(
            "SELECT pg_total_relation_size('bench_search.docs')"
        ).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _lexeme(token: str) -> str:
        return "'" + token.replace("'", "''") + "'"

    def tsquery(self, spec: Spec) -> str:
        lx = self._lexeme
        parts = []
        weight = self.WEIGHT.get(spec.field_name or "", "")
        suffix = f":{weight}" if weight else ""
        for word in spec.words:
            token, stems = _word_terms(word)
            if spec.field_name == "author":
                stems = []
            alternatives = [lx("~" + s) + suffix for s in stems] + [lx(token) + suffix]
            parts.append("(" + " | ".join(alternatives) + ")")
        if spec.phrase:
            parts.append("(" + " <-> ".join(lx(t) for t in spec.phrase) + ")")
        return " & ".join(parts)

    def _where(self, spec: Spec) -> tuple[str, list[Any]]:
        sql = ["tsv @@ %s::tsquery"]
        params: list[Any] = [self.tsquery(spec)]
        if spec.year:
            sql.append("year BETWEEN %s AND %s")
            params += list(spec.year)
        if spec.libraries:
            sql.append("libraries && %s::text[]")
            params.append(spec.libraries)
        if spec.languages:
            sql.append("languages && %s::text[]")
            params.append(spec.languages)
        if spec.formats:
            sql.append("format = ANY(%s::text[])")
            params.append(spec.formats)
        return " AND ".join(sql), params

    def run(self, spec: Spec) -> Outcome:
        where, params = self._where(spec)
        c = self.connection
        c.execute(
            f"SELECT id, ts_rank(tsv, %s::tsquery) AS score FROM bench_search.docs "  # noqa: S608
            f"WHERE {where} ORDER BY score DESC LIMIT {PAGE}",
            [params[0], *params],
        ).fetchall()
        bucket = " ".join(
            f"WHEN year BETWEEN {first if first is not None else -9999} "
            f"AND {last if last is not None else 9999} THEN '{key}'"
            for key, first, last in YEAR_RANGES
        )
        rows = c.execute(
            f"""
            WITH m AS MATERIALIZED (SELECT year, format, availability, languages, libraries,
                subjects FROM bench_search.docs WHERE {where})
            SELECT 'library', x, count(*) FROM m, unnest(m.libraries) x GROUP BY x
            UNION ALL SELECT 'language', x, count(*) FROM m, unnest(m.languages) x GROUP BY x
            UNION ALL (SELECT 'subject', x, count(*) FROM m, unnest(m.subjects) x GROUP BY x
                ORDER BY 3 DESC LIMIT {SUBJECT_FACET_SIZE})
            UNION ALL SELECT 'row', format || '|' || availability || '|' ||
                COALESCE(CASE {bucket} END, ''), count(*) FROM m GROUP BY 2
            """,  # noqa: S608
            params,
        ).fetchall()
        return _outcome_from_rows([(str(a), str(b), int(n)) for a, b, n in rows])

    def close(self) -> None:
        self.connection.execute("DROP SCHEMA IF EXISTS bench_search CASCADE")
        self.connection.close()


# --- running and reporting ------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


@dataclass
class Report:
    engine: str
    build_seconds: float
    generate_seconds: float
    size_bytes: int
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> ms
    totals: list[int] = field(default_factory=list)
    facets: list[dict[str, dict[str, int]]] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.split("\n")[
            1
        ]
        total = memory.split()[1]
    except (OSError, IndexError):
        total = "?"
    return (
        f"{os.cpu_count()} cores ({cpu}), {total} memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def run_engine(
    engine: Any,
    corpus: Corpus,
    records: int,
    specs: list[Spec],
    log: Callable[[str], None],
    repeat: int,
) -> Report:
    log(f"[{engine.name}] building {records:,} records ...")
    docs = Timer(corpus.documents(records))
    started = time.perf_counter()
    engine.build(docs)
    elapsed = time.perf_counter() - started
    report = Report(engine.name, elapsed - docs.seconds, docs.seconds, engine.size())
    log(
        f"[{engine.name}] built in {report.build_seconds:.1f} s "
        f"(+{docs.seconds:.1f} s generating), {report.size_bytes / 1e6:.0f} MB"
    )
    for spec in specs:  # warm-up
        engine.run(spec)
    report.load_before = os.getloadavg()[0]
    for spec in specs:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            outcome = engine.run(spec)
            samples.append((time.perf_counter() - started) * 1000)
        report.latencies.setdefault(spec.kind, []).append(statistics.median(samples))
        report.totals.append(outcome.total)
        report.facets.append({k: dict(v) for k, v in outcome.facets.items() if k != "subject"})
    report.load_after = os.getloadavg()[0]
    everything = report.all_latencies()
    log(
        f"[{engine.name}] {len(everything)} queries: p50 {percentile(everything, 50):.1f} ms, "
        f"p95 {percentile(everything, 95):.1f} ms, p99 {percentile(everything, 99):.1f} ms"
    )
    return report


def markdown(
    reports: list[Report], specs: list[Spec], records: int, libraries: int, repeat: int
) -> str:
    lines = [
        f"{records:,} records, {libraries} libraries, {len(specs)} queries "
        f"({', '.join(f'{k} {n}' for k, n in Counter(s.kind for s in specs).items())}); "
        f"each returns 20 hits by relevance, the total and all six facets. "
        f"After one warm-up pass, each query ran {repeat} times; its median counts.",
        "",
        f"Machine: {machine()}; {dt.date.today().isoformat()}.",
        "",
        "| engine | build (s) | index size (MB) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) "
        "| load avg during queries |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        v = r.all_latencies()
        lines.append(
            f"| {r.engine} | {r.build_seconds:.1f} | {r.size_bytes / 1e6:.0f} | "
            f"{percentile(v, 50):.1f} | {percentile(v, 95):.1f} | {percentile(v, 99):.1f} | "
            f"{max(v):.1f} | {r.load_before:.1f} → {r.load_after:.1f} |"
        )
    kinds = list(dict.fromkeys(s.kind for s in specs))
    lines += [
        "",
        "p95 by kind of query (ms):",
        "",
        "| engine | " + " | ".join(kinds) + " |",
        "|---|" + "---:|" * len(kinds),
    ]
    for r in reports:
        cells = [f"{percentile(r.latencies.get(k, []), 95):.1f}" for k in kinds]
        lines.append(f"| {r.engine} | " + " | ".join(cells) + " |")
    reference = reports[0]
    lines += ["", f"Records matched (from {reference.engine}):", ""]
    by_kind: dict[str, list[int]] = {}
    for spec, total in zip(specs, reference.totals, strict=True):
        by_kind.setdefault(spec.kind, []).append(total)
    for kind, totals in by_kind.items():
        big = sum(1 for t in totals if t >= 100_000)
        lines.append(
            f"- {kind}: median {statistics.median(totals):,.0f}, max {max(totals):,}, "
            f"{big} of {len(totals)} queries match 100,000 or more"
        )
    for r in reports[1:]:
        differ = [
            f"{spec.text} ({a} vs {b})"
            for spec, a, b in zip(specs, reference.totals, r.totals, strict=True)
            if a != b
        ]
        lines.append(
            f"- totals that differ between {reference.engine} and {r.engine}: {len(differ)}"
            + (f" (e.g. {'; '.join(differ[:3])})" if differ else "")
        )
        facets_differ = sum(1 for a, b in zip(reference.facets, r.facets, strict=True) if a != b)
        lines.append(
            f"- queries whose library/format/language/year/availability counts differ: "
            f"{facets_differ}"
        )
    generated = reports[0].generate_seconds
    lines += ["", f"Generating the records (not in build times): {generated:.0f} s."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--libraries", type=int, default=30, help="holding libraries (8-50)")
    parser.add_argument("--engines", default="tantivy,sqlite,postgres")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workdir", help="where to build (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the built indexes")
    parser.add_argument(
        "--repeat", type=int, default=3, help="measured runs per query; its median counts"
    )
    args = parser.parse_args()
    libraries = max(8, min(args.libraries, 50))

    def log(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="simpul-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = Corpus.make(args.seed, libraries)
    sample = list(corpus.documents(min(args.records, 20_000)))
    specs = make_queries(corpus, sample, args.seed)
    del sample
    log(f"{len(specs)} queries; working in {workdir}")
    reports: list[Report] = []
    try:
        for name in [e.strip() for e in args.engines.split(",") if e.strip()]:
            engine: Any
            if name == "tantivy":
                engine = TantivyEngine(workdir)
            elif name == "sqlite":
                engine = SqliteEngine(workdir)
            elif name == "postgres":
                engine = PostgresEngine(args.postgres)
            else:
                raise SystemExit(f"unknown engine {name!r}")
            try:
                reports.append(run_engine(engine, corpus, args.records, specs, log, args.repeat))
            finally:
                engine.close()
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(markdown(reports, specs, args.records, libraries, args.repeat))


if __name__ == "__main__":
    main()
