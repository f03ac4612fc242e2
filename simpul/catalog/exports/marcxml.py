"""MARCXML (MARC 21 slim): the members' records of a title in one <collection>."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree
from pymarc import Record

from simpul.catalog.exports._marc import MARC_NS, marc_records

if TYPE_CHECKING:
    from simpul.catalog.queries import ClusterView

MIME = "application/marcxml+xml"
SCHEMA_LOCATION = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Characters XML 1.0 cannot hold (MARC data sometimes carries stray control codes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _q(name: str) -> str:
    return f"{{{MARC_NS}}}{name}"


def record_element(record: Record) -> etree._Element:
    """One <record> in the MARC 21 slim namespace."""
    element = etree.Element(_q("record"), nsmap={None: MARC_NS})
    etree.SubElement(element, _q("leader")).text = _text(str(record.leader))
    for field in record.fields:
        if field.is_control_field():
            control = etree.SubElement(element, _q("controlfield"), tag=field.tag)
            control.text = _text(field.data or "")
            continue
        indicators = [*(field.indicators or [" ", " "]), " ", " "]
        data = etree.SubElement(
            element,
            _q("datafield"),
            tag=field.tag,
            ind1=(indicators[0] or " ")[:1],
            ind2=(indicators[1] or " ")[:1],
        )
        for subfield in field.subfields:
            sub = etree.SubElement(data, _q("subfield"), code=subfield.code[:1])
            sub.text = _text(subfield.value)
    return element


def render(view: ClusterView, url: str = "") -> bytes:
    collection = etree.Element(_q("collection"), nsmap={None: MARC_NS, "xsi": XSI})
    collection.set(f"{{{XSI}}}schemaLocation", f"{MARC_NS} {SCHEMA_LOCATION}")
    for record in marc_records(view.records):
        collection.append(record_element(record))
    return bytes(
        etree.tostring(collection, encoding="utf-8", xml_declaration=True, pretty_print=True)
    )
