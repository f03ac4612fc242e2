"""Records a SLiMS library pushes to a Union Catalog Server (`ucs_upload.php`): JSON
objects with the columns of SLiMS's `biblio` table and its joined names, authors and
topics as lists.

    {"biblio_id": "12", "title": "Laskar pelangi", "gmd_name": "Text", "edition": "Cet. 3",
     "isbn_issn": "979-3062-79-7", "publisher_name": "Bentang", "publish_year": "2005",
     "collation": "xiv, 529 hlm. ; 21 cm", "series_title": "", "call_number": "899.221 HIR l",
     "language_id": "id", "language_name": "Indonesia", "place_name": "Yogyakarta",
     "classification": "899.221", "notes": "", "frequency": null,
     "authors": [{"name": "Hirata, Andrea", "level": "1", "type": "p", "auth_list": null}],
     "subjects": [{"name": "Fiksi Indonesia", "level": "1", "type": "t", "auth_list": null}]}

The reader takes one such object, a list of them, or a whole request body
(`{"node_info": …, "node_data": {id: record, …}}`). Each record is kept verbatim as its
own JSON object, so `simpul reindex --reread` reads it again. SLiMS sends no copies: the
record's call number is one copy of unknown status at the pushing library.
"""

from __future__ import annotations

import json
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
from simpul.catalog.readers._text import (
    dedupe,
    first_year,
    normalise_language,
    original_title_in_notes,
    squash,
)
from simpul.catalog.readers._values import isbns_or_issn, languages_named
from simpul.catalog.readers.dublin_core import material_from_type

# A push holds at most 50 records; a whole body beyond this is not a SLiMS push.
MAX_BODY_BYTES = 16 * 1024 * 1024


def read_slims_ucs(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Each record of a pushed body (or of one stored record), in the order SLiMS sent them."""
    body = stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        yield RecordProblem(1, _("The request is larger than 16 MB; send fewer records at once."))
        return
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield RecordProblem(1, _("The request is not valid JSON: %(error)s") % {"error": error})
        return
    yield from read_document(document, default_library_code)


def read_document(document: Any, library_code: str = "") -> Iterator[BibRecord | RecordProblem]:
    """The records of a body already parsed (the UCS endpoint reads it once)."""
    for position, value in enumerate(records_in(document), start=1):
        yield _record(value, position, library_code)


def records_in(document: Any) -> list[Any]:
    """The records of a body, a list or one record. PHP writes an array keyed by biblio_id
    as an object, and one keyed 0, 1, 2 … as a list; both come."""
    if isinstance(document, dict) and "node_data" in document:
        document = document["node_data"]
    if isinstance(document, dict) and ("biblio_id" in document or "title" in document):
        return [document]
    if isinstance(document, dict):
        return list(document.values())
    if isinstance(document, list):
        return document
    return [document]


def _text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return squash(str(value)) if isinstance(value, str | int | float) else ""


def _names(values: Any) -> list[str]:
    """Names of SLiMS's author or topic rows, primary ones (level 1) first."""
    if not isinstance(values, list):
        return []
    rows = [v for v in values if isinstance(v, dict) and _text(v, "name")]
    rows.sort(key=lambda row: int(level) if (level := _text(row, "level")).isdigit() else 9)
    return dedupe([_text(row, "name") for row in rows])


def _record(value: Any, position: int, library_code: str) -> BibRecord | RecordProblem:
    if not isinstance(value, dict):
        return RecordProblem(position, _("The record is not a JSON object."))
    local_id = _text(value, "biblio_id")
    if not local_id:
        return RecordProblem(position, _("The record has no biblio_id."))
    title = _text(value, "title")
    if not title:
        return RecordProblem(position, _("The record has no title."), local_id=local_id)
    repairs: list[str] = []
    isbns, issns = isbns_or_issn(_text(value, "isbn_issn"), repairs)
    gmd = _text(value, "gmd_name")
    material = material_from_type([gmd]) if gmd else MaterialType.BOOK
    if material == MaterialType.REPOSITORY:
        material = MaterialType.SERIAL if _text(value, "frequency") else MaterialType.BOOK
    # SLiMS's language_id is a code ("id", "en") where the library kept the defaults; the
    # name ("Indonesia") is what its librarians typed, and is reported when unreadable.
    coded = normalise_language(_text(value, "language_id"))
    language = coded or _text(value, "language_name") or _text(value, "language_id")
    notes = str(value.get("notes") or "")
    call_number = _text(value, "call_number")
    raw = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    return BibRecord(
        local_id=local_id,
        source_format=SourceFormat.SLIMS_UCS,
        raw=raw,
        title=title,
        uniform_title=original_title_in_notes([notes]),
        authors=_names(value.get("authors")),
        publisher=_text(value, "publisher_name"),
        place=_text(value, "place_name"),
        year=first_year(_text(value, "publish_year")),
        edition=_text(value, "edition"),
        extent=_text(value, "collation"),
        isbns=isbns,
        issns=issns,
        languages=dedupe(languages_named([language] if language else [], repairs)),
        material_type=material,
        subjects=_names(value.get("subjects")),
        series=[s for s in [_text(value, "series_title")] if s],
        summary=squash(notes),
        items=[Item(library_code=library_code, call_number=call_number)] if call_number else [],
        repairs=repairs,
    )
