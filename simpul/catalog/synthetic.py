"""A generated network catalogue for the demo and the benchmarks, with its ground truth.

No real Indonesian university catalogue in MARC is publicly available (see
../shared/data/README.md), so Indonesian records are generated here, shaped like
the real samples: titles in capitals from SLiMS exports, authors with academic
degrees, publishers typed three ways, ISBNs with and without hyphens or missing,
one row per copy in CSV. The same manifestation (one edition) is described by each
library that holds it in that library's own style, so clustering has real work; a
work's other editions and volumes are separate manifestations that must stay apart.

Everything is derived from the seed and a manifestation's number, so a million
records are written streaming, with flat memory, and the same seed gives the same
files. Each library's file is in the format its system would export.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pymarc import Field, Indicators, Leader, Record, Subfield, record_to_xml

from simpul.catalog.isbn import isbn10_check_digit, isbn13_check_digit

TRUTH_FILE = "truth.tsv"


@dataclass(frozen=True)
class Style:
    """How one library catalogues and exports."""

    code: str
    share: float  # of all records written
    export: str  # "marc" | "marcxml" | "csv"
    items: str  # MARC item field: "952" (Koha) | "949" | "852"; CSV: column layout name
    capitals: float = 0.0  # titles typed in capitals
    isbn_missing: float = 0.05
    isbn10: float = 0.1  # the ISBN given in its ten-digit form
    degrees: float = 0.0  # authors written with academic degrees and titles
    fold_subtitle: float = 0.0  # "Title : subtitle" in the title field
    drop_subtitle: float = 0.0
    typo: float = 0.0
    publisher_variant: float = 0.2


STYLES = {
    style.code: style
    for style in (
        Style("UNIBA", 0.40, "marc", "952", isbn10=0.05, publisher_variant=0.1),
        Style("ITSC", 0.13, "marc", "949", capitals=0.05, isbn10=0.3, fold_subtitle=0.2),
        Style("IKIP-TSM", 0.10, "marc", "852", isbn_missing=0.15, drop_subtitle=0.2, typo=0.01),
        Style("POLTEK-CMI", 0.09, "marcxml", "952", isbn10=0.2, degrees=0.2),
        Style(
            "STIEP", 0.08, "csv", "slims", capitals=0.6, isbn_missing=0.25, isbn10=0.5,
            degrees=0.7, fold_subtitle=0.3, typo=0.02, publisher_variant=0.6,
        ),
        Style(
            "STIKES-SMI", 0.06, "csv", "inlis", capitals=0.3, isbn_missing=0.3, degrees=0.5,
            drop_subtitle=0.3, typo=0.02, publisher_variant=0.5,
        ),
        Style(
            "DISPUSIP-BGR", 0.11, "csv", "inlis", capitals=0.2, isbn_missing=0.2, isbn10=0.3,
            degrees=0.3, fold_subtitle=0.2, publisher_variant=0.4,
        ),
        Style(
            "POJOK-BJB", 0.03, "csv", "slims", capitals=0.8, isbn_missing=0.5, degrees=0.8,
            typo=0.03, publisher_variant=0.7,
        ),
    )
}  # fmt: skip

# --- vocabularies (invented combinations of ordinary catalogue words) ------------------------

ID_TOPICS = (
    """
Ilmu Ekonomi|Manajemen Keuangan|Akuntansi Biaya|Hukum Pidana|Hukum Perdata|Hukum Tata Negara
Ilmu Hukum|Sosiologi|Psikologi Pendidikan|Metodologi Penelitian|Statistika|Kalkulus|Fisika Dasar
Kimia Organik|Biologi Sel|Farmakologi|Keperawatan Medikal Bedah|Kesehatan Masyarakat|Gizi
Epidemiologi|Anatomi Fisiologi|Pemrograman Web|Basis Data|Jaringan Komputer|Sistem Informasi
Rekayasa Perangkat Lunak|Kecerdasan Buatan|Struktur Data|Sistem Operasi|Teknik Sipil
Mekanika Tanah|Teknik Elektro|Rangkaian Listrik|Termodinamika|Manajemen Pemasaran
Manajemen Sumber Daya Manusia|Kewirausahaan|Perbankan Syariah|Ekonomi Islam|Perpajakan
Administrasi Publik|Kebijakan Publik|Ilmu Komunikasi|Jurnalistik|Bahasa Indonesia
Sastra Indonesia|Bahasa Inggris|Linguistik|Sejarah Indonesia|Antropologi|Filsafat Ilmu
Pendidikan Agama Islam|Pendidikan Kewarganegaraan|Kurikulum|Evaluasi Pembelajaran
Bimbingan Konseling|Pendidikan Anak Usia Dini|Matematika Diskrit|Aljabar Linear
Ilmu Perpustakaan|Kearsipan|Pariwisata|Agribisnis|Ilmu Tanah|Budidaya Tanaman|Perikanan
Lingkungan Hidup|Geografi|Ekonomi Pembangunan|Ekonomi Mikro|Ekonomi Makro|Auditing
Hukum Bisnis|Hukum Agraria|Hukum Lingkungan|Komunikasi Massa|Periklanan|Desain Grafis
Arsitektur|Perencanaan Wilayah|Transportasi|Logistik|Manajemen Operasi|Riset Operasi
Kebidanan|Keperawatan Anak|Kesehatan Lingkungan|Teknologi Pangan|Mikrobiologi|Genetika
""".replace("\n", "|")
    .strip("|")
    .split("|")
)
ID_PATTERNS = [
    "Pengantar {t}",
    "Dasar-Dasar {t}",
    "{t}",
    "Buku Ajar {t}",
    "Pokok-Pokok {t}",
    "{t} Terapan",
    "{t} Modern",
    "Teori {t}",
    "Kajian {t}",
    "Metode {t}",
    "Praktikum {t}",
    "Panduan {t}",
    "Memahami {t}",
    "{t} di Indonesia",
    "Perkembangan {t}",
    "Problematika {t}",
]
ID_SUBTITLES = [
    "teori dan aplikasi",
    "teori dan praktik",
    "konsep, teori, dan aplikasi",
    "pendekatan praktis",
    "untuk mahasiswa dan praktisi",
    "sebuah pengantar",
    "suatu tinjauan",
    "dilengkapi contoh soal",
    "edisi untuk perguruan tinggi",
    "",
    "",
    "",
]
EN_TOPICS = (
    """
Economics|Financial Management|Cost Accounting|Criminal Law|Sociology|Educational Psychology
Research Methods|Statistics|Calculus|Physics|Organic Chemistry|Cell Biology|Pharmacology
Nursing|Public Health|Nutrition|Epidemiology|Web Programming|Database Systems
Computer Networks|Information Systems|Software Engineering|Artificial Intelligence
Data Structures|Operating Systems|Civil Engineering|Soil Mechanics|Electric Circuits
Thermodynamics|Marketing Management|Human Resource Management|Entrepreneurship
Islamic Finance|Public Administration|Public Policy|Communication|Linguistics|Philosophy
Curriculum Studies|Library Science|Tourism|Agribusiness|Environmental Science|Geography
Development Economics|Microeconomics|Macroeconomics|Auditing|Business Law|Logistics
""".replace("\n", "|")
    .strip("|")
    .split("|")
)
EN_PATTERNS = [
    "Introduction to {t}",
    "Principles of {t}",
    "{t}",
    "Fundamentals of {t}",
    "Essentials of {t}",
    "Applied {t}",
    "Handbook of {t}",
    "Understanding {t}",
    "{t} in Southeast Asia",
    "Contemporary {t}",
]
EN_SUBTITLES = [
    "theory and practice",
    "a global perspective",
    "concepts and applications",
    "an introduction",
    "",
    "",
    "",
]
GIVEN = """
Budi Agus Siti Dewi Rina Ahmad Muhammad Eko Sri Hendra Yanti Dedi Asep Ujang Cecep Lilis
Nining Wawan Iwan Rudi Rini Tuti Bambang Joko Slamet Wahyu Indra Fajar Putri Ayu Dian Yusuf
Rahmat Hasan Nurul Fitri Ratna Ratih Arief Taufik Rizky Andi Ika Lukman Hidayat Irfan Yudi
Ade Dadang Engkos Euis Neneng Aan Enung Kartika Maya Intan Mega Nadia Reza Fikri Gilang
""".split()
SURNAMES = """
Santoso Wijaya Pratama Saputra Hidayat Nugroho Kusuma Setiawan Gunawan Suryadi Rahman
Hakim Permana Sumarna Sudrajat Kurniawan Firmansyah Ramdani Supriatna Mulyana Hermawan
Wibowo Susanto Purnomo Siregar Nasution Harahap Lubis Simanjuntak Manurung Tanjung
Saragih Ginting Sembiring Hutapea Pane Daulay Wahyudi Kartasasmita Soemantri Rusmana
""".split()
MONONYMS = "Sugiyono Mulyasa Sadirman Winarno Suparman Mardalis Arikunto Sukirno Supranto".split()
EN_NAMES = [
    ("John", "Smith"),
    ("Mary", "Johnson"),
    ("Robert", "Brown"),
    ("Linda", "Miller"),
    ("David", "Wilson"),
    ("Susan", "Taylor"),
    ("Michael", "Anderson"),
    ("Karen", "Thomas"),
    ("James", "Moore"),
    ("Patricia", "Clark"),
    ("Richard", "Lewis"),
    ("Barbara", "Walker"),
]
BEFORE = ["Prof.", "Dr.", "Prof. Dr.", "Drs.", "Ir.", "Dr. Ir.", "Prof. Dr. Ir."]
AFTER = ["S.E., M.M.", "M.Pd.", "S.Kom., M.T.", "M.Si.", "S.H., M.H.", "M.Kes.", "Ph.D.", "M.Sc."]


@dataclass(frozen=True)
class Publisher:
    name: str
    variants: tuple[str, ...]
    place: str
    isbn_prefix: str  # 978 and the group or publisher digits; the manifestation number follows
    english: bool = False


PUBLISHERS = [
    Publisher(
        "Gramedia Pustaka Utama",
        ("PT Gramedia Pustaka Utama", "Pt.Gramedia Pustaka Utama", "Gramedia"),
        "Jakarta",
        "978602",
    ),
    Publisher("Andi", ("Andi Offset", "Penerbit Andi", "ANDI"), "Yogyakarta", "978979"),
    Publisher("Erlangga", ("Penerbit Erlangga", "PT. Erlangga"), "Jakarta", "978979"),
    Publisher("Deepublish", ("CV Budi Utama", "Deepublish Publisher"), "Yogyakarta", "978623"),
    Publisher(
        "Rajawali Pers", ("RajaGrafindo Persada", "PT RajaGrafindo Persada"), "Depok", "978979"
    ),
    Publisher("Pustaka Pelajar", ("Penerbit Pustaka Pelajar",), "Yogyakarta", "978602"),
    Publisher("Gadjah Mada University Press", ("UGM Press", "GMU Press"), "Yogyakarta", "978979"),
    Publisher("Salemba Empat", ("Penerbit Salemba Empat",), "Jakarta", "978979"),
    Publisher("Remaja Rosdakarya", ("PT Remaja Rosdakarya", "Rosda"), "Bandung", "978979"),
    Publisher("Alfabeta", ("CV Alfabeta", "Penerbit Alfabeta"), "Bandung", "978602"),
    Publisher("Kencana", ("Kencana Prenada Media Group", "Prenadamedia"), "Jakarta", "978602"),
    Publisher("Refika Aditama", ("PT Refika Aditama",), "Bandung", "978602"),
    Publisher("Pearson", ("Pearson Education",), "Boston", "978013", english=True),
    Publisher(
        "McGraw-Hill", ("McGraw-Hill Education", "McGraw Hill"), "New York", "978007", english=True
    ),
    Publisher("Wiley", ("John Wiley & Sons", "J. Wiley"), "Hoboken", "978111", english=True),
    Publisher("Cengage Learning", ("Cengage",), "Boston", "978130", english=True),
]
SUBJECT_AREAS = {
    "Ekonomi": "Economics",
    "Hukum": "Law",
    "Pendidikan": "Education",
    "Kesehatan": "Health",
    "Komputer": "Computers",
    "Teknik": "Engineering",
    "Manajemen": "Management",
    "Bahasa": "Language",
    "Sosial": "Social sciences",
    "Pertanian": "Agriculture",
}
LOCATIONS = ["Rak Umum", "Ruang Referensi", "Koleksi Tandon", "Lantai 2", "Sirkulasi"]
ITEM_STATUSES = [("available", 70), ("on_loan", 20), ("reference", 8), ("lost", 2)]
STATUS_TEXT = {
    "slims": {
        "available": "Tersedia",
        "on_loan": "Dipinjam",
        "reference": "Referensi",
        "lost": "Hilang",
    },
    "inlis": {
        "available": "Tersedia",
        "on_loan": "Sedang Dipinjam",
        "reference": "Tidak Dipinjamkan",
        "lost": "Hilang",
    },
    "949": {
        "available": "Available",
        "on_loan": "Checked out",
        "reference": "Reference",
        "lost": "Lost",
    },
}


def isbn10_from_13(isbn13: str) -> str:
    """The ten-digit form that older catalogues still record (978- ISBNs only)."""
    return isbn13[3:12] + isbn10_check_digit(isbn13[3:12])


@dataclass
class Manifestation:
    """One edition (or volume) of a work: what the libraries' records describe."""

    number: int
    work: int
    title: str
    subtitle: str
    authors: list[tuple[str, str]]  # (given, surname); given "" for a single name
    publisher: Publisher
    year: int
    edition: int
    volume: int
    pages: int
    isbn13: str
    language: str
    subjects: list[str]
    thesis: bool = False


@dataclass
class _Work:
    number: int
    english: bool
    title: str
    subtitle: str
    authors: list[tuple[str, str]]
    publisher: Publisher
    first_year: int
    subjects: list[str]
    editions: int
    volumes: int


def _work(seed: int, number: int) -> _Work:
    rng = random.Random(f"{seed}-work-{number}")
    english = rng.random() < 0.22
    if english:
        title = rng.choice(EN_PATTERNS).format(t=rng.choice(EN_TOPICS))
        subtitle = rng.choice(EN_SUBTITLES)
        authors = [rng.choice(EN_NAMES) for _ in range(rng.choice([1, 1, 2, 3]))]
        publisher = rng.choice([p for p in PUBLISHERS if p.english])
    else:
        title = rng.choice(ID_PATTERNS).format(t=rng.choice(ID_TOPICS))
        subtitle = rng.choice(ID_SUBTITLES)
        authors = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            if rng.random() < 0.12:
                authors.append(("", rng.choice(MONONYMS)))
            else:
                authors.append((rng.choice(GIVEN), rng.choice(SURNAMES)))
        publisher = rng.choice([p for p in PUBLISHERS if not p.english])
    area = rng.choice(list(SUBJECT_AREAS))
    topic = title.split(" ")[-1]
    subjects = [f"{area} -- {topic}" if not english else SUBJECT_AREAS[area]]
    if rng.random() < 0.4:
        subjects.append(f"{area} -- Indonesia" if not english else f"{SUBJECT_AREAS[area]} -- Asia")
    editions = rng.choices([1, 2, 3], weights=[70, 22, 8])[0]
    volumes = 2 if rng.random() < 0.05 else 1
    return _Work(
        number, english, title, subtitle, list(dict.fromkeys(authors)), publisher,
        rng.randint(1985, 2022), subjects, editions, volumes,
    )  # fmt: skip


def manifestations(seed: int) -> Iterator[Manifestation]:
    """Every manifestation, work after work, each work's editions and volumes together."""
    number = 0
    work_number = 0
    while True:
        work = _work(seed, work_number)
        rng = random.Random(f"{seed}-editions-{work_number}")
        year = work.first_year
        for edition in range(1, work.editions + 1):
            for volume in range(1, work.volumes + 1):
                # Unique per manifestation (up to a million of them), check digit valid.
                first12 = work.publisher.isbn_prefix + f"{number % 1_000_000:06d}"
                yield Manifestation(
                    number=number,
                    work=work_number,
                    title=work.title,
                    subtitle=work.subtitle,
                    authors=work.authors,
                    publisher=work.publisher,
                    year=min(year, 2025),
                    edition=edition,
                    volume=volume if work.volumes > 1 else 0,
                    pages=rng.randint(120, 600),
                    isbn13=first12 + isbn13_check_digit(first12),
                    language="eng" if work.english else "ind",
                    subjects=work.subjects,
                )
                number += 1
            year += rng.randint(2, 6)
        work_number += 1


# --- one library's description of a manifestation -------------------------------------------


@dataclass
class Description:
    """What a library's catalogue says about a manifestation it holds."""

    library: str
    local_id: str
    manifestation: int
    work: int
    title: str
    subtitle: str
    authors: list[str]  # as the library writes them
    inverted: list[str]  # "Surname, Given" for MARC 100/700
    publisher: str
    place: str
    year: int | None
    edition: str
    extent: str
    isbn: str
    language: str
    subjects: list[str]
    copies: list[tuple[str, str, str]] = field(default_factory=list)  # (barcode, call no, status)


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _edition_text(rng: random.Random, edition: int, english: bool) -> str:
    if edition == 1:
        return ""
    if english:
        return f"{edition}{'nd' if edition == 2 else 'rd'} ed."
    return rng.choice(
        [f"Edisi {edition}", f"Ed. {edition}", f"Edisi ke-{edition}", f"Cet. {edition}"]
    )


def describe(man: Manifestation, style: Style, local_id: str, rng: random.Random) -> Description:
    """The manifestation as this library catalogued it, with this library's habits."""
    english = man.language == "eng"
    title = man.title + (f" Jilid {man.volume}" if man.volume and not english else "")
    title = title + (f", Volume {man.volume}" if man.volume and english else "")
    subtitle = man.subtitle
    if subtitle and rng.random() < style.drop_subtitle:
        subtitle = ""
    if subtitle and rng.random() < style.fold_subtitle:
        title, subtitle = f"{title} : {subtitle}", ""
    if rng.random() < style.typo:
        title = _typo(rng, title)
    if rng.random() < style.capitals:
        title, subtitle = title.upper(), subtitle.upper()
    authors: list[str] = []
    inverted: list[str] = []
    for given, surname in man.authors:
        full = f"{given} {surname}".strip()
        if not english and rng.random() < style.degrees:
            full = f"{rng.choice(BEFORE)} {full}, {rng.choice(AFTER)}"
        elif given and rng.random() < 0.08:
            full = f"{given[0]}. {surname}"
        authors.append(full)
        inverted.append(f"{surname}, {given}" if given else surname)
    publisher = man.publisher.name
    if rng.random() < style.publisher_variant:
        publisher = rng.choice(man.publisher.variants)
    isbn = ""
    if rng.random() >= style.isbn_missing:
        isbn = man.isbn13
        if rng.random() < style.isbn10:
            isbn = isbn10_from_13(isbn)
            if rng.random() < 0.5:
                isbn = f"{isbn[:3]}-{isbn[3:6]}-{isbn[6:9]}-{isbn[9:]}"
        elif rng.random() < 0.3:
            isbn = f"{isbn[:3]}-{isbn[3:6]}-{isbn[6:9]}-{isbn[9:12]}-{isbn[12:]}"
    year: int | None = man.year if rng.random() > 0.02 else None
    copies = []
    cutter = f"{man.authors[0][1][:3].upper()} {title[:1].lower()}"
    call_number = f"{rng.randint(1, 999):03d}.{rng.randint(0, 99):02d} {cutter}"
    for n in range(rng.choices([1, 2, 3, 5], weights=[55, 25, 15, 5])[0]):
        status = rng.choices(
            [s for s, _w in ITEM_STATUSES], weights=[w for _s, w in ITEM_STATUSES]
        )[0]
        copies.append((f"{style.code[:3]}{local_id}-{n + 1}", call_number, status))
    pages = f"{rng.choice(['x', 'xii', 'xiv', 'viii'])}, {man.pages} {'p.' if english else 'hlm.'}"
    return Description(
        library=style.code, local_id=local_id, manifestation=man.number, work=man.work,
        title=title, subtitle=subtitle, authors=authors, inverted=inverted, publisher=publisher,
        place=man.publisher.place, year=year, edition=_edition_text(rng, man.edition, english),
        extent=pages, isbn=isbn, language=man.language, subjects=man.subjects, copies=copies,
    )  # fmt: skip


# --- writers ------------------------------------------------------------------------------------


def marc_record(d: Description, style: Style) -> Record:
    record = Record(force_utf8=True)
    leader = str(record.leader)
    record.leader = Leader(leader[:6] + "am" + leader[8:])
    record.add_field(Field(tag="001", data=d.local_id))
    year = str(d.year) if d.year else "uuuu"
    record.add_field(Field(tag="008", data=f"260101s{year}    io            000 0 {d.language} d"))
    if d.isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", d.isbn)])
        )
    if d.inverted:
        record.add_field(
            Field(
                tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", d.inverted[0])]
            )
        )
    title = [Subfield("a", d.title + (" :" if d.subtitle else " /"))]
    if d.subtitle:
        title.append(Subfield("b", d.subtitle + " /"))
    title.append(Subfield("c", ", ".join(d.authors) + "."))
    record.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=title))
    if d.edition:
        record.add_field(
            Field(tag="250", indicators=Indicators(" ", " "), subfields=[Subfield("a", d.edition)])
        )
    imprint = [Subfield("a", d.place + " :"), Subfield("b", d.publisher + ",")]
    if d.year:
        imprint.append(Subfield("c", str(d.year)))
    record.add_field(Field(tag="260", indicators=Indicators(" ", " "), subfields=imprint))
    record.add_field(
        Field(tag="300", indicators=Indicators(" ", " "), subfields=[Subfield("a", d.extent)])
    )
    for subject in d.subjects:
        parts = subject.split(" -- ")
        subfields = [Subfield("a", parts[0])] + [Subfield("x", p) for p in parts[1:]]
        record.add_field(Field(tag="650", indicators=Indicators(" ", "4"), subfields=subfields))
    for name in d.inverted[1:]:
        record.add_field(
            Field(tag="700", indicators=Indicators("1", " "), subfields=[Subfield("a", name)])
        )
    for barcode, call_number, status in d.copies:
        record.add_field(_item_field(style, barcode, call_number, status))
    return record


def _item_field(style: Style, barcode: str, call_number: str, status: str) -> Field:
    location = LOCATIONS[sum(map(ord, barcode)) % len(LOCATIONS)]
    if style.items == "952":
        subfields = [
            Subfield("a", style.code),
            Subfield("c", location),
            Subfield("o", call_number),
            Subfield("p", barcode),
        ]
        if status == "on_loan":
            subfields.append(Subfield("q", "2026-12-15"))
        elif status == "reference":
            subfields.append(Subfield("7", "1"))
        elif status == "lost":
            subfields.append(Subfield("1", "1"))
        return Field(tag="952", indicators=Indicators(" ", " "), subfields=subfields)
    if style.items == "949":
        return Field(
            tag="949", indicators=Indicators(" ", " "),
            subfields=[Subfield("a", call_number), Subfield("i", barcode), Subfield("l", location),
                       Subfield("s", STATUS_TEXT["949"][status])],
        )  # fmt: skip
    return Field(
        tag="852",
        indicators=Indicators(" ", " "),
        subfields=[
            Subfield("a", style.code),
            Subfield("b", location),
            Subfield("h", call_number),
            Subfield("p", barcode),
        ],
    )


CSV_COLUMNS = {
    "slims": [
        "biblio_id", "title", "edition", "isbn_issn", "publisher", "publish_year", "collation",
        "publish_place", "language_name", "authors", "topics", "call_number", "item_code",
        "location_name", "item_status_name", "gmd_name",
    ],
    "inlis": [
        "ControlNumber", "Judul", "Edisi", "ISBN", "Penerbit", "TahunTerbit", "DeskripsiFisik",
        "KotaTerbit", "Bahasa", "Pengarang", "Subjek", "NoPanggil", "NoBarcode", "Lokasi",
        "Status", "JenisBahan",
    ],
}  # fmt: skip


def csv_rows(d: Description, style: Style) -> Iterator[list[str]]:
    """One row per copy, as SLiMS and INLIS Lite export."""
    title = f"{d.title} : {d.subtitle}" if d.subtitle else d.title
    if style.items == "slims":
        authors = "".join(f"<{a}>" for a in d.authors)
        subjects = "".join(f"<{s}>" for s in d.subjects)
    else:
        authors = "; ".join(d.authors)
        subjects = "; ".join(d.subjects)
    language = {"ind": "Indonesia", "eng": "English"}[d.language]
    for barcode, call_number, status in d.copies:
        location = LOCATIONS[sum(map(ord, barcode)) % len(LOCATIONS)]
        yield [
            d.local_id, title, d.edition, d.isbn, d.publisher, str(d.year or ""), d.extent,
            d.place, language, authors, subjects, call_number, barcode, location,
            STATUS_TEXT[style.items][status], "Buku" if style.items == "inlis" else "Text",
        ]  # fmt: skip


class _LibraryFile:
    def __init__(self, style: Style, path: Path) -> None:
        self.style = style
        self.path = path
        self.handle: IO[bytes] = path.open("wb")
        self.count = 0
        self.text: io.TextIOWrapper | None = None
        self.writer: Any = None
        if style.export == "marcxml":
            self.handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            self.handle.write(b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
        elif style.export == "csv":
            self.text = io.TextIOWrapper(self.handle, encoding="utf-8", newline="")
            self.writer = csv.writer(self.text)
            self.writer.writerow(CSV_COLUMNS[style.items])

    def write(self, d: Description) -> None:
        self.count += 1
        if self.style.export == "marc":
            self.handle.write(marc_record(d, self.style).as_marc())
        elif self.style.export == "marcxml":
            self.handle.write(record_to_xml(marc_record(d, self.style), namespace=False) + b"\n")
        else:
            self.writer.writerows(csv_rows(d, self.style))

    def close(self) -> None:
        if self.style.export == "marcxml":
            self.handle.write(b"</collection>\n")
        if self.text is not None:
            self.text.close()
        else:
            self.handle.close()


def _holders(rng: random.Random, codes: Sequence[str]) -> list[str]:
    """Who holds a manifestation: the big library most shared titles, small ones their own."""
    weights = {code: STYLES[code].share for code in codes}
    biggest = max(codes, key=lambda code: weights[code])
    if rng.random() < 0.55:
        holders = [biggest] if rng.random() < 0.9 else []
        holders += [c for c in codes if c != biggest and rng.random() < min(0.6, 2.2 * weights[c])]
        if holders:
            return holders
    return rng.choices(list(codes), weights=[weights[c] for c in codes])


EXTENSIONS = {"marc": "mrc", "marcxml": "xml", "csv": "csv"}


def write_member_files(
    folder: Path,
    total_records: int,
    *,
    seed: int = 2026,
    libraries: Sequence[str] | None = None,
) -> list[tuple[str, Path]]:
    """Write one export file per library (and the ground truth) with about this many records.

    Returns (library code, file) pairs. The truth file lists, per record, the library,
    its identifier, the manifestation and the work it describes."""
    codes = list(libraries or STYLES)
    unknown = [code for code in codes if code not in STYLES]
    if unknown:
        raise ValueError(f"no cataloguing style for {', '.join(unknown)}")
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        code: _LibraryFile(
            STYLES[code], folder / f"{code.lower()}.{EXTENSIONS[STYLES[code].export]}"
        )
        for code in codes
    }
    written = 0
    with (folder / TRUTH_FILE).open("w", encoding="utf-8") as truth:
        truth.write("library\tlocal_id\tmanifestation\twork\n")
        for man in manifestations(seed):
            if written >= total_records:
                break
            rng = random.Random(f"{seed}-holders-{man.number}")
            for code in _holders(rng, codes):
                target = files[code]
                local_id = (
                    f"{target.count + 1}"
                    if STYLES[code].export == "csv"
                    else f"{code[:4]}{man.number:07d}"
                )
                description = describe(man, STYLES[code], local_id, rng)
                target.write(description)
                truth.write(f"{code}\t{local_id}\t{man.number}\t{man.work}\n")
                written += 1
    for target in files.values():
        target.close()
    return [(code, target.path) for code, target in files.items() if target.count]


def ground_truth(folder: Path) -> dict[tuple[str, str], int]:
    """(library code, local identifier) -> the manifestation the record describes."""
    truth: dict[tuple[str, str], int] = {}
    with (folder / TRUTH_FILE).open(encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            code, local_id, manifestation, _work_number = line.rstrip("\n").split("\t")
            truth[(code, local_id)] = int(manifestation)
    return truth
