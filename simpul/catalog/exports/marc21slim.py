"""MARCXML that validates against MARC21slim.xsd, written as text.

Members' records carry what the schema forbids (stray leader bytes, bad tags, indicators
or subfield codes, control characters); `conformed` repairs them. A page of 500 titles
is written as text rather than as a tree, since building the trees was the slow part of
serving a page.
"""

from __future__ import annotations

import re
import string

from simpul.catalog.exports._marc import MARC_NS
from simpul.catalog.readers.marc import PlainField

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPING = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
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
_INDICATOR_PAIRS = frozenset((first, second) for first in _INDICATORS for second in _INDICATORS)
_SUBFIELD_CODES = frozenset(string.digits + string.ascii_letters + string.punctuation) - {"@", "|"}
_TAG_VALID: dict[tuple[str, bool], bool] = {}  # tags repeat: each is checked once
_RECORD_START = (
    f'<record xmlns="{MARC_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{MARC_NS} {MARC_SCHEMA}">'
)


def xml_text(value: str) -> str:
    """The value without the characters XML 1.0 cannot hold (MARC data has stray controls)."""
    return _XML_UNSAFE.sub("", value)


def escaped(value: str, quote: bool = False) -> str:
    if _NEEDS_ESCAPING.search(value) is None:
        return value
    value = xml_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;") if quote else value


_CODE_ATTRIBUTE = {code: escaped(code, quote=True) for code in _SUBFIELD_CODES}


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


def insert_ordered(fields: list[PlainField], field: PlainField) -> None:
    """Insert before the first field with a higher (or non-numeric) tag, as pymarc does."""
    if fields and field.tag.isdigit():
        number = int(field.tag)
        for index, other in enumerate(fields):
            if not other.tag.isdigit() or int(other.tag) > number:
                fields.insert(index, field)
                return
    fields.append(field)


def conformed(leader: str, fields: list[PlainField]) -> tuple[str, list[PlainField]]:
    """The leader and fields made valid against the schema: bad bytes replaced, bad fields
    dropped, bad indicators blanked, bad subfield codes and empty fields left out, control
    fields moved before the data fields (some members' records have an 008 after a 245)."""
    leader = leader.ljust(24)[:24]
    fixed = "".join(
        char if char in allowed else default
        for char, (allowed, default) in zip(leader[:20], _LEADER_RULES, strict=True)
    )
    fixed += leader[20:] if leader[20:] in {"4500", "    "} else "4500"
    controls: list[PlainField] = []  # the schema wants them before every data field
    kept: list[PlainField] = []
    for field in fields:
        indicators = field.indicators
        if not _valid_tag(field.tag, indicators is None):
            continue
        if indicators is None:
            controls.append(field)
            continue
        if indicators in _INDICATOR_PAIRS and all(
            c in _SUBFIELD_CODES for c, _v in field.subfields
        ):
            if field.subfields:
                kept.append(field)
            continue
        subfields = [(code, value) for code, value in field.subfields if code in _SUBFIELD_CODES]
        if subfields:
            clean = [i.lower() if i and i.lower() in _INDICATORS else " " for i in indicators]
            kept.append(field._replace(indicators=(clean[0], clean[1]), subfields=subfields))
    return fixed, controls + kept


def record_text(leader: str, fields: list[PlainField], *, schema_location: bool = True) -> str:
    """One <record> in the MARC 21 slim namespace, of a conformed leader and fields; inside
    a <collection> that names the schema, the record need not name it again."""
    start = _RECORD_START if schema_location else f'<record xmlns="{MARC_NS}">'
    parts = [start, "<leader>", escaped(leader), "</leader>"]
    append = parts.append
    for tag, indicators, data, subfields in fields:
        if indicators is None:
            append(f'<controlfield tag="{tag}">{escaped(data)}</controlfield>')
            continue
        append(f'<datafield tag="{tag}" ind1="{indicators[0]}" ind2="{indicators[1]}">')
        for code, value in subfields:
            append(f'<subfield code="{_CODE_ATTRIBUTE[code]}">{escaped(value)}</subfield>')
        append("</datafield>")
    append("</record>")
    return "".join(parts)
