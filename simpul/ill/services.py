"""Interlibrary loan: creating requests, every step of their life, lender selection.

Every step goes through `_step`, which takes the row lock (PostgreSQL) and writes with a
conditional UPDATE on the version it read, so when two staff act on one request at once
exactly one wins and the other is told what happened; each step leaves an `IllMessage`.
Authorisation lives here: home library staff review and receive, the supplier's staff
answer and ship, the patron may only touch their own request.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.catalog.bibliographic import ItemStatus
from simpul.catalog.models import Cluster, Holding, Record, RecordStatus
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.ill.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Audience,
    CopyDelivery,
    FeePayer,
    IllMessage,
    IllRequest,
    LendingClosure,
    LendingPolicy,
    Outcome,
    ReasonUnfilled,
    RotaEntry,
    ServiceType,
    Side,
    Status,
)
from simpul.ill.workflow import COPY_ONLY, LOAN_ONLY, PATRON_MAY, TRANSITIONS
from simpul.network import permissions
from simpul.network.models import Library

logger = logging.getLogger(__name__)
T = TypeVar("T")
Actor = Any  # a User or AnonymousUser; None for the system


class Conflict(InvalidInput):
    """Someone else changed the request between reading and writing it."""


# ---------------------------------------------------------------- policies


def policy_for(library: Library) -> LendingPolicy:
    """The library's lending policy, or the defaults when it never set one (not saved)."""
    policy = LendingPolicy.objects.filter(library=library).first()
    return policy or LendingPolicy(library=library)


def is_closed_on(library: Library, day: dt.date) -> bool:
    return LendingClosure.objects.filter(
        library=library, starts_on__lte=day, ends_on__gte=day
    ).exists()


def agreement_allows(service: str, borrower: Library, lender: Library, day: dt.date) -> bool:
    """Whether an active agreement covers this service between the two libraries."""
    from simpul.agreements.models import Service
    from simpul.agreements.services import is_service_allowed

    wanted = Service.ILL_LOAN if service == ServiceType.LOAN else Service.ILL_COPY
    return is_service_allowed(wanted, borrower, lender, day)


def policy_refusal(
    policy: LendingPolicy, request: IllRequest, day: dt.date | None = None
) -> str | None:
    """Why this lender's policy excludes the request, or None when it may be asked."""
    day = day or timezone.localdate()
    lender = policy.library
    borrower = request.requesting_library
    if request.service == ServiceType.LOAN and not policy.offers_loans:
        return _("does not lend items")
    if request.service == ServiceType.COPY and not policy.offers_copies:
        return _("does not supply copies")
    if (
        policy.audience == Audience.LISTED
        and policy.pk
        and not policy.listed_libraries.filter(pk=borrower.pk).exists()
    ):
        return _("lends only to listed libraries")
    if is_closed_on(lender, day):
        return _("closed on this date")
    if (
        request.service == ServiceType.LOAN
        and policy.local_patrons_only_for_loans
        and request.patron is not None
        and request.patron.city
        and borrower.city
        and request.patron.city.strip().lower() != borrower.city.strip().lower()
    ):
        return _("no loans for patrons living out of town")
    open_from_borrower = IllRequest.objects.filter(
        supplier=lender, requesting_library=borrower, status__in=OPEN_STATUSES
    ).exclude(pk=request.pk)
    if open_from_borrower.count() >= policy.max_open_per_library:
        return _("too many open requests from this library")
    if not agreement_allows(request.service, borrower, lender, day):
        return _("no active agreement covers this service")
    return None


# ---------------------------------------------------------------- creating


@dataclass
class Citation:
    title: str
    author: str = ""
    publisher: str = ""
    year: str = ""
    isbn: str = ""
    issn: str = ""
    doi: str = ""
    article_title: str = ""
    pages: str = ""
    needed_by: dt.date | None = None
    note: str = ""


CITATION_FIELDS = (
    "title",
    "author",
    "publisher",
    "year",
    "isbn",
    "issn",
    "doi",
    "article_title",
    "pages",
)


def citation_from_cluster(cluster: Cluster) -> Citation:
    record = cluster.best_record
    if record is None:
        return Citation(title=cluster.title)
    return Citation(
        title=record.title,
        author="; ".join(str(a) for a in record.authors[:3]),
        publisher=record.publisher,
        year=str(record.year or ""),
        isbn=(record.isbns or [""])[0],
        issn=(record.issns or [""])[0],
        doi=record.doi,
    )


def find_in_catalogue(isbn: str = "", doi: str = "", issn: str = "") -> Cluster | None:
    """The title in our union catalogue with this ISBN, DOI or ISSN, if any."""
    from simpul.catalog.isbn import normalise_isbn
    from simpul.catalog.models import RecordKey

    keys = []
    if isbn and (normal := normalise_isbn(isbn)):
        keys.append(f"isbn:{normal}")
    if doi:
        keys.append(f"doi:{doi.strip().lower()}")
    if issn:
        keys.append(f"issn:{issn.strip().upper()}")
    if not keys:
        return None
    key = (
        RecordKey.objects.filter(key__in=keys, record__cluster__isnull=False)
        .select_related("record__cluster")
        .first()
    )
    return key.record.cluster if key else None


def create_request(
    actor: Actor,
    service: str,
    citation: Citation,
    *,
    cluster: Cluster | None = None,
    patron: Any = None,
    copyright_accepted: bool = False,
) -> IllRequest:
    """A patron asks their home library; staff may also ask on a patron's behalf or their own."""
    if not getattr(actor, "is_authenticated", False):
        raise AccessDenied(_("Sign in to ask for an interlibrary loan."))
    if actor.is_patron:
        patron = actor
    elif patron is not None and patron.library_id != actor.library_id:
        raise AccessDenied(_("You can only ask on behalf of your own library's patrons."))
    library = actor.library
    if library is None or not (actor.is_patron or actor.is_library_staff):
        raise AccessDenied(_("Only patrons and library staff can ask for interlibrary loans."))
    if service not in ServiceType.values:
        raise InvalidInput({"service": [_("Choose a loan or a copy.")]})
    errors: dict[str, list[str]] = {}
    if not citation.title.strip():
        errors["title"] = [_("Give the title you need.")]
    if service == ServiceType.COPY:
        if not (citation.pages.strip() or citation.article_title.strip()):
            errors["pages"] = [_("Say which pages, chapter or article you need copied.")]
        if not copyright_accepted:
            errors["copyright"] = [_("You must accept the copyright declaration for a copy.")]
    if errors:
        raise InvalidInput(errors)
    policy = policy_for(library)
    if patron is not None:
        open_count = IllRequest.objects.filter(patron=patron, status__in=OPEN_STATUSES).count()
        if open_count >= policy.max_open_per_patron:
            raise InvalidInput(
                _(
                    "You already have %(count)d open requests, the most your library allows. "
                    "Wait until one is finished."
                )
                % {"count": open_count}
            )
    if cluster is None:
        cluster = find_in_catalogue(citation.isbn, citation.doi, citation.issn)
    with transaction.atomic():
        request = IllRequest.objects.create(
            service=service,
            requesting_library=library,
            patron=patron,
            created_by=actor,
            cluster=cluster,
            needed_by=citation.needed_by,
            patron_note=citation.note,
            copyright_accepted_at=timezone.now() if copyright_accepted else None,
            **{name: str(getattr(citation, name)).strip()[:1000] for name in CITATION_FIELDS},
        )
        side = Side.PATRON if actor.is_patron else Side.REQUESTER
        IllMessage.objects.create(
            request=request,
            actor=actor,
            library=library,
            side=side,
            action="request",
            to_status=Status.SUBMITTED,
            note=citation.note,
        )
    return request


# ---------------------------------------------------------------- authorisation


def _is_staff_of(actor: Actor, library: Library | None) -> bool:
    return library is not None and permissions.can_edit_library(actor, library)


def side_of(actor: Actor, request: IllRequest) -> set[str]:
    """The sides this person may act for on this request."""
    if actor is None:
        return {Side.SYSTEM}
    sides: set[str] = set()
    if _is_staff_of(actor, request.requesting_library):
        sides |= {Side.REQUESTER, Side.PATRON}
    if request.supplier_id and _is_staff_of(actor, request.supplier):
        sides.add(Side.SUPPLIER)
    if getattr(actor, "is_authenticated", False) and request.patron_id == actor.pk:
        sides.add(Side.PATRON)
    return sides


def can_see(actor: Actor, request: IllRequest) -> bool:
    return bool(side_of(actor, request) - {Side.SYSTEM}) or (
        # A lender that was asked earlier and declined still sees what it answered.
        getattr(actor, "is_library_staff", False)
        and request.rota.filter(library_id=actor.library_id)
        .exclude(outcome=Outcome.WAITING)
        .exists()
    )


def sees_patron(actor: Actor, request: IllRequest) -> bool:
    """Patron identity: the patron and their home library; the lender sees only the library."""
    sides = side_of(actor, request)
    return Side.REQUESTER in sides or (
        getattr(actor, "is_authenticated", False) and request.patron_id == actor.pk
    )


def may(actor: Actor, request: IllRequest, action: str) -> bool:
    """Whether this person may take this step now (for showing buttons)."""
    transition = TRANSITIONS[action]
    if request.status not in transition.sources:
        return False
    if action in LOAN_ONLY and request.service != ServiceType.LOAN:
        return False
    if action in COPY_ONLY and request.service != ServiceType.COPY:
        return False
    sides = side_of(actor, request)
    if transition.side in sides:
        return True
    is_patron = getattr(actor, "is_authenticated", False) and request.patron_id == actor.pk
    return is_patron and action in PATRON_MAY


def _check(actor: Actor, request: IllRequest, action: str) -> str:
    """The side the actor acts for; AccessDenied or InvalidInput when the step is not theirs."""
    transition = TRANSITIONS[action]
    sides = side_of(actor, request)
    is_patron = getattr(actor, "is_authenticated", False) and request.patron_id == actor.pk
    if transition.side not in sides and not (is_patron and action in PATRON_MAY):
        raise AccessDenied(_("You cannot take this step on request %(n)s.") % {"n": request.number})
    if (action in LOAN_ONLY and request.service != ServiceType.LOAN) or (
        action in COPY_ONLY and request.service != ServiceType.COPY
    ):
        raise InvalidInput(_("This step does not apply to this kind of request."))
    if transition.side in sides:
        return transition.side
    return Side.PATRON


# ---------------------------------------------------------------- the single way to change


def _retrying(work: Callable[[], T]) -> T:
    """Run a write again when SQLite reports its tables locked by a concurrent writer.

    PostgreSQL waits on the row lock instead; SQLite (one writer at a time) may report
    the lock rather than wait, and the retry then sees the winner's change and answers
    with a Conflict. Only the outermost transaction retries.
    """
    if connection.in_atomic_block or connection.vendor != "sqlite":
        return work()
    for attempt in range(40):
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 39:
                raise
            time.sleep(0.025 * (1 + attempt % 4))
    raise AssertionError("unreachable")


def _step(
    request: IllRequest,
    action: str,
    actor: Actor,
    side: str,
    *,
    note: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
    after: Any = None,
    remote: bool = False,
) -> IllRequest:
    """Move the request along one transition, atomically, and record the message.

    `remote` marks a step that an ISO 18626 partner told us about: it is not echoed back.
    """
    return _retrying(
        lambda: _step_once(
            request, action, actor, side, note, reason, dict(changes or {}), after, remote
        )
    )


def _step_once(
    request: IllRequest,
    action: str,
    actor: Actor,
    side: str,
    note: str,
    reason: str,
    changes: dict[str, Any],
    after: Any,
    remote: bool = False,
) -> IllRequest:
    transition = TRANSITIONS[action]
    with transaction.atomic():
        current = IllRequest.objects.select_for_update().get(pk=request.pk)
        if current.status not in transition.sources:
            raise Conflict(
                _(
                    "Request %(n)s is now “%(status)s”, so this step is no longer possible. "
                    "Someone may have acted on it just now; the page shows its current state."
                )
                % {"n": current.number, "status": current.get_status_display()}
            )
        now = timezone.now()
        before = current.status
        if transition.target in CLOSED_STATUSES:
            changes["closed_at"] = now
        written = IllRequest.objects.filter(
            pk=current.pk, version=current.version, status=current.status
        ).update(status=transition.target, version=F("version") + 1, updated_at=now, **changes)
        if written != 1:
            raise Conflict(
                _("Someone else changed request %(n)s just now.") % {"n": current.number}
            )
        current.refresh_from_db()
        library = _library_of_side(current, side)
        IllMessage.objects.create(
            request=current,
            at=now,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            library=library,
            side=side,
            action=action,
            from_status=before,
            to_status=transition.target,
            note=note,
            reason=reason,
        )
        if after is not None:
            after(current)
        transaction.on_commit(lambda: notify(current, action))
        if not remote:
            transaction.on_commit(lambda: _tell_partner(current, action, side))
    request.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    return current


def _tell_partner(request: IllRequest, action: str, side: str) -> None:
    from simpul.ill import exchange

    try:
        exchange.after_step(request, action, side)
    except Exception:
        logger.exception("could not queue the ISO 18626 message for request %s", request.pk)


def _library_of_side(request: IllRequest, side: str) -> Library | None:
    if side in (Side.REQUESTER, Side.PATRON):
        return request.requesting_library
    if side == Side.SUPPLIER:
        return request.supplier
    return None


def act(actor: Actor, request: IllRequest, action: str, note: str = "") -> IllRequest:
    """A step that needs nothing but an optional note."""
    if action not in TRANSITIONS or action in SPECIAL_STEPS:
        raise InvalidInput(_("Unknown step."))
    side = _check(actor, request, action)
    return _step(request, action, actor, side, note=note)


SPECIAL_STEPS = frozenset(
    {
        "approve",
        "reject",
        "ask_info",
        "conditional",
        "cannot_supply",
        "ship",
        "deliver_copy",
        "answer_renewal",
        "no_answer",
        "next_lender",
        "mark_overdue",
    }
)


def _need(note: str, message: str) -> str:
    if not note.strip():
        raise InvalidInput({"note": [message]})
    return note.strip()


def reject(actor: Actor, request: IllRequest, note: str) -> IllRequest:
    side = _check(actor, request, "reject")
    note = _need(note, _("Say why the request is rejected; the patron reads it."))
    return _step(request, "reject", actor, side, note=note)


def ask_info(actor: Actor, request: IllRequest, note: str) -> IllRequest:
    side = _check(actor, request, "ask_info")
    note = _need(note, _("Say what you need to know from the patron."))
    return _step(request, "ask_info", actor, side, note=note)


def conditional(
    actor: Actor, request: IllRequest, conditions: str, fee: Decimal = Decimal(0)
) -> IllRequest:
    side = _check(actor, request, "conditional")
    conditions = _need(conditions, _("Say on what conditions you will supply."))
    return _step(
        request,
        "conditional",
        actor,
        side,
        note=conditions,
        changes={"conditions": conditions, "fee": fee},
    )


def cannot_supply(actor: Actor, request: IllRequest, reason: str, note: str = "") -> IllRequest:
    """The lender declines; the request moves on to the next candidate at once."""
    side = _check(actor, request, "cannot_supply")
    if reason not in ReasonUnfilled.values:
        raise InvalidInput({"reason": [_("Choose a reason.")]})
    lender_id = request.supplier_id or 0
    _step(
        request,
        "cannot_supply",
        actor,
        side,
        note=note,
        reason=reason,
        changes={"reason_unfilled": reason},
        after=lambda r: RotaEntry.objects.filter(request=r, library_id=lender_id).update(
            outcome=Outcome.DECLINED, answered_at=timezone.now()
        ),
    )
    route_next(IllRequest.objects.get(pk=request.pk))
    request.refresh_from_db()
    return request


def ship(
    actor: Actor, request: IllRequest, due_on: dt.date | None = None, note: str = ""
) -> IllRequest:
    side = _check(actor, request, "ship")
    assert request.supplier is not None
    due_on = due_on or timezone.localdate() + dt.timedelta(
        days=policy_for(request.supplier).loan_days
    )
    if due_on <= timezone.localdate():
        raise InvalidInput({"due_on": [_("The due date must be in the future.")]})
    return _step(request, "ship", actor, side, note=note, changes={"due_on": due_on})


def answer_renewal(
    actor: Actor, request: IllRequest, renew: bool, due_on: dt.date | None = None, note: str = ""
) -> IllRequest:
    side = _check(actor, request, "answer_renewal")
    changes: dict[str, Any] = {}
    if renew:
        assert request.supplier is not None
        base = max(request.due_on or timezone.localdate(), timezone.localdate())
        due_on = due_on or base + dt.timedelta(days=policy_for(request.supplier).loan_days)
        if due_on <= timezone.localdate():
            raise InvalidInput({"due_on": [_("The due date must be in the future.")]})
        changes["due_on"] = due_on
    label = _("Renewed") if renew else _("Renewal refused")
    return _step(
        request,
        "answer_renewal",
        actor,
        side,
        note=f"{label}. {note}".strip(),
        reason="yes" if renew else "no",
        changes=changes,
    )


COPY_LINK_DAYS = 14
COPY_MAX_DOWNLOADS = 5


def deliver_copy(
    actor: Actor, request: IllRequest, upload: UploadedFile | None = None, note: str = ""
) -> IllRequest:
    """Upload the scan (the patron gets a time-limited link) or record that it was sent."""
    side = _check(actor, request, "deliver_copy")
    if upload is not None and upload.size and upload.size > settings.ILL_MAX_COPY_BYTES:
        raise InvalidInput({"file": [_("The file is too large.")]})

    def store(current: IllRequest) -> None:
        delivery = CopyDelivery(
            request=current,
            expires_at=timezone.now() + dt.timedelta(days=settings.ILL_COPY_LINK_DAYS),
            max_downloads=settings.ILL_COPY_MAX_DOWNLOADS,
            sent_otherwise=upload is None,
        )
        if upload is not None:
            delivery.file_name = (upload.name or "copy")[-200:]
            delivery.file.save(f"{current.pk}-{delivery.token[:8]}.bin", upload, save=False)
        delivery.save()

    return _step(request, "deliver_copy", actor, side, note=note, after=store)


def approve(actor: Actor, request: IllRequest, note: str = "") -> IllRequest:
    """The home library sends the request out to the first lender on the rota."""
    side = _check(actor, request, "approve")

    def work() -> IllRequest:
        with transaction.atomic():
            current = IllRequest.objects.select_for_update().get(pk=request.pk)
            if current.status != Status.SUBMITTED:
                raise Conflict(
                    _("Request %(n)s is now “%(status)s”, so it cannot be approved.")
                    % {"n": current.number, "status": current.get_status_display()}
                )
            entries = build_rota(current)
            first = next((e for e in entries if e.outcome == Outcome.WAITING), None)
            if first is None:
                raise InvalidInput(
                    _(
                        "No member library can supply this: none holds it, or their policies "
                        "and agreements do not allow it. Reject the request with that reason."
                    )
                )
            return _send_to(request, first, "approve", actor, side, note)

    return _retrying(work)


def _send_to(
    request: IllRequest, entry: RotaEntry, action: str, actor: Actor, side: str, note: str = ""
) -> IllRequest:
    policy = policy_for(entry.library)
    now = timezone.now()
    fee = policy.copy_fee if request.service == ServiceType.COPY else policy.loan_fee
    request = _step(
        request,
        action,
        actor,
        side,
        note=note,
        changes={
            "supplier": entry.library,
            "answer_by": now + dt.timedelta(days=policy.answer_days),
            "fee": fee,
            "fee_payer": policy.fee_payer if fee else FeePayer.FREE,
            "reason_unfilled": "",
            "conditions": "",
        },
    )
    RotaEntry.objects.filter(pk=entry.pk).update(outcome=Outcome.ASKED, asked_at=now)
    return request


def route_next(request: IllRequest) -> IllRequest:
    """After a decline or silence: ask the next candidate whose policy still allows it."""
    if request.status != Status.UNFILLED:
        return request
    for entry in request.rota.filter(outcome=Outcome.WAITING).select_related("library"):
        refusal = policy_refusal(policy_for(entry.library), request)
        if refusal is None:
            return _send_to(request, entry, "next_lender", None, Side.SYSTEM)
        RotaEntry.objects.filter(pk=entry.pk).update(outcome=Outcome.SKIPPED)
    return request


# ---------------------------------------------------------------- lender selection


def holders(request: IllRequest) -> dict[int, bool]:
    """Libraries holding the title: library id → whether any copy is available."""
    if request.cluster_id is None:
        return {}
    rows = (
        Holding.objects.filter(
            record__cluster_id=request.cluster_id, record__status=RecordStatus.ACTIVE
        )
        .exclude(status=ItemStatus.LOST)
        .values_list("library_id", "status")
    )
    found: dict[int, bool] = {}
    for library_id, status in rows:
        found[library_id] = found.get(library_id, False) or status == ItemStatus.AVAILABLE
    if not found:
        # Records without item data still say the library has it.
        for library_id in (
            Record.objects.filter(cluster_id=request.cluster_id, status=RecordStatus.ACTIVE)
            .values_list("library_id", flat=True)
            .distinct()
        ):
            found[library_id] = False
    return found


def build_rota(request: IllRequest) -> list[RotaEntry]:
    """Candidate lenders: available copies first, then the least busy, never the borrower.

    Load is the lender's open requests now plus what it supplied in the last 90 days, so
    the largest library is not always asked first; policy and agreements exclude lenders.
    """
    RotaEntry.objects.filter(request=request, outcome=Outcome.WAITING).delete()
    found = holders(request)
    found.pop(request.requesting_library_id, None)
    asked = set(request.rota.values_list("library_id", flat=True))
    since = timezone.now() - dt.timedelta(days=90)
    libraries = Library.objects.filter(pk__in=set(found) - asked).annotate(
        busy=Count(
            "ill_requests_received", filter=Q(ill_requests_received__status__in=OPEN_STATUSES)
        ),
        recent=Count(
            "ill_requests_received", filter=Q(ill_requests_received__created_at__gte=since)
        ),
    )
    allowed = [lib for lib in libraries if policy_refusal(policy_for(lib), request) is None]
    allowed.sort(key=lambda lib: (not found[lib.pk], lib.busy, lib.recent, lib.code))
    start = request.rota.count()
    entries = [
        RotaEntry(request=request, library=lib, position=start + i, available=found[lib.pk])
        for i, lib in enumerate(allowed)
    ]
    RotaEntry.objects.bulk_create(entries)
    return list(request.rota.filter(outcome=Outcome.WAITING).select_related("library"))


# ---------------------------------------------------------------- the worker's rounds


def move_on_unanswered(now: dt.datetime | None = None) -> int:
    """Requests a lender left unanswered past its time limit go to the next candidate."""
    now = now or timezone.now()
    moved = 0
    due = IllRequest.objects.filter(
        status__in=[Status.REQUEST_RECEIVED, Status.EXPECT_TO_SUPPLY], answer_by__lt=now
    ).select_related("requesting_library", "supplier")
    for request in due:
        lender_id = request.supplier_id
        try:
            request = _step(
                request,
                "no_answer",
                None,
                Side.SYSTEM,
                reason=ReasonUnfilled.NO_ANSWER,
                changes={"reason_unfilled": ReasonUnfilled.NO_ANSWER},
                after=lambda r, lid=lender_id: RotaEntry.objects.filter(
                    request=r, library_id=lid
                ).update(outcome=Outcome.NO_ANSWER, answered_at=now),
            )
        except Conflict:
            continue
        route_next(request)
        moved += 1
    return moved


def mark_overdue(today: dt.date | None = None) -> int:
    """Loans past their due date become Overdue; the patron and home library are told."""
    today = today or timezone.localdate()
    count = 0
    for request in IllRequest.objects.filter(
        status__in=[Status.LOANED, Status.RECEIVED], due_on__lt=today
    ):
        try:
            _step(request, "mark_overdue", None, Side.SYSTEM)
        except Conflict:
            continue
        count += 1
    return count


def remind_overdue(today: dt.date | None = None) -> int:
    """Each ILL_OVERDUE_REMINDER_DAYS days a loan stays overdue, the patron is reminded again
    (the first notice went out when it became overdue); the request's page shows the date."""
    today = today or timezone.localdate()
    every = dt.timedelta(days=settings.ILL_OVERDUE_REMINDER_DAYS)
    due = IllRequest.objects.filter(status=Status.OVERDUE, due_on__lte=today - every).filter(
        Q(overdue_reminded_on__isnull=True) | Q(overdue_reminded_on__lte=today - every)
    )
    count = 0
    for request in due.select_related("patron"):
        if not IllRequest.objects.filter(
            pk=request.pk, status=Status.OVERDUE, overdue_reminded_on=request.overdue_reminded_on
        ).update(overdue_reminded_on=today):
            continue  # another round got there first
        notify(request, "mark_overdue", reminder=True)
        count += 1
    return count


def expire_copies(now: dt.datetime | None = None) -> int:
    """Delete scanned copies whose link expired or wore out (copyright: no copies kept)."""
    now = now or timezone.now()
    stale = CopyDelivery.objects.filter(deleted_at__isnull=True).filter(
        Q(expires_at__lt=now) | Q(downloads__gte=F("max_downloads"))
    )
    count = 0
    for delivery in stale:
        if delivery.file:
            delivery.file.delete(save=False)
        delivery.deleted_at = now
        delivery.save(update_fields=["file", "deleted_at"])
        count += 1
    return count


def open_copy(token: str) -> CopyDelivery | None:
    """The delivery behind a download link, counted; None when expired, used up or deleted."""
    with transaction.atomic():
        delivery = (
            CopyDelivery.objects.select_for_update()
            .filter(token=token, deleted_at__isnull=True)
            .first()
        )
        if delivery is None or not delivery.file or delivery.expires_at < timezone.now():
            return None
        written = CopyDelivery.objects.filter(
            pk=delivery.pk, downloads__lt=F("max_downloads")
        ).update(downloads=F("downloads") + 1)
        if not written:
            return None
    return delivery


def forget_patrons(now: dt.datetime | None = None) -> int:
    """Remove personal data from requests closed longer than ILL_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ILL_RETENTION_DAYS)
    old = IllRequest.objects.filter(
        status__in=CLOSED_STATUSES, closed_at__lt=cutoff, anonymised_at__isnull=True
    )
    ids = list(old.values_list("pk", flat=True))
    IllMessage.objects.filter(request_id__in=ids, side=Side.PATRON).update(actor=None, note="")
    IllMessage.objects.filter(request_id__in=ids).update(actor=None)
    return IllRequest.objects.filter(pk__in=ids).update(
        patron=None, created_by=None, patron_note="", anonymised_at=now
    )


# ---------------------------------------------------------------- notifications

NOTIFY_PATRON = {
    "ask_info",
    "reject",
    "approve",
    "receive",
    "deliver_copy",
    "answer_renewal",
    "recall",
    "mark_overdue",
    "cannot_supply",
    "no_answer",
}


def notify(request: IllRequest, action: str, reminder: bool = False) -> None:
    """E-mail the patron about steps that concern them, in the patron's own language."""
    from simpul.core.tasks import letter_to, queue_letter

    if action not in NOTIFY_PATRON:
        return
    if action in {"cannot_supply", "no_answer"} and request.status != Status.UNFILLED:
        return  # it moved on to the next lender; nothing for the patron to do

    def compose() -> tuple[str, list[str]]:
        subject = _("Your interlibrary request %(n)s: %(status)s") % {
            "n": request.number,
            "status": request.get_status_display(),
        }
        lines = [
            _("Title: %(title)s") % {"title": request.title},
            _("Status: %(status)s") % {"status": request.get_status_display()},
        ]
        last = request.messages.order_by("-at", "-pk").first()
        if last and last.note and last.side != Side.PATRON:
            lines.append(_("Note: %(note)s") % {"note": last.note})
        if request.due_on and request.service == ServiceType.LOAN:
            lines.append(_("Due: %(date)s") % {"date": request.due_on.isoformat()})
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
            lines.append(
                _(
                    "Please return the item to your library as soon as you can; it belongs to "
                    "another library that is waiting for it."
                )
            )
        lines.append(_("See all your requests under “My interlibrary requests” in Simpul."))
        return subject, lines

    if letter := letter_to(request.patron, compose):
        queue_letter(letter)


# ---------------------------------------------------------------- policy upkeep


def save_policy(actor: Actor, library: Library, form: Any) -> LendingPolicy:
    """Save a library's lending policy from a validated ModelForm (its own staff only)."""
    permissions.check_can_edit_library(actor, library)
    policy: LendingPolicy = form.save(commit=False)
    policy.library = library
    policy.save()
    form.save_m2m()
    return policy


def add_closure(actor: Actor, library: Library, closure: LendingClosure) -> LendingClosure:
    permissions.check_can_edit_library(actor, library)
    closure.library = library
    closure.save()
    return closure


def remove_closure(actor: Actor, library: Library, pk: int) -> None:
    permissions.check_can_edit_library(actor, library)
    LendingClosure.objects.filter(library=library, pk=pk).delete()
