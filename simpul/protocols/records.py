"""Titles (clusters) as the protocols hand them out: Dublin Core and MARCXML with holdings.

Both OAI-PMH and SRU serve pages of titles, so a page is loaded in a fixed number of
queries (clusters, best records, holding libraries, holdings) whatever its size, and
each title's metadata is built as an lxml element.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from lxml import etree
from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from simpul.catalog.bibliographic import MaterialType, SourceFormat
from simpul.catalog.exports._marc import MARC_NS, marc_records
from simpul.catalog.exports.marcxml import record_element
from simpul.catalog.models import Cluster, Holding, Record, RecordStatus
from simpul.network.models import Library

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"

# DCMI Type Vocabulary terms for our material types.
DCMI_TYPE = {
    MaterialType.MAP: "Image",
    MaterialType.AUDIO: "Sound",
    MaterialType.VIDEO: "MovingImage",
}
LOCAL_HOLDINGS_TAGS = {"852", "952"}  # one library's copies (852, Koha's 952): replaced by ours
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What MARC21slim.xsd allows at each leader position, and what replaces anything else.
_DIGIT = frozenset("0123456789 ")
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LEADER_RULES = (
    [(_DIGIT, "0")] * 5
    + [(_ALNUM | {" "}, "n"), (_ALNUM, "a")]
    + [(_ALNUM | {" "}, " ")] * 3
    + [(frozenset("2 "), "2")] * 2
    + [(_DIGIT, "0")] * 5
    + [(_ALNUM | {" "}, " ")] * 3
)
_TAG = re.compile(
    r"^(0([1-9A-Z][0-9A-Z])|0([1-9a-z][0-9a-z]))$|^(([1-9A-Z][0-9A-Z]{2})|([1-9a-z][0-9a-z]{2}))$"
)
_CONTROL_TAG = re.compile(r"^00[1-9A-Za-z]$")
# The indicators and subfield codes MARC21slim.xsd allows.
_INDICATORS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz ")
_SUBFIELD_CODES = frozenset(string.digits + string.ascii_letters + string.punctuation) - {"@", "|"}
_TAG_VALID: dict[tuple[str, bool], bool] = {}  # tags repeat: each is checked once


def _valid_tag(tag: str, control: bool) -> bool:
    known = _TAG_VALID.get((tag, control))
    if known is None:
        if control:
            known = bool(_CONTROL_TAG.match(tag))
        else:
            known = bool(_TAG.match(tag)) and not tag.startswith("00")
        if len(_TAG_VALID) < 10_000:
            _TAG_VALID[(tag, control)] = known
    return known


# What a MARC-sourced best record needs for MARCXML (`marc_record`); the matcher's and the
# importer's bookkeeping is never served.
MARC_SOURCES = frozenset({SourceFormat.MARC21.value, SourceFormat.MARCXML.value})
MARC_SERVED_FIELDS = ("local_id", "source_format", "raw", "material_type", "library__code")
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


def xml_text(value: str) -> str:
    return _XML_UNSAFE.sub("", value)


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
        query = Record.objects.filter(pk__in=wanted).select_related("library")
        if raw:
            # A member's MARC record is served from its own bytes: the columns, and the
            # decoding of their JSON, are needed only for records built from them.
            best = {record.pk: record for record in query.only(*MARC_SERVED_FIELDS)}
            built = [pk for pk, record in best.items() if record.source_format not in MARC_SOURCES]
            best.update((record.pk, record) for record in query.filter(pk__in=built))
        else:
            best = {record.pk: record for record in query.defer("raw", *UNSERVED_FIELDS)}
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


def _conform(marc: MarcRecord) -> None:
    """Make a member's MARC record valid against MARC21slim.xsd (stray bytes happen)."""
    leader = str(marc.leader).ljust(24)[:24]
    fixed = "".join(
        char if char in allowed else default
        for char, (allowed, default) in zip(leader[:20], _LEADER_RULES, strict=True)
    )
    fixed += leader[20:] if leader[20:] in {"4500", "    "} else "4500"
    if fixed != leader:
        marc.leader = Leader(fixed)
    kept = []
    changed = False
    for item in marc.fields:
        control = item.is_control_field()
        if not _valid_tag(item.tag, control):
            changed = True
            continue
        if control:
            kept.append(item)
            continue
        indicators = [*(item.indicators or []), " ", " "][:2]
        codes = {s.code for s in item.subfields}
        if codes <= _SUBFIELD_CODES and all(i and i in _INDICATORS for i in indicators):
            if item.subfields:
                kept.append(item)
            else:
                changed = True
            continue
        changed = True
        subfields = [s for s in item.subfields if s.code in _SUBFIELD_CODES]
        if not subfields:
            continue
        clean = [i.lower() if i and i.lower() in _INDICATORS else " " for i in indicators]
        kept.append(Field(item.tag, Indicators(clean[0], clean[1]), subfields))
    if changed:
        marc.fields = kept


def marc_record(title: Title, names: dict[str, str]) -> MarcRecord | None:
    """The best record in MARC 21 with the union catalogue's number and every library's copies.

    001 becomes the title (cluster) number; the member's own number moves to 035 as
    "(CODE)number". Each holding library gets one 852: $a its code, $b first location,
    $h first call number, $z its name and copies.
    """
    if title.best is None:
        return None
    marc = next(iter(marc_records([title.best])), None)
    if marc is None:
        return None
    own = title.best
    marc.remove_fields("001", "003", *LOCAL_HOLDINGS_TAGS)
    marc.add_ordered_field(Field(tag="001", data=str(title.cluster_id)))
    marc.add_ordered_field(
        Field("035", Indicators(" ", " "), [Subfield("a", f"({own.library.code}){own.local_id}")])
    )
    for code in sorted(set(title.libraries) | set(title.holdings)):
        lines = title.holdings.get(code, [])
        location = next((h.location for h in lines if h.location), "")
        call_number = next((h.call_number for h in lines if h.call_number), "")
        note = names.get(code, code)
        if lines:
            note += f" ({len(lines)} eks.)"
        subfields = [Subfield("a", code)]
        if location:
            subfields.append(Subfield("b", location))
        if call_number:
            subfields.append(Subfield("h", call_number))
        subfields.append(Subfield("z", note))
        marc.add_field(Field("852", Indicators(" ", " "), subfields))
    _conform(marc)
    return marc


def marcxml(title: Title, names: dict[str, str]) -> etree._Element | None:
    """The title as one MARCXML <record> with holdings (None if no record can be built)."""
    marc = marc_record(title, names)
    if marc is None:
        return None
    element = record_element(marc)
    element.set(f"{{{XSI_NS}}}schemaLocation", f"{MARC_NS} {MARC_SCHEMA}")
    return element


def _escaped(value: str, quote: bool = False) -> str:
    value = xml_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;") if quote else value


def marcxml_text(title: Title, names: dict[str, str]) -> str | None:
    """The same MARCXML <record> as `marcxml`, written as text: lists of 500 need the speed."""
    marc = marc_record(title, names)
    if marc is None:
        return None
    parts = [
        f'<record xmlns="{MARC_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{MARC_NS} {MARC_SCHEMA}">'
        f"<leader>{_escaped(str(marc.leader))}</leader>"
    ]
    for item in marc.fields:
        if item.is_control_field():
            parts.append(
                f'<controlfield tag="{item.tag}">{_escaped(item.data or "")}</controlfield>'
            )
            continue
        first, second = [*(item.indicators or []), " ", " "][:2]
        parts.append(f'<datafield tag="{item.tag}" ind1="{first}" ind2="{second}">')
        parts.extend(
            f'<subfield code="{_escaped(sub.code, quote=True)}">{_escaped(sub.value)}</subfield>'
            for sub in item.subfields
        )
        parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts)
