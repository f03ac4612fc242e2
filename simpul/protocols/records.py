"""Titles (clusters) as the protocols hand them out: Dublin Core and MARCXML with holdings.

Both OAI-PMH and SRU serve pages of titles, so a page is loaded in a fixed number of
queries (clusters, best records, holding libraries, holdings) whatever its size, and
each title's metadata is built as an lxml element.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from lxml import etree

from simpul.catalog.bibliographic import MaterialType, SourceFormat
from simpul.catalog.exports._marc import (
    BUILT_FROM,
    built_fields,
    marc_records,
    plain_bibliographic,
)
from simpul.catalog.exports.marc21slim import (
    XSI_NS,
    conformed,
    insert_ordered,
    record_text,
    xml_text,
)
from simpul.catalog.models import Cluster, Holding, Record, RecordStatus
from simpul.catalog.readers.marc import PlainField, plain_from_record
from simpul.network.models import Library

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# DCMI Type Vocabulary terms for our material types.
DCMI_TYPE = {
    MaterialType.MAP: "Image",
    MaterialType.AUDIO: "Sound",
    MaterialType.VIDEO: "MovingImage",
}
# The member's own number and copies (852, Koha's 952) give way to the title's and ours.
REPLACED_TAGS = frozenset({"001", "003", "852", "952"})


# What a MARC-sourced best record needs for MARCXML (`marc_fields`); the matcher's and the
# importer's bookkeeping is never served.
MARC_SOURCES = frozenset({SourceFormat.MARC21.value, SourceFormat.MARCXML.value})
MARC_SERVED_FIELDS = ("local_id", "source_format", "raw", "material_type", "library")
UNSERVED_FIELDS = ("match_form", "match_reasons", "repairs")


@dataclass
class HoldingLine:
    location: str
    call_number: str
    status: str


@dataclass
class Title:
    """One cluster with what its metadata needs."""

    cluster_id: int
    datestamp: datetime
    material_type: str
    best: Record | None
    libraries: list[str] = field(default_factory=list)  # codes of libraries with a record
    holdings: dict[str, list[HoldingLine]] = field(default_factory=dict)  # by library code


def title_url(cluster_id: int) -> str:
    return settings.SITE_URL + reverse("catalog:record", args=[cluster_id])


def load_titles(
    rows: Sequence[tuple[int, datetime, str, int | None]],
    *,
    records: bool = True,
    raw: bool = True,
    holdings: bool = True,
) -> list[Title]:
    """Titles for (cluster id, datestamp, material type, best record id) rows, in order.

    `records`: load each title's best record (`raw` with it, for MARC); `holdings`: the
    copies by library. Holding libraries are always loaded (they are the sets).
    """
    ids = [row[0] for row in rows]
    libraries: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), 900):
        for cluster_id, code in (
            Record.objects.filter(
                cluster_id__in=ids[start : start + 900], status=RecordStatus.ACTIVE
            )
            .values_list("cluster_id", "library__code")
            .distinct()
        ):
            libraries[cluster_id].add(code)
    best: dict[int, Record] = {}
    if records:
        wanted = [row[3] for row in rows if row[3] is not None]
        query = Record.objects.filter(pk__in=wanted)
        if raw:
            # A member's MARC record is served from its own bytes: the columns, and the
            # decoding of their JSON, are needed only for records built from them.
            best = {record.pk: record for record in query.only(*MARC_SERVED_FIELDS)}
            built = [pk for pk, record in best.items() if record.source_format not in MARC_SOURCES]
            best.update(
                (record.pk, record)
                for record in query.filter(pk__in=built).only(*MARC_SERVED_FIELDS, *BUILT_FROM)
            )
        else:
            best = {record.pk: record for record in query.defer("raw", *UNSERVED_FIELDS)}
        # The few member libraries are shared by all records: joined here, not per row.
        members = Library.objects.in_bulk()
        for record in best.values():
            record.library = members[record.library_id]
    copies: dict[int, dict[str, list[HoldingLine]]] = defaultdict(lambda: defaultdict(list))
    if holdings:
        for cluster_id, code, location, call_number, status in (
            Holding.objects.filter(record__cluster_id__in=ids, record__status=RecordStatus.ACTIVE)
            .order_by("library__code", "location", "call_number", "pk")
            .values_list("record__cluster_id", "library__code", "location", "call_number", "status")
        ):
            copies[cluster_id][code].append(HoldingLine(location, call_number, status))
    return [
        Title(
            cluster_id=cluster_id,
            datestamp=datestamp,
            material_type=material_type,
            best=best.get(best_id) if best_id is not None else None,
            libraries=sorted(libraries.get(cluster_id, ())),
            holdings=dict(copies.get(cluster_id, {})),
        )
        for cluster_id, datestamp, material_type, best_id in rows
    ]


def titles_by_id(cluster_ids: Iterable[int], **options: bool) -> list[Title]:
    """Titles of these clusters (those that still exist), in the order given."""
    ids = list(cluster_ids)
    found = {
        row[0]: row
        for row in Cluster.objects.filter(pk__in=ids, best_record__isnull=False).values_list(
            "pk", "updated_at", "material_type", "best_record_id"
        )
    }
    return load_titles([found[pk] for pk in ids if pk in found], **options)


def library_names() -> dict[str, str]:
    """Every member's Indonesian name by code (machine-facing output is not translated)."""
    return dict(Library.objects.values_list("code", "name"))


# --- Dublin Core ---------------------------------------------------------------------------


def dublin_core(title: Title) -> etree._Element:
    """The title as <oai_dc:dc> (unqualified Dublin Core, as OAI-PMH and SRU's dc schema use)."""
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    record = title.best

    def add(name: str, value: str | None) -> None:
        value = xml_text(value or "").strip()
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = value

    if record is not None:
        add("title", record.title + (f" : {record.subtitle}" if record.subtitle else ""))
        for author in record.authors or []:
            add("creator", author)
        for subject in record.subjects or []:
            add("subject", subject)
        add("description", record.summary)
        add("publisher", record.publisher)
        add("date", str(record.year) if record.year else "")
        for code in record.languages or []:
            add("language", code)
        add("format", record.extent)
        for series in record.series or []:
            add("relation", series)
        for isbn in record.isbns or []:
            add("identifier", f"urn:isbn:{isbn}")
        for issn in record.issns or []:
            add("identifier", f"urn:issn:{issn}")
        if record.doi:
            add("identifier", f"https://doi.org/{record.doi}")
        for url in record.urls or []:
            add("identifier", url)
    try:
        kind = MaterialType(title.material_type)
    except ValueError:
        kind = MaterialType.OTHER
    add("type", DCMI_TYPE.get(kind, "Text"))
    add("type", kind.value)
    add("identifier", title_url(title.cluster_id))
    return root


# --- MARCXML -------------------------------------------------------------------------------


def _best_fields(best: Record) -> tuple[str, list[PlainField]] | None:
    if best.source_format not in MARC_SOURCES:
        return built_fields(best)
    plain = plain_bibliographic(bytes(best.raw or b""), best.source_format)
    if plain is not None:
        return plain
    marc = next(iter(marc_records([best])), None)
    return None if marc is None else plain_from_record(marc)


def marc_fields(title: Title, names: dict[str, str]) -> tuple[str, list[PlainField]] | None:
    """The best record in MARC 21 with the union catalogue's number and every library's copies.

    001 becomes the title (cluster) number; the member's own number moves to 035 as
    "(CODE)number". Each holding library gets one 852: $a its code, $b first location,
    $h first call number, $z its name and copies. The result is valid MARC21slim.
    """
    if title.best is None:
        return None
    found = _best_fields(title.best)
    if found is None:
        return None
    leader, fields = found
    own = title.best
    fields = [field for field in fields if field.tag not in REPLACED_TAGS]
    insert_ordered(fields, PlainField("001", None, str(title.cluster_id), []))
    insert_ordered(
        fields, PlainField("035", (" ", " "), "", [("a", f"({own.library.code}){own.local_id}")])
    )
    for code in sorted(set(title.libraries) | set(title.holdings)):
        lines = title.holdings.get(code, [])
        location = next((h.location for h in lines if h.location), "")
        call_number = next((h.call_number for h in lines if h.call_number), "")
        note = names.get(code, code)
        if lines:
            note += f" ({len(lines)} eks.)"
        subfields = [("a", code)]
        if location:
            subfields.append(("b", location))
        if call_number:
            subfields.append(("h", call_number))
        subfields.append(("z", note))
        fields.append(PlainField("852", (" ", " "), "", subfields))
    return conformed(leader, fields)


def marcxml_text(title: Title, names: dict[str, str]) -> str | None:
    """The title as one MARCXML <record> with holdings, as text (None if none can be built)."""
    found = marc_fields(title, names)
    return None if found is None else record_text(*found)


def marcxml(title: Title, names: dict[str, str]) -> etree._Element | None:
    """The same <record> as an element, for responses built as trees (SRU)."""
    text = marcxml_text(title, names)
    return None if text is None else etree.fromstring(text)
