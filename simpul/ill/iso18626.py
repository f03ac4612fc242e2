"""ISO 18626 messages: built and read with lxml, validated against the published schema.

Agencies are identified by `agencyIdType` ISIL and the library code as the value (for a
remote system: `IsoPeer.agency_id`). Our request number (ILL-000123) is the
requestingAgencyRequestId of requests we send, and the supplyingAgencyRequestId of
requests we receive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils import timezone
from lxml import etree

NS = "http://illtransactions.org/2013/iso18626"
VERSION = "1.2"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "ISO-18626-2021-2.xsd"
AGENCY_TYPE = "ISIL"
MAX_BYTES = 1_000_000


class MessageError(Exception):
    """A message that is not well-formed ISO 18626; `error_type` is the ISO errorType."""

    def __init__(self, message: str, error_type: str = "BadlyFormedMessage") -> None:
        super().__init__(message)
        self.error_type = error_type


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _time(value: dt.datetime | None = None) -> str:
    return (value or timezone.now()).astimezone(dt.UTC).isoformat(timespec="seconds")


def _agency(parent: etree._Element, name: str, value: str) -> None:
    agency = _sub(parent, name)
    _sub(agency, "agencyIdType", AGENCY_TYPE)
    _sub(agency, "agencyIdValue", value)


def _root() -> etree._Element:
    root = etree.Element(_q("ISO18626Message"), nsmap={None: NS, "ill": NS})
    root.set(_q("version"), VERSION)
    return root


def _done(root: etree._Element) -> bytes:
    schema().assertValid(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@dataclass
class Request:
    requesting_agency: str
    supplying_agency: str
    request_id: str
    service_type: str  # Loan or Copy
    title: str
    author: str = ""
    publisher: str = ""
    year: str = ""
    title_of_component: str = ""
    pages: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)  # ISBN, ISSN, DOI
    need_before: dt.date | None = None
    note: str = ""
    copyright_compliance: str = ""


def build_request(r: Request) -> bytes:
    root = _root()
    request = _sub(root, "request")
    header = _sub(request, "header")
    _agency(header, "supplyingAgencyId", r.supplying_agency)
    _agency(header, "requestingAgencyId", r.requesting_agency)
    _sub(header, "timestamp", _time())
    _sub(header, "requestingAgencyRequestId", r.request_id)
    bib = _sub(request, "bibliographicInfo")
    _sub(bib, "title", r.title)
    if r.author:
        _sub(bib, "author", r.author)
    if r.title_of_component:
        _sub(bib, "titleOfComponent", r.title_of_component)
    if r.pages:
        _sub(bib, "pagesRequested", r.pages)
    for code, value in r.identifiers.items():
        if value:
            item = _sub(bib, "bibliographicItemId")
            _sub(item, "bibliographicItemIdentifierCode", code)
            _sub(item, "bibliographicItemIdentifier", value)
    if r.publisher or r.year:
        publication = _sub(request, "publicationInfo")
        if r.publisher:
            _sub(publication, "publisher", r.publisher)
        if r.year:
            _sub(publication, "publicationDate", r.year)
    service = _sub(request, "serviceInfo")
    _sub(service, "requestType", "New")
    _sub(service, "serviceType", r.service_type)
    if r.need_before:
        moment = dt.datetime.combine(r.need_before, dt.time(12), tzinfo=dt.UTC)
        _sub(service, "needBeforeDate", _time(moment))
    if r.copyright_compliance:
        _sub(service, "copyrightCompliance", r.copyright_compliance)
    if r.note:
        _sub(service, "note", r.note)
    return _done(root)


def build_supplying_message(
    supplying_agency: str,
    requesting_agency: str,
    request_id: str,
    supplier_request_id: str,
    status: str,
    *,
    reason: str = "StatusChange",
    note: str = "",
    reason_unfilled: str = "",
    due: dt.date | None = None,
    answer: str = "",
) -> bytes:
    root = _root()
    message = _sub(root, "supplyingAgencyMessage")
    header = _sub(message, "header")
    _agency(header, "supplyingAgencyId", supplying_agency)
    _agency(header, "requestingAgencyId", requesting_agency)
    _sub(header, "timestamp", _time())
    _sub(header, "requestingAgencyRequestId", request_id)
    _sub(header, "supplyingAgencyRequestId", supplier_request_id)
    info = _sub(message, "messageInfo")
    _sub(info, "reasonForMessage", reason)
    if answer:
        _sub(info, "answerYesNo", answer)
    if note:
        _sub(info, "note", note)
    if reason_unfilled:
        _sub(info, "reasonUnfilled", reason_unfilled)
    status_info = _sub(message, "statusInfo")
    _sub(status_info, "status", status)
    if due:
        _sub(status_info, "dueDate", _time(dt.datetime.combine(due, dt.time(23, 59), dt.UTC)))
    _sub(status_info, "lastChange", _time())
    if status in ("Loaned", "CopyCompleted"):
        delivery = _sub(message, "deliveryInfo")
        _sub(delivery, "dateSent", _time())
    return _done(root)


def build_requesting_message(
    supplying_agency: str,
    requesting_agency: str,
    request_id: str,
    supplier_request_id: str,
    action: str,
    note: str = "",
) -> bytes:
    root = _root()
    message = _sub(root, "requestingAgencyMessage")
    header = _sub(message, "header")
    _agency(header, "supplyingAgencyId", supplying_agency)
    _agency(header, "requestingAgencyId", requesting_agency)
    _sub(header, "timestamp", _time())
    _sub(header, "requestingAgencyRequestId", request_id)
    if supplier_request_id:
        _sub(header, "supplyingAgencyRequestId", supplier_request_id)
    _sub(message, "action", action)
    if note:
        _sub(message, "note", note)
    return _done(root)


def build_confirmation(
    kind: str,
    received: dict[str, str],
    error: MessageError | None = None,
    received_at: dt.datetime | None = None,
) -> bytes:
    """The answer to a message of this kind (request, supplyingAgencyMessage, …)."""
    root = _root()
    confirmation = _sub(root, f"{kind}Confirmation")
    header = _sub(confirmation, "confirmationHeader")
    if received.get("supplying_agency"):
        _agency(header, "supplyingAgencyId", received["supplying_agency"])
    if received.get("requesting_agency"):
        _agency(header, "requestingAgencyId", received["requesting_agency"])
    _sub(header, "timestamp", _time())
    if received.get("request_id"):
        _sub(header, "requestingAgencyRequestId", received["request_id"])
    _sub(header, "timestampReceived", _time(received_at))
    _sub(header, "messageStatus", "ERROR" if error else "OK")
    if kind == "supplyingAgencyMessage" and received.get("reason"):
        _sub(confirmation, "reasonForMessage", received["reason"])
    if kind == "requestingAgencyMessage" and received.get("action"):
        _sub(confirmation, "action", received["action"])
    if error is not None:
        data = _sub(confirmation, "errorData")
        _sub(data, "errorType", error.error_type)
        _sub(data, "errorValue", str(error)[:500])
    return _done(root)


@dataclass
class Message:
    """The parts of an incoming message Simpul acts on."""

    kind: str  # request, supplyingAgencyMessage, requestingAgencyMessage, …Confirmation
    supplying_agency: str = ""
    requesting_agency: str = ""
    request_id: str = ""
    supplier_request_id: str = ""
    status: str = ""
    action: str = ""
    reason: str = ""
    note: str = ""
    reason_unfilled: str = ""
    due: dt.date | None = None
    message_status: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def received(self) -> dict[str, str]:
        return {
            "supplying_agency": self.supplying_agency,
            "requesting_agency": self.requesting_agency,
            "request_id": self.request_id,
            "reason": self.reason,
            "action": self.action,
        }


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, {"i": NS})
    return (found.text or "").strip() if found is not None else ""


def parse(data: bytes) -> Message:
    """Read and validate a message; MessageError (BadlyFormedMessage) when it is not valid."""
    if len(data) > MAX_BYTES:
        raise MessageError("message too large")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MessageError(f"not well-formed XML: {exc}") from None
    if not schema().validate(root):
        error = schema().error_log.last_error
        raise MessageError(f"not valid ISO 18626: {error.message if error else ''}")
    body = root[0]
    kind = etree.QName(body).localname
    message = Message(kind=kind)
    header = body.find("i:header", {"i": NS})
    if header is None:
        header = body.find("i:confirmationHeader", {"i": NS})
    if header is not None:
        message.supplying_agency = _text(header, "i:supplyingAgencyId/i:agencyIdValue")
        message.requesting_agency = _text(header, "i:requestingAgencyId/i:agencyIdValue")
        message.request_id = _text(header, "i:requestingAgencyRequestId")
        message.supplier_request_id = _text(header, "i:supplyingAgencyRequestId")
        message.message_status = _text(header, "i:messageStatus")
    if kind == "request":
        for name in ("title", "author", "titleOfComponent", "pagesRequested"):
            message.fields[name] = _text(body, f"i:bibliographicInfo/i:{name}")
        for item in body.iterfind("i:bibliographicInfo/i:bibliographicItemId", {"i": NS}):
            message.fields[_text(item, "i:bibliographicItemIdentifierCode").upper()] = _text(
                item, "i:bibliographicItemIdentifier"
            )
        message.fields["publisher"] = _text(body, "i:publicationInfo/i:publisher")
        message.fields["publicationDate"] = _text(body, "i:publicationInfo/i:publicationDate")
        message.fields["serviceType"] = _text(body, "i:serviceInfo/i:serviceType")
        message.note = _text(body, "i:serviceInfo/i:note")
    elif kind == "supplyingAgencyMessage":
        message.reason = _text(body, "i:messageInfo/i:reasonForMessage")
        message.note = _text(body, "i:messageInfo/i:note")
        message.reason_unfilled = _text(body, "i:messageInfo/i:reasonUnfilled")
        message.status = _text(body, "i:statusInfo/i:status")
        due = _text(body, "i:statusInfo/i:dueDate")
        if due:
            message.due = dt.datetime.fromisoformat(due.replace("Z", "+00:00")).date()
    elif kind == "requestingAgencyMessage":
        message.action = _text(body, "i:action")
        message.note = _text(body, "i:note")
    return message
