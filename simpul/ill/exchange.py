"""ISO 18626 between Simpul and another system: what we send after our own steps, and how a
message from a partner becomes a step on our copy of the request.

A partner (`IsoPeer`) stands in our network as a library: choosing it as lender sends an
ISO 18626 request to its address; its supplying-agency messages move our request along.
A request it sends us is created with its library as the requesting library; our lending
staff answer it as any other, and each answer goes back as a message. Outgoing messages
are queued as background jobs, so a slow partner never slows a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from simpul.ill import iso18626, services
from simpul.ill.iso18626 import MessageError
from simpul.ill.models import IllMessage, IllRequest, IsoPeer, ServiceType, Side, Status
from simpul.network.models import Library

logger = logging.getLogger(__name__)

SUPPLIER_STATUS = {
    "expect_to_supply": "ExpectToSupply",
    "will_supply": "WillSupply",
    "conditional": "ExpectToSupply",
    "cannot_supply": "Unfilled",
    "ship": "Loaned",
    "deliver_copy": "CopyCompleted",
    "check_in": "LoanCompleted",
    "recall": "Recalled",
    "answer_renewal": "Loaned",
    "report_lost": "CompletedWithoutReturn",
    "mark_overdue": "Overdue",
}
REQUESTER_ACTION = {
    "receive": "Received",
    "ship_return": "ShippedReturn",
    "cancel": "Cancel",
    "request_renewal": "Renew",
}
INCOMING_STATUS = {
    "ExpectToSupply": "expect_to_supply",
    "WillSupply": "will_supply",
    "Loaned": "ship",
    "Unfilled": "cannot_supply",
    "CopyCompleted": "deliver_copy",
    "LoanCompleted": "check_in",
    "Recalled": "recall",
    "Overdue": "mark_overdue",
    "CompletedWithoutReturn": "report_lost",
    "Cancelled": "cancel",
}
INCOMING_ACTION = {
    "Received": "receive",
    "ShippedReturn": "ship_return",
    "Cancel": "cancel",
    "Renew": "request_renewal",
    "Lost": "report_lost",
}


def _peer_of(library: Library | None) -> IsoPeer | None:
    if library is None:
        return None
    return IsoPeer.objects.filter(library=library).first()


def after_step(request: IllRequest, action: str, side: str) -> None:
    """Tell the partner about a step taken here (called after the step is committed)."""
    if side == Side.SUPPLIER or (side == Side.SYSTEM and action == "mark_overdue"):
        peer = request.remote_peer
        if peer is None or action not in SUPPLIER_STATUS or request.supplier is None:
            return
        last = request.messages.order_by("-pk").first()
        payload = iso18626.build_supplying_message(
            request.supplier.code,
            peer.agency_id,
            request.remote_id,
            request.number,
            SUPPLIER_STATUS[action],
            reason="RenewResponse" if action == "answer_renewal" else "StatusChange",
            answer=("Y" if last and last.reason == "yes" else "N")
            if action == "answer_renewal"
            else "",
            note=(request.conditions if action == "conditional" else (last.note if last else ""))[
                :2000
            ],
            reason_unfilled=request.reason_unfilled if action == "cannot_supply" else "",
            due=request.due_on if action in ("ship", "answer_renewal") else None,
        )
        _queue(peer, payload)
        return
    peer = _peer_of(request.supplier)
    if peer is None:
        return
    if action in ("approve", "next_lender"):
        payload = iso18626.build_request(
            iso18626.Request(
                requesting_agency=request.requesting_library.code,
                supplying_agency=peer.agency_id,
                request_id=request.number,
                service_type="Copy" if request.service == ServiceType.COPY else "Loan",
                title=request.title,
                author=request.author,
                publisher=request.publisher,
                year=request.year,
                title_of_component=request.article_title,
                pages=request.pages,
                identifiers={"ISBN": request.isbn, "ISSN": request.issn, "DOI": request.doi},
                need_before=request.needed_by,
                copyright_compliance="UU-28-2014" if request.copyright_accepted_at else "",
            )
        )
        _queue(peer, payload)
    elif action in REQUESTER_ACTION:
        last = request.messages.order_by("-pk").first()
        payload = iso18626.build_requesting_message(
            peer.agency_id,
            request.requesting_library.code,
            request.number,
            request.remote_id,
            REQUESTER_ACTION[action],
            (last.note if last else "")[:2000],
        )
        _queue(peer, payload)


def _queue(peer: IsoPeer, payload: bytes) -> None:
    from simpul.ill.tasks import send_iso_message

    send_iso_message.enqueue(peer.pk, payload.decode())


def send(peer: IsoPeer, payload: bytes, client: httpx.Client | None = None) -> iso18626.Message:
    """POST one message; the partner's confirmation, or MessageError when it refused it."""
    own = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
    try:
        response = own.post(
            peer.endpoint, content=payload, headers={"Content-Type": "application/xml"}
        )
    finally:
        if client is None:
            own.close()
    confirmation = iso18626.parse(response.content)
    if confirmation.message_status != "OK":
        raise MessageError(f"{peer.name} answered ERROR: {response.text[:500]}")
    return confirmation


# ---------------------------------------------------------------- incoming


def receive(data: bytes) -> bytes:
    """Handle one incoming message and return the confirmation to send back."""
    received_at = timezone.now()
    try:
        message = iso18626.parse(data)
    except MessageError as bad:
        return iso18626.build_confirmation("request", {}, bad, received_at)
    kind = message.kind
    if kind.endswith("Confirmation"):
        wrong = MessageError("confirmations are answers, not messages", "UnsupportedActionType")
        return iso18626.build_confirmation("request", message.received(), wrong, received_at)
    try:
        if kind == "request":
            _incoming_request(message)
        elif kind == "supplyingAgencyMessage":
            _incoming_supplier_message(message)
        else:
            _incoming_requester_message(message)
    except MessageError as refused:
        return iso18626.build_confirmation(kind, message.received(), refused, received_at)
    except services.Conflict as exc:
        late = MessageError(" ".join(exc.messages), "UnrecognisedDataValue")
        return iso18626.build_confirmation(kind, message.received(), late, received_at)
    return iso18626.build_confirmation(kind, message.received(), None, received_at)


def _peer(agency: str) -> IsoPeer:
    peer = IsoPeer.objects.select_related("library").filter(agency_id=agency).first()
    if peer is None:
        raise MessageError(f"unknown agency {agency!r}", "UnrecognisedDataValue")
    return peer


def _incoming_request(message: iso18626.Message) -> None:
    peer = _peer(message.requesting_agency)
    lender = Library.objects.filter(code=message.supplying_agency).first()
    if lender is None or _peer_of(lender) is not None:
        raise MessageError(f"no library {message.supplying_agency!r} here", "UnrecognisedDataValue")
    if IllRequest.objects.filter(remote_peer=peer, remote_id=message.request_id).exists():
        return  # a resent request: already here
    fields = message.fields
    service = ServiceType.COPY if fields.get("serviceType") == "Copy" else ServiceType.LOAN
    with transaction.atomic():
        request = IllRequest.objects.create(
            service=service,
            status=Status.REQUEST_RECEIVED,
            requesting_library=peer.library,
            supplier=lender,
            remote_peer=peer,
            remote_id=message.request_id[:100],
            title=(fields.get("title") or "?")[:1000],
            author=fields.get("author", "")[:500],
            publisher=fields.get("publisher", "")[:500],
            year=fields.get("publicationDate", "")[:20],
            isbn=fields.get("ISBN", "")[:20],
            issn=fields.get("ISSN", "")[:20],
            doi=fields.get("DOI", "")[:255],
            article_title=fields.get("titleOfComponent", "")[:1000],
            pages=fields.get("pagesRequested", "")[:100],
            patron_note=message.note,
            answer_by=timezone.now() + dt.timedelta(days=services.policy_for(lender).answer_days),
        )
        IllMessage.objects.create(
            request=request,
            library=peer.library,
            side=Side.REQUESTER,
            action="request",
            to_status=Status.REQUEST_RECEIVED,
            note=message.note,
        )


def _ours(number: str) -> IllRequest | None:
    digits = number.removeprefix("ILL-")
    if not digits.isdigit():
        return None
    return (
        IllRequest.objects.select_related("supplier", "requesting_library")
        .filter(pk=int(digits))
        .first()
    )


def _incoming_supplier_message(message: iso18626.Message) -> None:
    request = _ours(message.request_id)
    peer = _peer(message.supplying_agency)
    if request is None or request.supplier_id != peer.library_id:
        raise MessageError(
            f"no request {message.request_id!r} sent to you", "UnrecognisedDataValue"
        )
    if request.remote_id != message.supplier_request_id and message.supplier_request_id:
        IllRequest.objects.filter(pk=request.pk).update(remote_id=message.supplier_request_id[:100])
    if message.reason == "RenewResponse" and request.status == Status.RENEW_PENDING:
        changes: dict[str, Any] = {"due_on": message.due} if message.due else {}
        services._step(
            request,
            "answer_renewal",
            None,
            Side.SUPPLIER,
            note=message.note,
            changes=changes,
            reason="yes" if message.due else "no",
            remote=True,
        )
        return
    action = INCOMING_STATUS.get(message.status)
    if action is None:
        return  # RequestReceived, RetryPossible, HoldReturn…: nothing for us to do
    if action == "ship" and request.status in (Status.RECEIVED, Status.RENEW_PENDING):
        return  # a repeated Loaned
    changes = {}
    if action == "ship":
        changes["due_on"] = message.due
    if action == "cannot_supply":
        changes["reason_unfilled"] = (message.reason_unfilled or "NotAvailableForILL")[:30]
    services._step(
        request,
        action,
        None,
        Side.SUPPLIER,
        note=message.note,
        changes=changes,
        reason=changes.get("reason_unfilled", ""),
        remote=True,
    )
    if action == "cannot_supply":
        services.route_next(IllRequest.objects.get(pk=request.pk))


def _incoming_requester_message(message: iso18626.Message) -> None:
    peer = _peer(message.requesting_agency)
    request = (
        IllRequest.objects.filter(remote_peer=peer, remote_id=message.request_id).first() or None
    )
    if request is None:
        raise MessageError(f"no request {message.request_id!r} from you", "UnrecognisedDataValue")
    action = INCOMING_ACTION.get(message.action)
    if action is None:
        return  # StatusRequest, Notification, HoldReturn, ShippedForward: acknowledged
    services._step(request, action, None, Side.REQUESTER, note=message.note, remote=True)
