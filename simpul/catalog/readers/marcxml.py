"""MARCXML (MARC 21 slim), as files of <collection> or single <record>, or inside OAI-PMH.

Each <record> element becomes a pymarc Record and goes through the same mapping as
ISO 2709 (`marc.marc_to_bib`), so a book reads the same whichever MARC it came in.
Elements are matched by local name so that MARCXML without its namespace (which
some OAI-PMH providers send) is read too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from pymarc import Record

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.readers._xml import (
    RecordInvalid,
    Unit,
    localname,
    namespace,
    read_xml_records,
    serialise,
    text_of,
)
from simpul.catalog.readers.marc import (
    CONTROL_CHARS,
    Holdings,
    PlainField,
    attach_holdings,
    marc_to_bib,
    record_from_plain,
    utf8_leader,
)

MARC_NS = "http://www.loc.gov/MARC21/slim"
_MARC_CHILDREN = frozenset({"leader", "controlfield", "datafield"})
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


def never_marc_record(tag: str) -> bool:
    return tag.rsplit("}", 1)[-1] != "record"


def is_marc_record(element: Any) -> bool:
    if localname(element) != "record":
        return False
    ns = namespace(element)
    if ns == MARC_NS:
        return True
    return ns == "" and any(localname(child) in _MARC_CHILDREN for child in element)


def _clean(value: str) -> str:
    if not value.isprintable():  # every control character is unprintable
        value = CONTROL_CHARS.sub("", value)
    return unicodedata.normalize("NFC", value) if not value.isascii() else value


def _raw_text(element: Any) -> str:
    """Text of a controlfield or subfield as written (inner spaces matter in 008)."""
    value = "".join(element.itertext()) if len(element) else element.text or ""
    if len(value) > 100_000:
        text_of(element)  # raises RecordInvalid with the standard message
    return _clean(value)


# The names of MARCXML's own elements by their tags, with and without the namespace: most
# elements of a record are subfields, and splitting each tag costs more than reading it.
_MARC_NAMES: dict[Any, str] = {
    tag: name
    for name in ("leader", "controlfield", "datafield", "subfield")
    for tag in (name, f"{{{MARC_NS}}}{name}")
}


def element_fields(element: Any) -> tuple[str, list[PlainField], list[str]]:
    """The leader, fields and repairs of a MARCXML <record>; RecordInvalid when its
    structure is broken. Serving writes these out again without building pymarc objects."""
    repairs: list[str] = []
    leader: str | None = None
    fields: list[PlainField] = []
    ignored: list[str] = []
    indicatorless: list[str] = []
    for child in element:
        name = _MARC_NAMES.get(child.tag) or localname(child)
        if not name:
            continue
        if name == "leader":
            leader = "".join(child.itertext()).strip("\r\n\t")
        elif name == "controlfield":
            tag = (child.get("tag") or "").strip()
            if not tag:
                raise RecordInvalid(_("A <controlfield> has no tag attribute."))
            if not _TAG.match(tag):
                raise RecordInvalid(
                    _("Field tag %(tag)r is not three letters or digits.") % {"tag": tag}
                )
            if tag < "010" and tag.isdigit():
                fields.append(PlainField(tag, None, _raw_text(child), []))
            else:  # pymarc reads a control field with a letter in its tag as a data field
                fields.append(PlainField(tag, (" ", " "), "", []))
        elif name == "datafield":
            tag = (child.get("tag") or "").strip()
            if not tag:
                raise RecordInvalid(_("A <datafield> has no tag attribute."))
            if not _TAG.match(tag):
                raise RecordInvalid(
                    _("Field tag %(tag)r is not three letters or digits.") % {"tag": tag}
                )
            ind1, ind2 = child.get("ind1"), child.get("ind2")
            if ind1 is None or ind2 is None:
                indicatorless.append(tag)
            subfields: list[tuple[str, str]] = []
            for sub in child:
                sub_name = _MARC_NAMES.get(sub.tag) or localname(sub)
                if not sub_name:
                    continue
                if sub_name != "subfield":
                    raise RecordInvalid(
                        _("Field %(tag)s contains <%(element)s>; MARCXML allows only <subfield>.")
                        % {"tag": tag, "element": sub_name}
                    )
                code = sub.get("code")
                if not code:
                    raise RecordInvalid(
                        _("A subfield of field %(tag)s has no code attribute.") % {"tag": tag}
                    )
                subfields.append((code[:1], _raw_text(sub)))
            indicators = ((ind1 or " ")[:1] or " ", (ind2 or " ")[:1] or " ")
            if tag < "010" and tag.isdigit():  # read as pymarc does: an empty control field
                fields.append(PlainField(tag, None, "", []))
            else:
                fields.append(PlainField(tag, indicators, "", subfields))
        elif name not in ignored:
            ignored.append(name)
    if leader is None:
        raise RecordInvalid(_("The record has no <leader>."))
    if len(leader) != 24:
        raise RecordInvalid(
            _("The leader is %(length)d characters long instead of 24: it is broken.")
            % {"length": len(leader)}
        )
    if not fields:
        raise RecordInvalid(_("The record has no fields."))
    if indicatorless:
        repairs.append(
            _("Field(s) %(tags)s had no indicators; they were read as blanks.")
            % {"tags": ", ".join(dict.fromkeys(indicatorless))}
        )
    if ignored:
        repairs.append(
            _("Elements that are not MARCXML were ignored: %(names)s.")
            % {"names": ", ".join(f"<{n}>" for n in ignored)}
        )
    return leader, fields, repairs


def element_to_record(element: Any) -> tuple[Record, list[str]]:
    """A pymarc Record from a MARCXML <record>; RecordInvalid when its structure is broken."""
    leader, fields, repairs = element_fields(element)
    record = record_from_plain(leader, fields)
    return record, repairs


def _control_001(element: Any) -> str:
    for child in element:
        if localname(child) == "controlfield" and child.get("tag") == "001":
            return " ".join("".join(child.itertext()).split())
    return ""


def _convert(default_library_code: str) -> Any:
    def convert(element: Any, unit: Unit) -> BibRecord | RecordProblem | Holdings:
        try:
            leader, fields, repairs = element_fields(element)
        except RecordInvalid as error:
            return RecordProblem(
                position=unit.position,
                reason=str(error),
                local_id=unit.oai_identifier or _control_001(element),
            )
        return marc_to_bib(
            utf8_leader(leader),
            fields,
            raw=serialise(element),
            source_format=SourceFormat.MARCXML,
            position=unit.position,
            repairs=repairs,
            default_library_code=default_library_code,
            local_id=unit.oai_identifier,
        )

    return convert


def read_marcxml(
    stream: BinaryIO, *, default_library_code: str = ""
) -> Iterator[BibRecord | RecordProblem]:
    """Records of a MARCXML document (or OAI-PMH response carrying MARCXML), one at a time.

    Inside OAI-PMH the OAI identifier is the local id, so that a later deletion (which
    carries only that identifier) finds the record.
    """
    results = read_xml_records(
        stream,
        is_record=is_marc_record,
        never_record=never_marc_record,
        convert=_convert(default_library_code),
        source_format=SourceFormat.MARCXML,
    )
    return attach_holdings(results, xml=True)
