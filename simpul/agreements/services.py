"""Agreements: which services they switch on, and recording and changing them.

Dates are calendar dates in the network's time zone (settings.TIME_ZONE, by default
Asia/Jakarta, WIB). A library in WITA or WIT reaches midnight one or two hours earlier,
but an agreement's first and last days are those of the network's calendar, the one
written on the signed document: an agreement ending on 31 December is in force until
midnight WIB that day, everywhere in the network.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from simpul.accounts.models import Role, User
from simpul.agreements.models import (
    END_BEFORE_START,
    Agreement,
    Change,
    CoveredService,
    Kind,
    Party,
    Reminder,
    Service,
    Status,
)
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library


def network_today() -> dt.date:
    """Today's date in the network's time zone (settings.TIME_ZONE), not the server's."""
    return timezone.localdate()


def _in_force(on_date: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.ACTIVE, f"{prefix}start_date__lte": on_date}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on_date})
    )


def agreements_in_force(on_date: dt.date | None = None) -> QuerySet[Agreement]:
    """Active agreements whose dates include on_date (an MoA/IA only while its MoU is too)."""
    on_date = on_date or network_today()
    return Agreement.objects.filter(_in_force(on_date)).filter(
        Q(parent__isnull=True) | _in_force(on_date, "parent__")
    )


def is_service_allowed(
    service: str,
    from_library: Library,
    to_library: Library,
    on_date: dt.date | None = None,
) -> bool:
    """Whether `from_library` (the one asking: borrower, visitor's home library, depositor)
    may use `service` at `to_library` (the one providing) on `on_date` (default: today in
    the network's time zone).

    True only while an active agreement naming the service has both libraries as parties
    and on_date lies between its start and end dates, both included; an MoA or IA counts
    only while its MoU is in force too. A library may always serve itself. An unknown
    service name is a programming error and raises ValueError rather than answering False.
    """
    if service not in Service.values:
        raise ValueError(f"unknown service {service!r}; use one of {Service.values}")
    if from_library.pk == to_library.pk:
        return True
    return (
        agreements_in_force(on_date)
        .filter(services__service=service)
        .filter(parties__library=from_library)
        .filter(parties__library=to_library)
        .exists()
    )


# --- Who may see and change agreements ---------------------------------------------------
#
# The coordinator records and changes every agreement. A library administrator may record
# and change the MoAs and IAs their own library is a party to (the bilateral ones it
# negotiates) but not MoUs, which bind the whole network, and cannot take their library off
# an agreement. Every staff member of a party library may read that agreement; other
# libraries' staff see only what the public network view shows.


def can_view(actor: permissions.Actor, agreement: Agreement) -> bool:
    if permissions.is_coordinator(actor):
        return True
    person = _staff(actor)
    return bool(
        person
        and person.library_id is not None
        and agreement.parties.filter(library_id=person.library_id).exists()
    )


def can_edit(actor: permissions.Actor, agreement: Agreement | None = None) -> bool:
    """Whether the actor may change this agreement (or, with None, record new ones)."""
    if permissions.is_coordinator(actor):
        return True
    person = _staff(actor)
    if person is None or person.role != Role.LIBRARY_ADMIN:
        return False
    if agreement is None:
        return True
    return agreement.kind != Kind.MOU and can_view(actor, agreement)


def can_see_agreements(actor: permissions.Actor) -> bool:
    return permissions.is_coordinator(actor) or _staff(actor) is not None


def _staff(actor: permissions.Actor) -> User | None:
    if actor.is_authenticated and isinstance(actor, User) and actor.is_library_staff:
        return actor
    return None


def visible_agreements(actor: permissions.Actor) -> QuerySet[Agreement]:
    """The agreements this actor may read: all for the coordinator, their library's for staff."""
    agreements = Agreement.objects.select_related("parent")
    if permissions.is_coordinator(actor):
        return agreements
    person = _staff(actor)
    if person is None or person.library_id is None:
        return agreements.none()
    return agreements.filter(
        pk__in=Party.objects.filter(library_id=person.library_id).values("agreement_id")
    )


def get_visible(actor: permissions.Actor, pk: int) -> Agreement:
    """The agreement, or Http404 whether it does not exist or is not the actor's to read."""
    agreement = visible_agreements(actor).filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


def filter_agreements(
    agreements: QuerySet[Agreement],
    *,
    text: str = "",
    kind: str = "",
    status: str = "",
    service: str = "",
    library: Library | None = None,
) -> QuerySet[Agreement]:
    if text:
        agreements = agreements.filter(
            Q(title__icontains=text)
            | Q(reference__icontains=text)
            | Q(parties__partner_name__icontains=text)
            | Q(parties__library__name__icontains=text)
            | Q(parties__library__code__iexact=text)
        )
    if kind:
        agreements = agreements.filter(kind=kind)
    if status:
        agreements = agreements.filter(status=status)
    if service:
        agreements = agreements.filter(services__service=service)
    if library is not None:
        agreements = agreements.filter(parties__library=library)
    return agreements.distinct()


def expiring_soon(
    actor: permissions.Actor, days: int = 90, today: dt.date | None = None
) -> QuerySet[Agreement]:
    """Active agreements the actor may read that end within `days` days, soonest first."""
    today = today or network_today()
    return (
        visible_agreements(actor)
        .filter(
            status=Status.ACTIVE,
            end_date__gte=today,
            end_date__lte=today + dt.timedelta(days=days),
        )
        .order_by("end_date", "title")
    )


# --- Recording and changing agreements ---------------------------------------------------

AGREEMENT_FIELDS = (
    "kind",
    "title",
    "reference",
    "parent",
    "status",
    "start_date",
    "end_date",
    "background",
    "scope",
    "division_of_work",
    "financing",
    "implementation",
    "terminated_on",
    "termination_reason",
)
PARTY_FIELDS = ("signatory", "contact_name", "contact_email", "rights_and_obligations")
MAX_PDF_BYTES = 10 * 1024 * 1024


@dataclass
class PartyValues:
    """One party as a form or the API gives it: a library of the directory or a named partner."""

    library: Library | None = None
    partner_name: str = ""
    signatory: str = ""
    contact_name: str = ""
    contact_email: str = ""
    rights_and_obligations: str = ""

    @property
    def key(self) -> str:
        return f"library:{self.library.pk}" if self.library else f"partner:{self.partner_name}"


def check_pdf(upload: File[bytes]) -> None:
    """Refuse a file that is not a PDF or is too large; reads only its head and tail.

    A PDF starts with a `%PDF-1.x` or `%PDF-2.0` header (allowed within its first kilobyte)
    and ends with `startxref`, a byte offset, and `%%EOF`; a file renamed to .pdf, a truncated
    download or an HTML error page saved as PDF fails one of these."""
    size = upload.size or 0
    if size > MAX_PDF_BYTES:
        raise InvalidInput(
            {
                "signed_document": _(
                    "The file is %(size)s; a signed document may be at most %(limit)s."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(MAX_PDF_BYTES)}
            }
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    header = re.search(rb"%PDF-(1\.[0-7]|2\.0)", head)
    trailer = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail)
    if size == 0 or header is None or trailer is None or int(trailer.group(1)) >= size:
        raise InvalidInput(
            {
                "signed_document": _(
                    "This file is not a complete PDF document. Upload the signed agreement "
                    "as a PDF file (scanned or exported), not a picture, Word file or a "
                    "partly downloaded file."
                )
            }
        )


def _snapshot(agreement: Agreement) -> dict[str, str]:
    """Every recorded value of an agreement as text, to tell what a change changed."""
    values = {}
    for name in AGREEMENT_FIELDS:
        value = getattr(agreement, name)
        values[name] = "" if value is None else str(value.pk if name == "parent" else value)
    if agreement.pk:
        values["services"] = ", ".join(sorted(agreement.service_codes))
        values["parties"] = "; ".join(
            " | ".join(
                [party.library.code if party.library else party.partner_name]
                + [getattr(party, name) for name in PARTY_FIELDS]
            )
            for party in agreement.parties.select_related("library")
        )
        values["signed_document"] = agreement.signed_document.name or ""
    return values


def _validate(
    agreement: Agreement,
    parties: list[PartyValues],
    actor: permissions.Actor,
    today: dt.date,
) -> None:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if agreement.end_date and agreement.start_date and agreement.end_date < agreement.start_date:
        refuse("end_date", str(END_BEFORE_START))
    if agreement.parent_id:
        parent = agreement.parent
        if agreement.kind == Kind.MOU:
            refuse("parent", _("An MoU stands on its own; only an MoA or IA comes under an MoU."))
        elif parent is None or parent.kind != Kind.MOU:
            refuse("parent", _("Choose an MoU as the agreement this one comes under."))
        elif parent.pk == agreement.pk:
            refuse("parent", _("An agreement cannot come under itself."))
        else:
            in_mou = set(parent.parties.exclude(library=None).values_list("library_id", flat=True))
            outside = [p.library.code for p in parties if p.library and p.library.pk not in in_mou]
            if outside:
                refuse(
                    "parties",
                    _("These libraries are not parties to the MoU it comes under: %(codes)s.")
                    % {"codes": ", ".join(outside)},
                )
    if len(parties) < 2:
        refuse("parties", _("An agreement has at least two parties."))
    keys = [party.key for party in parties]
    if len(set(keys)) != len(keys):
        refuse("parties", _("The same party is listed twice."))
    if agreement.status == Status.ACTIVE and agreement.end_date and agreement.end_date < today:
        refuse(
            "status",
            _(
                "Its end date has passed, so it cannot be active: extend the end date "
                "(a renewal) or mark it expired."
            ),
        )
    if agreement.status == Status.TERMINATED and not agreement.terminated_on:
        refuse("terminated_on", _("Give the date the agreement was terminated."))
    if agreement.terminated_on and agreement.status != Status.TERMINATED:
        refuse("status", _("An agreement with a termination date has the status Terminated."))
    if not permissions.is_coordinator(actor):
        person = _staff(actor)
        if agreement.kind == Kind.MOU:
            refuse("kind", _("Only the network coordinator records MoUs."))
        if person is not None and person.library_id not in {
            p.library.pk for p in parties if p.library
        }:
            refuse("parties", _("Your own library must be one of the parties."))
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def save_agreement(
    actor: permissions.Actor,
    values: dict[str, Any],
    parties: list[PartyValues],
    covered: list[str],
    agreement: Agreement | None = None,
    document: File[bytes] | None = None,
) -> Agreement:
    """Record a new agreement or change one, with its parties and services, and keep the
    change in its history. Invalid input raises InvalidInput and stores nothing."""
    if not can_edit(actor, agreement):
        raise AccessDenied(
            _(
                "Only the network coordinator, or the administrator of a party library for "
                "its MoAs and IAs, can change agreements."
            )
        )
    today = network_today()
    before = _snapshot(agreement) if agreement else {}
    agreement = agreement or Agreement(created_by=actor if isinstance(actor, User) else None)
    for name in AGREEMENT_FIELDS:
        if name in values:
            setattr(agreement, name, values[name])
    unknown = sorted(set(covered) - set(Service.values))
    if unknown:
        raise InvalidInput(
            {"services": _("Unknown service: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    if document is not None:
        check_pdf(document)
    _validate(agreement, parties, actor, today)
    try:
        agreement.full_clean(exclude=["signed_document", "parent"])
    except ValidationError as error:
        raise InvalidInput(error.message_dict) from None
    if document is not None:
        replaced = agreement.signed_document.name
        agreement.signed_document.save(f"{uuid.uuid4().hex}.pdf", document, save=False)
        if replaced:
            storage = agreement.signed_document.storage
            transaction.on_commit(lambda: storage.delete(replaced))
    agreement.save()
    _replace_parties(agreement, parties)
    agreement.services.exclude(service__in=covered).delete()
    have = set(agreement.service_codes)
    CoveredService.objects.bulk_create(
        CoveredService(agreement=agreement, service=s) for s in covered if s not in have
    )
    after = _snapshot(agreement)
    changed = {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if changed or not before:
        Change.objects.create(
            agreement=agreement,
            changed_by=actor if isinstance(actor, User) else None,
            action="created" if not before else "changed",
            fields=changed,
        )
    return agreement


def _replace_parties(agreement: Agreement, parties: list[PartyValues]) -> None:
    existing = {
        (f"library:{p.library_id}" if p.library_id else f"partner:{p.partner_name}"): p
        for p in agreement.parties.all()
    }
    wanted = {party.key for party in parties}
    for key, party in existing.items():
        if key not in wanted:
            party.delete()
    for values in parties:
        party = existing.get(values.key) or Party(
            agreement=agreement, library=values.library, partner_name=values.partner_name
        )
        if values.library:
            party.partner_name = ""
        for name in PARTY_FIELDS:
            setattr(party, name, getattr(values, name))
        party.save()


# --- Dates that move the status on, and reminders ---------------------------------------

REMINDER_DAYS = (90, 30, 7)


def expire_ended(today: dt.date | None = None) -> int:
    """Mark active agreements whose end date has passed as expired, each with a history entry."""
    today = today or network_today()
    ended = list(Agreement.objects.filter(status=Status.ACTIVE, end_date__lt=today))
    for agreement in ended:
        with transaction.atomic():
            agreement.status = Status.EXPIRED
            agreement.save(update_fields=["status", "updated_at"])
            Change.objects.create(
                agreement=agreement,
                action="expired",
                fields={"status": [Status.ACTIVE.value, Status.EXPIRED.value]},
            )
    return len(ended)


def reminder_recipients(agreement: Agreement) -> list[str]:
    """The coordinators and each party's contact (a library party without one: its address)."""
    addresses = [
        email
        for email in User.objects.filter(is_active=True)
        .filter(Q(role=Role.COORDINATOR) | Q(is_superuser=True))
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    ]
    for party in agreement.parties.select_related("library"):
        address = party.contact_email or (party.library.email if party.library else "")
        if address:
            addresses.append(address)
    return list(dict.fromkeys(address.lower() for address in addresses))


def send_reminders(today: dt.date | None = None) -> int:
    """One e-mail per agreement and threshold (90, 30, 7 days before its end), however often
    this runs; after a pause it sends only the nearest threshold reached, not every one missed.
    An extended agreement (a new end date) is reminded afresh."""
    today = today or network_today()
    sent = 0
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    due = Agreement.objects.filter(
        status=Status.ACTIVE, end_date__gte=today, end_date__lte=horizon
    ).order_by("end_date", "pk")
    for agreement in due:
        assert agreement.end_date is not None
        days_left = (agreement.end_date - today).days
        threshold = min(days for days in REMINDER_DAYS if days_left <= days)
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                agreement=agreement, end_date=agreement.end_date, days_before=threshold
            )
            if not created:
                continue
            recipients = reminder_recipients(agreement)
            reminder.recipients = recipients
            reminder.save(update_fields=["recipients"])
            if recipients:
                _send_reminder(agreement, days_left, recipients)
                sent += 1
    return sent


def _send_reminder(agreement: Agreement, days_left: int, recipients: list[str]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "agreement": agreement,
            "days_left": days_left,
            "parties": agreement.parties.select_related("library"),
            "url": f"{settings.SITE_URL.rstrip('/')}/agreements/{agreement.pk}/",
        }
        subject = _("Agreement “%(title)s” ends on %(date)s") % {
            "title": agreement.title,
            "date": date_format(agreement.end_date or "", "DATE_FORMAT"),
        }
        body = render_to_string("agreements/reminder_email.txt", context)
    send_mail(subject, body, None, recipients)
