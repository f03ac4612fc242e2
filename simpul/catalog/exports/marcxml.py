"""MARCXML (MARC 21 slim): the members' records of a title in one <collection>, valid against
MARC21slim.xsd."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree
from pymarc import Record

from simpul.catalog.exports._marc import MARC_NS, marc_records
from simpul.catalog.exports.marc21slim import MARC_SCHEMA, XSI_NS, conformed, record_text
from simpul.catalog.readers.marc import plain_from_record

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/marcxml+xml"


def _q(name: str) -> str:
    return f"{{{MARC_NS}}}{name}"


def record_xml(record: Record) -> str:
    """One <record> in the MARC 21 slim namespace, made valid against MARC21slim.xsd (a
    member's record may carry stray bytes, bad tags, indicators or codes)."""
    return record_text(*conformed(*plain_from_record(record)), schema_location=False)


def record_element(record: Record) -> etree._Element:
    return etree.fromstring(record_xml(record))


def render(view: ClusterView, url: str = "") -> bytes:
    collection = etree.Element(_q("collection"), nsmap={None: MARC_NS, "xsi": XSI_NS})
    collection.set(f"{{{XSI_NS}}}schemaLocation", f"{MARC_NS} {MARC_SCHEMA}")
    for record in marc_records(view.records):
        collection.append(record_element(record))
    return bytes(
        etree.tostring(collection, encoding="utf-8", xml_declaration=True, pretty_print=True)
    )
