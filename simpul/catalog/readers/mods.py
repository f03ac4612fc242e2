"""MODS 3.x (basic), as <modsCollection>, single <mods> or inside OAI-PMH.

Read: titleInfo, name, originInfo, identifier (isbn, issn, doi, lccn, oclc, local),
language, subject, physicalDescription, typeOfResource/genre, abstract, relatedItem
type="series", location (url, physicalLocation, shelfLocator, holdingSimple copies)
and recordInfo/recordIdentifier. Other MODS elements are kept in `raw` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import (
    BibRecord,
    Item,
    MaterialType,
    RecordProblem,
    SourceFormat,
)
from simpul.catalog.isbn import (
    extract_isbns,
    looks_like_isbn,
    normalise_doi,
    normalise_issn,
    normalise_lccn,
)
from simpul.catalog.readers._text import (
    clean_isbd,
    dedupe,
    first_year,
    normalise_language,
    original_title_in_notes,
    squash,
    status_from_text,
    strip_brackets,
)
from simpul.catalog.readers._xml import (
    Unit,
    localname,
    read_xml_records,
    serialise,
    text_of,
)
from simpul.catalog.readers.dublin_core import material_from_type

MODS_NS = "http://www.loc.gov/mods/v3"
_RESOURCE_TYPES = {
    "text": MaterialType.BOOK,
    "cartographic": MaterialType.MAP,
    "notated music": MaterialType.SCORE,
    "sound recording": MaterialType.AUDIO,
    "sound recording-musical": MaterialType.AUDIO,
    "sound recording-nonmusical": MaterialType.AUDIO,
    "moving image": MaterialType.VIDEO,
    "still image": MaterialType.OTHER,
    "three dimensional object": MaterialType.OTHER,
    "software, multimedia": MaterialType.OTHER,
    "mixed material": MaterialType.OTHER,
}


def never_mods_record(tag: str) -> bool:
    return tag.rsplit("}", 1)[-1] != "mods"


def is_mods_record(element: Any) -> bool:
    return localname(element) == "mods"


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if localname(child) == name]


def _child_text(element: Any, name: str) -> str:
    for child in _children(element, name):
        value = text_of(child)
        if value:
            return value
    return ""


def _info_title(info: Any, *, with_subtitle: bool = False) -> str:
    """A titleInfo's title with its part number and name ("Koryŏsa. Yŏlchŏn"), and its
    subtitle before them when asked (as MARC 246 $a $b $n $p reads)."""
    title = " ".join(v for v in (_child_text(info, "nonSort"), _child_text(info, "title")) if v)
    subtitle = _child_text(info, "subTitle") if with_subtitle else ""
    title = " : ".join(clean_isbd(v) for v in (title, subtitle) if v)
    parts = [_child_text(info, "partNumber"), _child_text(info, "partName")]
    return ". ".join(clean_isbd(v) for v in [title, *parts] if v)


def _title_info(mods: Any) -> tuple[str, str]:
    infos = _children(mods, "titleInfo")
    primary = [i for i in infos if i.get("type") in (None, "")] or infos
    for info in primary:
        if title := _info_title(info):
            return title, clean_isbd(_child_text(info, "subTitle"))
    return "", ""


def _uniform_title(mods: Any) -> str:
    """titleInfo type="uniform", MODS's 130/240; without one, the title of the original
    (relatedItem type="original", MODS's 765) or a note naming it."""
    uniform = (_info_title(i) for i in _children(mods, "titleInfo") if i.get("type") == "uniform")
    originals = (
        _info_title(info)
        for related in _children(mods, "relatedItem")
        if related.get("type") == "original"
        for info in _children(related, "titleInfo")
    )
    notes = [text_of(note) for note in _children(mods, "note")]
    return next((t for t in (*uniform, *originals) if t), "") or original_title_in_notes(notes)


def _variant_titles(mods: Any) -> list[str]:
    """titleInfo of type alternative, translated or abbreviated: MODS's 246."""
    found = [
        _info_title(info, with_subtitle=True)
        for info in _children(mods, "titleInfo")
        if info.get("type") in ("alternative", "translated", "abbreviated")
    ]
    return [t for t in dedupe(found) if t]


def _name(name: Any) -> str:
    parts = _children(name, "namePart")
    family = [text_of(p) for p in parts if p.get("type") == "family"]
    given = [text_of(p) for p in parts if p.get("type") == "given"]
    untyped = [text_of(p) for p in parts if p.get("type") in (None, "")]
    if family:
        value = ", ".join(v for v in (" ".join(family), " ".join(given)) if v)
    else:
        value = (
            ". ".join(v for v in untyped if v)
            if name.get("type") == "corporate"
            else " ".join(untyped)
        )
    if not value:
        value = _child_text(name, "displayForm")
    return clean_isbd(value)


def _origin(mods: Any) -> tuple[str, str, int | None, str, bool]:
    publisher = place = edition = ""
    year: int | None = None
    serial = False
    for origin in _children(mods, "originInfo"):
        publisher = publisher or strip_brackets(clean_isbd(_child_text(origin, "publisher")))
        if not place:
            for place_element in _children(origin, "place"):
                for term in _children(place_element, "placeTerm"):
                    if term.get("type") != "code":
                        place = strip_brackets(clean_isbd(text_of(term)))
                        break
        edition = edition or clean_isbd(_child_text(origin, "edition"))
        if year is None:
            dates = [
                d
                for name in ("dateIssued", "copyrightDate", "dateCreated", "dateOther")
                for d in _children(origin, name)
            ]
            dates.sort(key=lambda d: d.get("keyDate") != "yes")
            for date in dates:
                year = first_year(text_of(date))
                if year:
                    break
        issuance = _child_text(origin, "issuance").lower()
        serial = serial or issuance in ("serial", "continuing", "integrating resource")
    return publisher, place, year, edition, serial


def _subject(subject: Any) -> str:
    parts: list[str] = []
    for child in subject:
        name = localname(child)
        if name in ("topic", "geographic", "temporal", "genre", "occupation"):
            parts.append(clean_isbd(text_of(child)))
        elif name == "name":
            parts.append(_name(child))
        elif name == "titleInfo":
            parts.append(clean_isbd(_child_text(child, "title")))
    return " -- ".join(p for p in parts if p)


def _locations(mods: Any, default_library_code: str) -> tuple[list[Item], list[str]]:
    items: list[Item] = []
    urls: list[str] = []
    for location in _children(mods, "location"):
        urls.extend(text_of(u) for u in _children(location, "url") if text_of(u))
        library = _child_text(location, "physicalLocation") or default_library_code
        shelf = _child_text(location, "shelfLocator")
        copies = [
            copy
            for holding in _children(location, "holdingSimple")
            for copy in _children(holding, "copyInformation")
        ]
        for copy in copies:
            status = ""
            for note in _children(copy, "note"):
                if (note.get("type") or "").lower() in ("status", "availability", ""):
                    status = text_of(note)
            barcodes = [text_of(i) for i in _children(copy, "itemIdentifier") if text_of(i)]
            items.append(
                Item(
                    library_code=library,
                    location=_child_text(copy, "subLocation"),
                    call_number=_child_text(copy, "shelfLocator") or shelf,
                    barcode=barcodes[0] if barcodes else "",
                    url=_child_text(copy, "electronicLocator"),
                    status=status_from_text(status),
                )
            )
        if not copies and (shelf or _child_text(location, "physicalLocation")):
            items.append(Item(library_code=library, call_number=shelf))
    return items, dedupe(urls)


def _material(mods: Any, serial: bool) -> MaterialType:
    genres = [text_of(g) for g in _children(mods, "genre")]
    from_genre = material_from_type(genres)
    if from_genre in (MaterialType.THESIS, MaterialType.ARTICLE):
        return from_genre
    forms = " ".join(
        text_of(f) for p in _children(mods, "physicalDescription") for f in _children(p, "form")
    ).lower()
    resource = _children(mods, "typeOfResource")
    if resource and resource[0].get("manuscript") == "yes":
        return MaterialType.MANUSCRIPT
    kind = (
        _RESOURCE_TYPES.get(text_of(resource[0]).lower(), MaterialType.OTHER)
        if resource
        else (MaterialType.BOOK)
    )
    if kind == MaterialType.BOOK:
        if serial:
            return MaterialType.SERIAL
        if "microf" in forms:
            return MaterialType.MICROFORM
        if "electronic" in forms or "online" in forms:
            return MaterialType.EBOOK
    return kind


def _convert(default_library_code: str) -> Any:
    def convert(mods: Any, unit: Unit) -> BibRecord | RecordProblem:
        repairs: list[str] = []
        local_id = unit.oai_identifier
        for info in _children(mods, "recordInfo"):
            local_id = local_id or _child_text(info, "recordIdentifier")
        # SLiMS's MODS search results name each record by its biblio_id in the ID attribute.
        local_id = local_id or (mods.get("ID") or "").strip()
        isbns: list[str] = []
        issns: list[str] = []
        doi = lccn = oclc = ""
        rejected: list[str] = []
        for identifier in _children(mods, "identifier"):
            kind = (identifier.get("type") or "").lower()
            value = text_of(identifier)
            if identifier.get("invalid") == "yes" or not value:
                continue
            if kind == "isbn":
                found = extract_isbns(value)
                isbns.extend(found)
                if not found and looks_like_isbn(value):
                    rejected.append(value)
            elif kind == "issn":
                issn = normalise_issn(value)
                if issn:
                    issns.append(issn)
            elif kind == "doi":
                doi = doi or normalise_doi(value)
            elif kind == "lccn":
                lccn = lccn or normalise_lccn(value)
            elif kind in ("oclc", "oclcnum"):
                oclc = oclc or "".join(ch for ch in value if ch.isdigit())
            elif kind in ("local", "uri", "hdl", "handle") and not local_id:
                local_id = value
        if rejected:
            repairs.append(
                _("ISBN(s) with a wrong check digit were left out: %(isbns)s.")
                % {"isbns": ", ".join(rejected)}
            )
        if not local_id:
            local_id = str(unit.position)
            repairs.append(
                _("The record has no identifier; it is identified by its position (%(position)d).")
                % {"position": unit.position}
            )
        title, subtitle = _title_info(mods)
        if not title:
            return RecordProblem(
                position=unit.position,
                reason=_("The MODS record has no titleInfo/title."),
                local_id=local_id,
            )
        publisher, place, year, edition, serial = _origin(mods)
        languages = [
            normalise_language(text_of(term))
            for language in _children(mods, "language")
            for term in _children(language, "languageTerm")
        ]
        extent = ""
        for description in _children(mods, "physicalDescription"):
            extent = extent or clean_isbd(_child_text(description, "extent"))
        series = [
            clean_isbd(_child_text(info, "title"))
            for related in _children(mods, "relatedItem")
            if related.get("type") == "series"
            for info in _children(related, "titleInfo")
        ]
        items, urls = _locations(mods, default_library_code)
        if not doi:
            doi = next((normalise_doi(u) for u in urls if "doi.org/10." in u), "")
        responsibility = next(
            (
                clean_isbd(text_of(note))
                for note in _children(mods, "note")
                if note.get("type") == "statement of responsibility"
            ),
            "",
        )
        return BibRecord(
            local_id=squash(local_id),
            source_format=SourceFormat.MODS,
            raw=serialise(mods),
            title=title,
            subtitle=subtitle,
            responsibility=responsibility,
            uniform_title=_uniform_title(mods),
            variant_titles=[t for t in _variant_titles(mods) if t.casefold() != title.casefold()],
            authors=dedupe([_name(n) for n in _children(mods, "name")]),
            publisher=publisher,
            place=place,
            year=year,
            edition=edition,
            extent=extent,
            isbns=dedupe(isbns),
            issns=dedupe(issns),
            doi=doi,
            lccn=lccn,
            oclc=oclc,
            languages=dedupe(languages),
            material_type=_material(mods, serial),
            subjects=dedupe([_subject(s) for s in _children(mods, "subject")]),
            series=dedupe(series),
            summary=_child_text(mods, "abstract"),
            urls=urls,
            items=items,
            repairs=repairs,
        )

    return convert


def read_mods(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Records of a MODS document (or OAI-PMH response carrying MODS), one at a time."""
    return read_xml_records(
        stream,
        is_record=is_mods_record,
        never_record=never_mods_record,
        convert=_convert(default_library_code),
        source_format=SourceFormat.MODS,
    )
