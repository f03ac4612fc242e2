"""Safe, streaming iteration over the records of an XML document, with or without OAI-PMH.

XML from other libraries is untrusted. Before lxml sees a byte, the prologue is
checked and a document that declares entities (the "billion laughs" bomb, external
entities that read local files or the network) is refused outright, without
expanding anything. lxml then parses with entity resolution, DTD loading and network
access off and its default size limits (huge_tree=False). Each record element is
handed over as soon as it ends and then cleared, together with what came before it,
so memory holds one record whatever the size of the file.

A harvested page is already in memory and its size is bounded (`WholeDocument`): it is
parsed whole, which lxml does without the interpreter lock and without handing Python
every element, and gives the same records, problems and raw bytes as reading it as a stream.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from django.utils.translation import gettext as _
from lxml import etree

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.readers._stream import replay

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
PROLOGUE_LIMIT = 64 * 1024  # the root element must start within this many bytes
MAX_ELEMENTS_PER_RECORD = 50_000
MAX_RECORD_BYTES = 2 * 1024 * 1024  # serialised size of one record
MAX_VALUE_CHARS = 100_000  # one field or subfield value
WHOLE_DOCUMENT_BYTES = 8 * 1024 * 1024  # an in-memory document up to this size is parsed whole
# Entities, DTDs and the network stay off; lxml's default size limits stay on.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "remove_comments": True,
    "remove_pis": True,
}


def parsed_whole(size: int) -> bool:
    """Whether a document of this size held in memory is parsed in one go, not as a
    stream (see `WholeDocument`); the harvest reads its pages' envelopes the same way."""
    return size <= WHOLE_DOCUMENT_BYTES


class WholeDocument(io.BytesIO):
    """A document held in memory whole (a harvested page): the readers parse it in one go
    when it is no larger than WHOLE_DOCUMENT_BYTES, and as a stream otherwise."""


class XmlRefused(Exception):
    """The document is refused as a whole (unsafe or not XML); the message is for the librarian."""


class RecordInvalid(Exception):
    """One record element is malformed for its format; the message is for the librarian."""


def localname(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def namespace(element: Any) -> str:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def text_of(element: Any) -> str:
    """All text inside an element, whitespace squashed."""
    value = "".join(element.itertext())
    if len(value) > MAX_VALUE_CHARS:
        raise RecordInvalid(
            _("A value of %(length)d characters in <%(element)s> is too long to be real.")
            % {"length": len(value), "element": localname(element)}
        )
    return " ".join(value.split())


def _decoded_prologue(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "replace")
    return head.decode("latin-1")


def check_prologue(head: bytes) -> None:
    """Refuse documents with a DOCTYPE, or with no root element near the start."""
    text = _decoded_prologue(head)
    position = 0
    while True:
        start = text.find("<", position)
        if start == -1:
            if len(head) >= PROLOGUE_LIMIT:
                raise XmlRefused(
                    _("No XML element starts within the first %(limit)d bytes.")
                    % {"limit": PROLOGUE_LIMIT}
                )
            raise XmlRefused(_("This is not an XML document: no element found."))
        if text.startswith("<?", start):
            end = text.find("?>", start)
        elif text.startswith("<!--", start):
            end = text.find("-->", start)
        elif text.startswith("<!", start):
            # A DOCTYPE is how entities are declared or pulled in from elsewhere (the
            # "billion laughs" bomb, external entities reading local files or the network).
            # Library metadata never needs one, so any document with one is refused unread.
            raise XmlRefused(
                _(
                    "The document has a DOCTYPE declaration. Such documents can declare entities "
                    "that expand to gigabytes or read other files, so it was refused unread; "
                    "export it again without the DOCTYPE."
                )
            )
        else:
            return  # the root element starts here
        if end == -1:
            raise XmlRefused(
                _("The XML prologue does not end within the first %(limit)d bytes.")
                % {"limit": PROLOGUE_LIMIT}
            )
        position = end + 1


@dataclass
class Unit:
    """One record as it appears in the document: the format's element, and its OAI header if any."""

    position: int
    element: Any | None  # the format's record element; None for an OAI record without metadata
    oai_identifier: str = ""
    oai_deleted: bool = False
    oai_header: Any | None = None
    problem: str = ""  # non-empty: the unit could not be taken apart


def _oai_record_parts(record: Any) -> tuple[str, bool, Any | None, Any | None]:
    header = metadata = None
    for child in record:
        name = localname(child)
        if name == "header":
            header = child
        elif name == "metadata":
            metadata = child
    identifier = ""
    deleted = False
    if header is not None:
        deleted = header.get("status") == "deleted"
        for child in header:
            if localname(child) == "identifier":
                identifier = " ".join((child.text or "").split())
    payload = None
    if metadata is not None:
        for child in metadata:
            if isinstance(child.tag, str):
                payload = child
                break
    return identifier, deleted, header, payload


def _is_oai_record(element: Any) -> bool:
    if localname(element) != "record":
        return False
    ns = namespace(element)
    if ns == OAI_NS:
        return True
    return ns == "" and any(localname(child) == "header" for child in element)


def _inside_oai_metadata(element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if localname(parent) == "metadata":
            return True
        parent = parent.getparent()
    return False


def _release(element: Any) -> None:
    """Free an element that has been handled, and everything before it up the tree."""
    element.clear(keep_tail=False)
    node = element
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def iter_units(
    stream: BinaryIO,
    is_record: Callable[[Any], bool],
    never_record: Callable[[str], bool] | None = None,
) -> Iterator[Unit]:
    """The records of an XML document, OAI-PMH wrapped or not, one element at a time.

    `is_record` says whether an element that has just ended is a record of the format
    (a MARCXML <record>, an <oai_dc:dc>, a <mods>). `never_record`, from the tag alone,
    names elements that are never one (a MARC subfield): deep inside a record they are
    passed over without a question each, which is most of the elements of a document.
    Raises XmlRefused for an unsafe document; a well-formedness error ends the iteration
    with a Unit carrying the problem.
    """
    if isinstance(stream, WholeDocument) and parsed_whole(len(data := stream.getvalue())):
        check_prologue(data[:PROLOGUE_LIMIT])
        root = _whole_tree(data)
        if root is not None:
            yield from _units_of_tree(root, is_record)
            return
        # Not well-formed: read as a stream, which keeps the records before the fault.
    head = stream.read(PROLOGUE_LIMIT)
    check_prologue(head)
    source = replay(head, stream)
    parser = etree.iterparse(source, events=("start", "end"), **_PARSER_OPTIONS)
    position = 0
    elements_seen = 0
    depth = 0  # of the element just started or ended; the root is 1
    inert: dict[Any, bool] = {}
    try:
        for event, element in parser:
            if event == "start":
                elements_seen += 1
                depth += 1
                continue
            depth -= 1
            # Four levels down no element is OAI-PMH's own (see `_shallow`); there an element
            # whose tag is never a record waits, untouched, for the record around it to end.
            if depth >= 3 and elements_seen <= MAX_ELEMENTS_PER_RECORD:
                tag = element.tag
                passed = inert.get(tag)
                if passed is None:
                    passed = inert[tag] = _never_a_record(tag, never_record)
                if passed:
                    continue
            if elements_seen > MAX_ELEMENTS_PER_RECORD and element.getparent() is not None:
                # A runaway record: drop its insides as they end so memory stays flat; the
                # record itself is reported when it ends.
                if not (_is_oai_record(element) or is_record(element)):
                    element.clear(keep_tail=False)
                    continue
            if _is_oai_record(element):
                position += 1
                identifier, deleted, header, payload = _oai_record_parts(element)
                unit = Unit(position, payload, identifier, deleted, header)
                if elements_seen > MAX_ELEMENTS_PER_RECORD:
                    unit.problem = _too_many_elements()
                yield unit
                elements_seen = 0
                _release(element)
            elif is_record(element) and not _inside_oai_metadata(element):
                position += 1
                unit = Unit(position, element)
                if elements_seen > MAX_ELEMENTS_PER_RECORD:
                    unit.problem = _too_many_elements()
                yield unit
                elements_seen = 0
                _release(element)
            elif _shallow(element):
                _release(element)
                elements_seen = 0
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None) or getattr(error, "position", (0, 0))[0]
        yield Unit(
            position + 1,
            None,
            problem=_(
                "The XML is not well-formed at line %(line)s (%(message)s); reading stopped here."
            )
            % {"line": line, "message": _xml_message(error)},
        )


_ELEMENTS_WITHIN = etree.XPath("count(descendant-or-self::*)")


def _whole_tree(data: bytes) -> Any | None:
    """The document's root element, or None when it is not well-formed."""
    try:
        return etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return None


def _units_of_tree(root: Any, is_record: Callable[[Any], bool]) -> Iterator[Unit]:
    """The records of a parsed document, as `iter_units` finds them in a stream.

    Only the elements around records are visited: a record is taken whole and not looked
    into, so a page of MARC records costs a Python step per record, not per subfield."""
    counted = _ELEMENTS_WITHIN(root) > MAX_ELEMENTS_PER_RECORD
    position = 0
    stack = [iter((root,))]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if not isinstance(element.tag, str):
            continue
        if _is_oai_record(element):
            position += 1
            identifier, deleted, header, payload = _oai_record_parts(element)
            unit = Unit(position, payload, identifier, deleted, header)
        elif is_record(element):
            position += 1
            unit = Unit(position, element)
        else:
            stack.append(iter(element))
            continue
        if counted and _ELEMENTS_WITHIN(element) > MAX_ELEMENTS_PER_RECORD:
            unit.problem = _too_many_elements()
        yield unit


def _never_a_record(tag: Any, never_record: Callable[[str], bool] | None) -> bool:
    """Neither an OAI-PMH record nor, by the format's word, one of its records."""
    if never_record is None or not isinstance(tag, str):
        return False
    return tag.rsplit("}", 1)[-1] != "record" and never_record(tag)


def _shallow(element: Any) -> bool:
    """OAI-PMH elements around the records (responseDate, request, ListIdentifiers headers).

    They are let go as soon as they end. Elsewhere, elements are freed with the next record
    (see `_release`): the root itself may be the record, as in a one-record MARCXML file.
    """
    parent = element.getparent()
    if parent is None:
        return False
    grandparent = parent.getparent()
    if grandparent is None:
        root = parent
    elif grandparent.getparent() is None:
        root = grandparent
    else:
        return False
    return localname(root) == "OAI-PMH"


def _too_many_elements() -> str:
    return _("The record has more than %(limit)d XML elements: too large to be real.") % {
        "limit": MAX_ELEMENTS_PER_RECORD
    }


def _xml_message(error: Exception) -> str:
    message = str(error)
    return message[:200]


def serialise(element: Any) -> bytes:
    """The element as standalone UTF-8 XML (namespace declarations included)."""
    data: bytes = etree.tostring(element, encoding="utf-8", xml_declaration=False)
    if len(data) > MAX_RECORD_BYTES:
        raise RecordInvalid(
            _("The record is %(size)d bytes of XML: too large to be real.") % {"size": len(data)}
        )
    return data


Converted = TypeVar("Converted")


def read_xml_records(
    stream: BinaryIO,
    *,
    is_record: Callable[[Any], bool],
    never_record: Callable[[str], bool] | None = None,
    convert: Callable[[Any, Unit], Converted],
    source_format: SourceFormat,
) -> Iterator[Converted | BibRecord | RecordProblem]:
    """Records of an XML document in one format: OAI-PMH deletions, problems and all."""
    try:
        units = iter_units(stream, is_record, never_record)
        for unit in units:
            if unit.problem:
                yield RecordProblem(
                    position=unit.position, reason=unit.problem, local_id=unit.oai_identifier
                )
                continue
            if unit.element is None:
                if unit.oai_deleted:
                    yield BibRecord(
                        local_id=unit.oai_identifier,
                        source_format=source_format,
                        raw=serialise(unit.oai_header) if unit.oai_header is not None else b"",
                        title="",
                        deleted=True,
                    )
                else:
                    yield RecordProblem(
                        position=unit.position,
                        reason=_("The OAI-PMH record has no metadata and is not marked deleted."),
                        local_id=unit.oai_identifier,
                    )
                continue
            result: Converted | RecordProblem
            try:
                result = convert(unit.element, unit)
            except RecordInvalid as error:
                result = RecordProblem(
                    position=unit.position, reason=str(error), local_id=unit.oai_identifier
                )
            if isinstance(result, BibRecord) and unit.oai_deleted:
                result.deleted = True
            yield result
    except XmlRefused as error:
        yield RecordProblem(position=1, reason=str(error))
