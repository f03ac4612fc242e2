"""Simple Dublin Core (oai_dc, and plain <dc> containers), alone or inside OAI-PMH responses.

Dublin Core is what institutional repositories (DSpace, EPrints, OJS, SLiMS and
INLISLite OAI) give, so its records default to MaterialType.REPOSITORY unless
dc:type says otherwise. dc:identifier is searched for ISBN, ISSN, DOI and links,
because DC has nowhere else to put them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import (
    BibRecord,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.isbn import extract_isbns, looks_like_isbn, normalise_doi, normalise_issn
from simpul.catalog.readers._text import (
    dedupe,
    first_year,
    original_title_in_notes,
    squash,
)
from simpul.catalog.readers._values import languages_named
from simpul.catalog.readers._xml import (
    Unit,
    localname,
    namespace,
    read_xml_records,
    serialise,
    text_of,
)

DC_NAMESPACES = frozenset({"http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"})
_URL = re.compile(r"^(https?|ftp)://\S+$", re.IGNORECASE)
# An identifier that is an ISBN and nothing else ("979-3062-79-5", "ISBN 9793062795",
# "urn:isbn:…"), as SLiMS writes one: only these are worth a word when their check digit
# is wrong (a repository's other numbers are not ISBNs).
_BARE_ISBN = re.compile(r"(?:(?:urn:)?isbn[:\s]*)?[0-9Xx][0-9Xx\s\-]{8,16}", re.IGNORECASE)
_EXTENT = re.compile(r"\d+\s*(p|pp|pages?|hlm|halaman|leaves|lembar|vol|jil|cm)\b", re.IGNORECASE)

# dc:type words (lower-case) -> material type; first match wins, so specific before general.
_TYPE_WORDS: list[tuple[tuple[str, ...], MaterialType]] = [
    (("thesis", "theses", "dissertation", "skripsi", "tesis", "disertasi", "tugas akhir",
      "doctoral", "master's", "masters", "bachelor"), MaterialType.THESIS),
    (("article", "artikel", "book chapter", "bookpart", "book part", "chapter", "bab buku",
      "contribution"), MaterialType.ARTICLE),
    (("ebook", "e-book", "electronic book", "buku elektronik"), MaterialType.EBOOK),
    (("book", "buku", "monograph", "monografi"), MaterialType.BOOK),
    (("journal", "jurnal", "periodical", "majalah", "serial", "magazine", "newspaper",
      "surat kabar"), MaterialType.SERIAL),
    (("map", "peta", "cartographic"), MaterialType.MAP),
    (("score", "notated music", "partitur"), MaterialType.SCORE),
    (("sound", "audio", "rekaman suara"), MaterialType.AUDIO),
    (("moving image", "video", "film"), MaterialType.VIDEO),
    (("manuscript", "naskah", "manuskrip"), MaterialType.MANUSCRIPT),
    (("image", "photograph", "foto", "gambar", "dataset", "software", "physical object",
      "artefak"), MaterialType.OTHER),
]  # fmt: skip


def never_dc_record(tag: str) -> bool:
    """Dublin Core's own elements (dc:title …) are never the record around them."""
    return tag.startswith("{") and tag[1:].split("}", 1)[0] in DC_NAMESPACES


def is_dc_record(element: Any) -> bool:
    name = localname(element)
    ns = namespace(element)
    if ns in DC_NAMESPACES or name == "metadata":
        return False
    if name == "dc":
        return True
    return name != "record" and any(namespace(child) in DC_NAMESPACES for child in element)


def material_from_type(types: list[str]) -> MaterialType:
    for value in types:
        text = value.lower()
        for words, material in _TYPE_WORDS:
            if any(word in text for word in words):
                return material
    return MaterialType.REPOSITORY


def _collect(element: Any) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for child in element:
        name = localname(child)
        if not name:
            continue
        value = text_of(child)
        if value:
            values.setdefault(name.lower(), []).append(value)
    return values


def _convert(element: Any, unit: Unit) -> BibRecord | RecordProblem:
    dc = _collect(element)
    repairs: list[str] = []
    titles = dc.get("title", []) or dc.get("alternative", [])
    identifiers = dc.get("identifier", [])
    local_id = unit.oai_identifier or (identifiers[0] if identifiers else "")
    if not local_id:
        local_id = str(unit.position)
        repairs.append(
            _("The record has no identifier; it is identified by its position (%(position)d).")
            % {"position": unit.position}
        )
    if not titles:
        return RecordProblem(
            position=unit.position, reason=_("The record has no dc:title."), local_id=local_id
        )
    isbns: list[str] = []
    rejected: list[str] = []
    issns: list[str] = []
    urls: list[str] = []
    doi = ""
    for value in identifiers + dc.get("relation", []) + dc.get("source", []):
        lowered = value.lower()
        found_doi = normalise_doi(value)
        if found_doi and (lowered.startswith(("doi:", "10.", "info:doi")) or "doi.org/" in lowered):
            doi = doi or found_doi
        if _URL.match(value):
            if value in identifiers:
                urls.append(value)
            continue
        if "issn" in lowered:
            issn = normalise_issn(value)
            if issn:
                issns.append(issn)
            continue
        if value in identifiers:
            found = extract_isbns(value)
            isbns.extend(found)
            if not found and _BARE_ISBN.fullmatch(value.strip()) and looks_like_isbn(value):
                rejected.append(squash(value))
    if rejected:
        repairs.append(
            _("ISBN(s) with a wrong check digit were left out: %(isbns)s.")
            % {"isbns": ", ".join(dedupe(rejected))}
        )
    languages = languages_named(dc.get("language", []), repairs)
    years = [y for y in (first_year(d) for d in dc.get("issued", []) + dc.get("date", [])) if y]
    extent = next((v for v in dc.get("extent", []) + dc.get("format", []) if _EXTENT.search(v)), "")
    subjects = [squash(part) for value in dc.get("subject", []) for part in value.split(";")]
    summary = (dc.get("abstract", []) or dc.get("description", []) or [""])[0]
    return BibRecord(
        local_id=local_id,
        source_format=SourceFormat.OAI_DC,
        raw=serialise(element),
        title=titles[0],
        # dc has no uniform title; SLiMS and EPrints put a translation's note in description.
        uniform_title=original_title_in_notes(dc.get("description", [])),
        authors=dedupe(dc.get("creator", []) + dc.get("contributor", [])),
        publisher=(dc.get("publisher", []) or [""])[0],
        year=years[0] if years else None,
        extent=extent,
        isbns=dedupe(isbns),
        issns=dedupe(issns),
        doi=doi,
        languages=dedupe(languages),
        material_type=material_from_type(dc.get("type", [])),
        subjects=dedupe(subjects),
        series=dedupe(dc.get("ispartof", [])),
        summary=summary,
        urls=dedupe(urls),
        repairs=repairs,
    )


def read_dublin_core(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Records of a Dublin Core document or OAI-PMH oai_dc response, one at a time.

    Dublin Core describes no copies, so `default_library_code` is not used; it is accepted
    so that every reader is called the same way.
    """
    return read_xml_records(
        stream,
        is_record=is_dc_record,
        never_record=never_dc_record,
        convert=_convert,
        source_format=SourceFormat.OAI_DC,
    )
