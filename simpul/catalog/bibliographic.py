"""What every importer produces and every later stage consumes.

A `BibRecord` is one member library's description of one item, reduced to the
fields that search, display, clustering and exports need, with the source
record kept verbatim in `raw` so everything here can be derived again.
Readers yield `BibRecord` for good records and `RecordProblem` for bad ones, so
one broken record never stops a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SourceFormat(StrEnum):
    MARC21 = "marc21"  # ISO 2709, UTF-8 or MARC-8
    MARCXML = "marcxml"
    OAI_DC = "oai_dc"
    MODS = "mods"
    CSV = "csv"
    SLIMS_UCS = "slims_ucs"  # JSON a SLiMS library pushes to a Union Catalog Server


# How staff pages name the formats (proper names, the same in both languages).
SOURCE_FORMAT_LABELS = {
    SourceFormat.MARC21: "MARC 21",
    SourceFormat.MARCXML: "MARCXML",
    SourceFormat.OAI_DC: "Dublin Core",
    SourceFormat.MODS: "MODS",
    SourceFormat.CSV: "CSV",
    SourceFormat.SLIMS_UCS: "SLiMS UCS",
}


class MaterialType(StrEnum):
    BOOK = "book"
    EBOOK = "ebook"
    SERIAL = "serial"
    ARTICLE = "article"
    THESIS = "thesis"
    MAP = "map"
    SCORE = "score"
    AUDIO = "audio"
    VIDEO = "video"
    MANUSCRIPT = "manuscript"
    MICROFORM = "microform"
    REPOSITORY = "repository"  # an item in an open-access repository
    OTHER = "other"


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    REFERENCE = "reference"  # reference only / in-library use
    LOST = "lost"
    UNKNOWN = "unknown"


@dataclass
class Item:
    """One physical or electronic copy (a holding) of the record."""

    library_code: str = ""  # empty: the library that imports the record
    location: str = ""
    call_number: str = ""
    status: ItemStatus = ItemStatus.UNKNOWN
    barcode: str = ""
    url: str = ""


@dataclass
class BibRecord:
    local_id: str  # identifier inside the source: MARC 001, OAI identifier, CSV id column
    source_format: SourceFormat
    raw: bytes  # the source record verbatim: ISO 2709 bytes, an XML element, a CSV row (UTF-8)
    title: str
    subtitle: str = ""
    responsibility: str = ""  # statement of responsibility as transcribed (245$c)
    # The work's preferred title (MARC 130/240): a translation carries its original's.
    uniform_title: str = ""
    # Other titles it is known by (MARC 246, 730, 740): parallel, cover, spine titles.
    variant_titles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # "Surname, Given" or corporate names
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    extent: str = ""  # pagination / physical extent
    isbns: list[str] = field(default_factory=list)  # normalised ISBN-13, hyphen-free
    issns: list[str] = field(default_factory=list)  # NNNN-NNNC
    doi: str = ""  # lower-case, without resolver prefix
    lccn: str = ""
    oclc: str = ""
    languages: list[str] = field(default_factory=list)  # ISO 639-2/B codes, e.g. "ind", "eng"
    material_type: MaterialType = MaterialType.BOOK
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    summary: str = ""
    urls: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    deleted: bool = False  # the source says this record is gone (MARC leader 05 = d, OAI deleted)
    repairs: list[str] = field(default_factory=list)  # what the reader had to fix, said plainly


@dataclass
class RecordProblem:
    """A record that could not be read: where it was and why, for the import report."""

    position: int  # 1-based record number in the file or response
    reason: str  # translated, for a librarian
    local_id: str = ""  # when it could still be read
    byte_offset: int | None = None
