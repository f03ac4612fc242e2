"""Member cards, visit rules and visits: every rule and every authorisation lives here.

Who may do what:
- a patron applies for their own card, shows it, pre-registers and cancels their own visits;
- librarians and administrators of the home library (and the coordinator) issue, refuse,
  suspend, reinstate, renew and revoke its patrons' cards;
- staff of a host library edit its visit rules, answer pre-registrations, see expected
  visitors and check visitors in at the desk.
A card is honoured at a host library only while an agreement covers reciprocal access between
the two libraries (`agreements.services.is_service_allowed`), on the host library's local date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from simpul.accounts.models import User
from simpul.agreements.models import Service
from simpul.agreements.services import is_service_allowed
from simpul.cards import notices, signing
from simpul.cards.models import (
    DEFAULT_WEEKDAYS,
    Audience,
    CardPolicy,
    CardStatus,
    MemberCard,
    Visit,
    VisitRules,
    VisitStatus,
)
from simpul.catalog.models import Cluster
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions
from simpul.network.models import Library

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_SIZE = 480
BOOKING_WINDOW_DAYS = 90
MAX_TITLES = 20


# Authorisation --------------------------------------------------------------------------------


def can_manage_cards(actor: permissions.Actor, library: Library) -> bool:
    """Librarians and administrators of the home library, and the coordinator."""
    return permissions.can_see_patrons(actor, library)


def check_can_manage_cards(actor: permissions.Actor, library: Library) -> None:
    if not can_manage_cards(actor, library):
        raise AccessDenied(
            _("Only librarians of %(library)s can manage its patrons' cards.")
            % {"library": library.code}
        )


def can_host(actor: permissions.Actor, library: Library) -> bool:
    """Staff of the host library (and the coordinator) receive its visitors."""
    return permissions.can_view_staff_data(actor, library)


def check_can_host(actor: permissions.Actor, library: Library) -> None:
    if not can_host(actor, library):
        raise AccessDenied(
            _("Only staff of %(library)s can receive its visitors.") % {"library": library.code}
        )


def _patron(actor: permissions.Actor) -> User:
    if not (actor.is_authenticated and isinstance(actor, User) and actor.is_patron):
        raise AccessDenied(_("Only patrons (pemustaka) can do this."))
    if actor.library is None:
        raise AccessDenied(_("Your account has no home library; ask your library."))
    return actor


# Photos ---------------------------------------------------------------------------------------


def read_photo(upload: UploadedFile) -> bytes:
    """A real image of at most 2 MB, returned re-encoded as a small JPEG without its metadata
    (no location or camera data leaves the patron's phone)."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput({"photo": [_("The photo is larger than 2 MB; choose a smaller one.")]})
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput({"photo": [_("The photo is larger than 2 MB; choose a smaller one.")]})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in {"JPEG", "PNG", "WEBP"}:
                raise UnidentifiedImageError
            picture = image.convert("RGB")
            picture.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            picture.save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput({"photo": [_("The photo is not a JPEG, PNG or WebP image.")]}) from None
    return out.getvalue()


# Cards ----------------------------------------------------------------------------------------


def local_today(time_zone: str | None = None, at: dt.datetime | None = None) -> dt.date:
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
    return (at or timezone.now()).astimezone(zone).date()


def current_card(person: User) -> MemberCard | None:
    """The person's card that counts: pending, active or suspended (not refused or revoked)."""
    return (
        MemberCard.objects.filter(
            holder=person,
            status__in=[CardStatus.APPLIED, CardStatus.ACTIVE, CardStatus.SUSPENDED],
        )
        .select_related("home_library")
        .first()
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _activate(card: MemberCard, by: User | None, today: dt.date) -> None:
    policy = CardPolicy.current()
    card.status = CardStatus.ACTIVE
    card.valid_from = today
    card.valid_until = _add_months(today, policy.validity_months) - dt.timedelta(days=1)
    card.issued_at = card.status_changed_at = timezone.now()
    card.issued_by = by
    card.status_reason = ""
    card.save()
    if not card.number:
        card.number = f"{card.home_library.code}-{card.pk:06d}"
        card.save(update_fields=["number"])


@transaction.atomic
def apply_for_card(
    actor: permissions.Actor, photo: UploadedFile | None = None, note: str = ""
) -> MemberCard:
    """A patron asks for a network card; issued at once if the network says so and the home
    library has verified them (recorded their member number)."""
    person = _patron(actor)
    assert person.library is not None
    if current_card(person) is not None:
        raise InvalidInput(_("You already have a card or an application in progress."))
    card = MemberCard(
        holder=person,
        home_library=person.library,
        holder_name=(person.get_full_name() or person.username)[:150],
        applicant_note=note.strip()[:2000],
        photo=read_photo(photo) if photo is not None else b"",
    )
    card.save()
    if CardPolicy.current().auto_issue and person.member_number:
        _activate(card, None, local_today())
        notices.card_changed(card, "issued")
    return card


def _card_for_staff(actor: permissions.Actor, card: MemberCard) -> None:
    check_can_manage_cards(actor, card.home_library)


@transaction.atomic
def issue_card(actor: permissions.Actor, card: MemberCard) -> MemberCard:
    _card_for_staff(actor, card)
    if card.status not in {CardStatus.APPLIED, CardStatus.REFUSED}:
        raise InvalidInput(_("Only an application can be issued."))
    _activate(card, actor if isinstance(actor, User) else None, local_today())
    notices.card_changed(card, "issued")
    return card


def _set_status(card: MemberCard, status: str, reason: str) -> MemberCard:
    card.status = status
    card.status_reason = reason.strip()[:500]
    card.status_changed_at = timezone.now()
    card.save(update_fields=["status", "status_reason", "status_changed_at"])
    return card


def refuse_application(actor: permissions.Actor, card: MemberCard, reason: str) -> MemberCard:
    _card_for_staff(actor, card)
    if card.status != CardStatus.APPLIED:
        raise InvalidInput(_("Only an application can be refused."))
    if not reason.strip():
        raise InvalidInput({"reason": [_("Say why, so the patron knows what to do.")]})
    _set_status(card, CardStatus.REFUSED, reason)
    notices.card_changed(card, "refused")
    return card


def suspend_card(actor: permissions.Actor, card: MemberCard, reason: str) -> MemberCard:
    _card_for_staff(actor, card)
    if card.status != CardStatus.ACTIVE:
        raise InvalidInput(_("Only an active card can be suspended."))
    if not reason.strip():
        raise InvalidInput({"reason": [_("Say why, so the patron knows what to do.")]})
    _set_status(card, CardStatus.SUSPENDED, reason)
    notices.card_changed(card, "suspended")
    return card


def reinstate_card(actor: permissions.Actor, card: MemberCard) -> MemberCard:
    _card_for_staff(actor, card)
    if card.status != CardStatus.SUSPENDED:
        raise InvalidInput(_("Only a suspended card can be reinstated."))
    _set_status(card, CardStatus.ACTIVE, "")
    notices.card_changed(card, "reinstated")
    return card


def revoke_card(actor: permissions.Actor, card: MemberCard, reason: str) -> MemberCard:
    _card_for_staff(actor, card)
    if card.status not in {CardStatus.ACTIVE, CardStatus.SUSPENDED}:
        raise InvalidInput(_("Only an active or suspended card can be revoked."))
    if not reason.strip():
        raise InvalidInput({"reason": [_("Say why, so the patron knows what to do.")]})
    _set_status(card, CardStatus.REVOKED, reason)
    notices.card_changed(card, "revoked")
    return card


def renew_card(actor: permissions.Actor, card: MemberCard) -> MemberCard:
    """Extend validity by the network's period, from today or from the current end date."""
    _card_for_staff(actor, card)
    if card.status != CardStatus.ACTIVE or card.valid_until is None:
        raise InvalidInput(_("Only an active card can be renewed."))
    today = local_today()
    start = max(today, card.valid_until + dt.timedelta(days=1))
    card.valid_until = _add_months(start, CardPolicy.current().validity_months) - dt.timedelta(
        days=1
    )
    card.save(update_fields=["valid_until"])
    notices.card_changed(card, "renewed")
    return card


def save_policy(actor: permissions.Actor, auto_issue: bool, validity_months: int) -> CardPolicy:
    permissions.check_is_coordinator(actor)
    policy = CardPolicy.current()
    policy.auto_issue, policy.validity_months = auto_issue, validity_months
    try:
        policy.full_clean()
    except ValidationError as error:
        raise InvalidInput(error.message_dict) from None
    policy.save()
    return policy


def cards_of_library(actor: permissions.Actor, library: Library) -> QuerySet[MemberCard]:
    check_can_manage_cards(actor, library)
    return MemberCard.objects.filter(home_library=library).select_related("holder")


def card_for_staff(actor: permissions.Actor, pk: int) -> MemberCard | None:
    card = MemberCard.objects.select_related("home_library", "holder").filter(pk=pk).first()
    if card is None or not can_manage_cards(actor, card.home_library):
        return None
    return card


def can_see_photo(actor: permissions.Actor, card: MemberCard) -> bool:
    person = permissions._person(actor)
    if person is None:
        return False
    if card.holder_id == person.pk or can_manage_cards(person, card.home_library):
        return True
    return bool(
        person.is_library_staff
        and Visit.objects.filter(visitor_id=card.holder_id, host_library=person.library).exists()
    )


def token_for(card: MemberCard) -> str:
    if card.status != CardStatus.ACTIVE or not card.number or not card.valid_until:
        raise InvalidInput(_("Only an active card has a QR code."))
    assert card.valid_from is not None
    return signing.sign(
        card.number, card.holder_name, card.home_library.code, card.valid_from, card.valid_until
    )


def revocation_list(actor: permissions.Actor) -> dict[str, Any]:
    """Card numbers a desk must refuse although their signature is good (staff only)."""
    person = permissions._person(actor)
    if not (person and (person.is_library_staff or person.is_coordinator)):
        raise AccessDenied(_("Only library staff can read the revocation list."))
    rows = (
        MemberCard.objects.filter(status__in=[CardStatus.REVOKED, CardStatus.SUSPENDED])
        .exclude(number=None)
        .values_list("number", "status", "status_changed_at")
        .order_by("number")
    )
    return {
        "generated_at": timezone.now().isoformat(),
        "cards": [
            {"number": number, "status": status, "since": changed.isoformat()}
            for number, status, changed in rows
        ],
    }


# Visit rules ----------------------------------------------------------------------------------


def rules_for(library: Library) -> VisitRules:
    """The host library's rules, or the defaults (all members, weekdays, reading on site)."""
    rules = VisitRules.objects.filter(library=library).first()
    return rules or VisitRules(library=library, weekdays=list(DEFAULT_WEEKDAYS))


RULE_FIELDS = (
    "audience",
    "weekdays",
    "opens",
    "closes",
    "time_zone",
    "reading_on_site",
    "borrowing",
    "copying",
    "computer_use",
    "max_visits_per_month",
    "preregistration_required",
    "preregistration_days",
    "notes",
)


@transaction.atomic
def save_rules(
    actor: permissions.Actor,
    library: Library,
    values: dict[str, Any],
    listed: Iterable[Library] = (),
) -> VisitRules:
    permissions.check_can_edit_library(actor, library)
    rules = VisitRules.objects.filter(library=library).first() or VisitRules(library=library)
    for name in RULE_FIELDS:
        if name in values:
            setattr(rules, name, values[name])
    rules.weekdays = sorted({int(day) for day in rules.weekdays if 0 <= int(day) <= 6})
    try:
        rules.full_clean()
    except ValidationError as error:
        raise InvalidInput(error.message_dict) from None
    rules.save()
    rules.listed_libraries.set([lib for lib in listed if lib.pk != library.pk])
    return rules


def _rules_admit(rules: VisitRules, home: Library) -> bool:
    if rules.audience == Audience.ALL or rules.pk is None:
        return True
    return rules.listed_libraries.filter(pk=home.pk).exists()


def _visits_in_month(card: MemberCard, host: Library, day: dt.date) -> int:
    return (
        Visit.objects.filter(
            card__holder=card.holder,
            host_library=host,
            date__year=day.year,
            date__month=day.month,
            status__in=[VisitStatus.REQUESTED, VisitStatus.CONFIRMED, VisitStatus.CHECKED_IN],
        )
        .exclude(card__number=None)
        .count()
    )


# Visits ---------------------------------------------------------------------------------------


def host_libraries_for(person: User) -> list[Library]:
    return list(Library.objects.filter(is_active=True).exclude(pk=person.library_id or 0))


@transaction.atomic
def preregister(
    actor: permissions.Actor,
    host: Library,
    date: dt.date,
    purpose: str,
    cluster_ids: Iterable[int] = (),
    at: dt.datetime | None = None,
) -> Visit:
    """Report first ("lapor dulu"): the visit waits for the host library's answer."""
    person = _patron(actor)
    card = current_card(person)
    if card is None or card.status != CardStatus.ACTIVE:
        raise InvalidInput(_("You need an active member card to register a visit."))
    rules = rules_for(host)
    today = local_today(rules.time_zone, at)
    errors: list[str] = []
    if host.pk == card.home_library_id:
        errors.append(_("This is your own library; no registration is needed."))
    if date < today:
        errors.append(_("The date has passed; choose today or a later day."))
    elif rules.preregistration_required and date < today + dt.timedelta(
        days=rules.preregistration_days
    ):
        errors.append(
            _("%(library)s asks visitors to register at least %(days)s days ahead.")
            % {"library": host.code, "days": rules.preregistration_days}
        )
    elif date > today + dt.timedelta(days=BOOKING_WINDOW_DAYS):
        errors.append(_("Register at most %(days)s days ahead.") % {"days": BOOKING_WINDOW_DAYS})
    if card.valid_until and date > card.valid_until:
        errors.append(_("Your card expires before that day; ask your library to renew it."))
    if date.weekday() not in rules.weekdays:
        errors.append(
            _("%(library)s does not receive visitors on that day.") % {"library": host.code}
        )
    if not is_service_allowed(Service.RECIPROCAL_ACCESS, card.home_library, host, date):
        errors.append(
            _("No agreement between your library and %(library)s covers visits on that day.")
            % {"library": host.code}
        )
    if not _rules_admit(rules, card.home_library):
        errors.append(
            _("%(library)s does not receive patrons of your library.") % {"library": host.code}
        )
    if rules.max_visits_per_month and _visits_in_month(card, host, date) >= (
        rules.max_visits_per_month
    ):
        errors.append(
            _("You have reached %(library)s's limit of %(count)s visits that month.")
            % {"library": host.code, "count": rules.max_visits_per_month}
        )
    if Visit.objects.filter(
        visitor=person,
        host_library=host,
        date=date,
        status__in=[VisitStatus.REQUESTED, VisitStatus.CONFIRMED],
    ).exists():
        errors.append(_("You have already registered a visit there on that day."))
    ids = list(dict.fromkeys(int(pk) for pk in cluster_ids))
    if len(ids) > MAX_TITLES:
        errors.append(_("Name at most %(count)s titles.") % {"count": MAX_TITLES})
    clusters = list(Cluster.objects.filter(pk__in=ids))
    if len(clusters) != len(ids):
        errors.append(_("Some of the titles are not in the union catalogue."))
    if errors:
        raise InvalidInput(errors)
    visit = Visit.objects.create(
        card=card,
        visitor=person,
        home_library=card.home_library,
        host_library=host,
        date=date,
        purpose=purpose.strip()[:500],
        pre_registered=True,
    )
    visit.titles.set(clusters)
    return visit


def visits_of(person: User) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(visitor=person)
        .select_related("host_library")
        .prefetch_related("titles")
        .order_by("-date")
    )


def cancel_visit(actor: permissions.Actor, visit: Visit) -> Visit:
    person = _patron(actor)
    if visit.visitor_id != person.pk:
        raise AccessDenied(_("This is not your visit."))
    if visit.status not in {VisitStatus.REQUESTED, VisitStatus.CONFIRMED}:
        raise InvalidInput(_("This visit can no longer be cancelled."))
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    return visit


def answer_visit(actor: permissions.Actor, visit: Visit, confirm: bool, answer: str) -> Visit:
    check_can_host(actor, visit.host_library)
    if visit.status not in {VisitStatus.REQUESTED, VisitStatus.CONFIRMED}:
        raise InvalidInput(_("This visit has already been settled."))
    if not confirm and not answer.strip():
        raise InvalidInput({"answer": [_("Say why, so the patron knows what to do.")]})
    visit.status = VisitStatus.CONFIRMED if confirm else VisitStatus.REFUSED
    visit.answer = answer.strip()[:500]
    visit.save(update_fields=["status", "answer"])
    notices.visit_answered(visit)
    return visit


def expected_visits(
    actor: permissions.Actor, host: Library, start: dt.date, days: int = 14
) -> QuerySet[Visit]:
    check_can_host(actor, host)
    return (
        Visit.objects.filter(
            host_library=host,
            date__gte=start,
            date__lt=start + dt.timedelta(days=days),
            status__in=[VisitStatus.REQUESTED, VisitStatus.CONFIRMED, VisitStatus.CHECKED_IN],
        )
        .select_related("card", "home_library")
        .prefetch_related("titles")
        .order_by("date", "created_at")
    )


def visit_for_host(actor: permissions.Actor, pk: int) -> Visit | None:
    visit = Visit.objects.select_related("host_library").filter(pk=pk).first()
    if visit is None or not can_host(actor, visit.host_library):
        return None
    return visit


# The desk -------------------------------------------------------------------------------------


def reason_text(code: str, **values: Any) -> str:
    texts = {
        "malformed": _("This is not a Simpul member card code (it may be damaged or incomplete)."),
        "unknown_key": _(
            "The card was signed with a key this network no longer publishes; "
            "the holder should show the card page again or reprint it."
        ),
        "forged": _("The signature does not match: the card is forged or was altered."),
        "unknown_card": _("No card with this number exists."),
        "not_issued": _("This card has not been issued."),
        "mismatch": _("The code does not match the card's record (old print?)."),
        "not_yet_valid": _("The card is not valid yet."),
        "expired": _("The card expired on %(date)s."),
        "revoked": _("The card has been revoked by its home library."),
        "suspended": _("The card is suspended by its home library."),
        "no_agreement": _(
            "No active agreement between %(home)s and %(host)s covers reciprocal access today."
        ),
        "not_listed": _("%(host)s does not receive patrons of %(home)s."),
        "closed_day": _("%(host)s does not receive visitors today."),
        "outside_hours": _("Visitors are received from %(opens)s to %(closes)s."),
        "monthly_limit": _("The visitor has reached the limit of %(count)s visits this month."),
        "no_preregistration": _(
            "%(host)s requires pre-registration and this visitor has no confirmed visit today."
        ),
    }
    text = texts.get(code, code)
    return text % values if values else text


@dataclass
class DeskResult:
    valid: bool
    reasons: list[tuple[str, str]] = field(default_factory=list)
    card: MemberCard | None = None
    visit: Visit | None = None
    recorded: bool = False
    already: bool = False
    local_date: dt.date | None = None


def judge_card(
    card: MemberCard, host: Library, at: dt.datetime | None = None
) -> tuple[list[tuple[str, str]], dt.date]:
    """Why this card may not be honoured at this host now (empty when it may)."""
    rules = rules_for(host)
    zone = zoneinfo.ZoneInfo(rules.time_zone)
    now = (at or timezone.now()).astimezone(zone)
    today = now.date()
    home = card.home_library
    names = {"home": home.code, "host": host.code}
    reasons: list[tuple[str, str]] = []

    def add(code: str, **values: Any) -> None:
        reasons.append((code, reason_text(code, **values)))

    if card.status == CardStatus.REVOKED:
        add("revoked")
    elif card.status == CardStatus.SUSPENDED:
        add("suspended")
    elif card.status != CardStatus.ACTIVE or card.valid_until is None:
        add("not_issued")
    else:
        assert card.valid_from is not None
        if today < card.valid_from:
            add("not_yet_valid")
        if today > card.valid_until:
            add("expired", date=card.valid_until.isoformat())
    if home.pk == host.pk:
        return reasons, today
    # Agreements run on the network's calendar (see agreements.services), cards and visiting
    # hours on the host library's clock.
    if not is_service_allowed(Service.RECIPROCAL_ACCESS, home, host, local_today(None, at)):
        add("no_agreement", **names)
    if not _rules_admit(rules, home):
        add("not_listed", **names)
    if today.weekday() not in rules.weekdays:
        add("closed_day", **names)
    elif not rules.opens <= now.time() <= rules.closes:
        add(
            "outside_hours",
            opens=rules.opens.strftime("%H:%M"),
            closes=rules.closes.strftime("%H:%M"),
        )
    if rules.max_visits_per_month:
        done = Visit.objects.filter(
            card__holder=card.holder,
            host_library=host,
            date__year=today.year,
            date__month=today.month,
            status=VisitStatus.CHECKED_IN,
        ).exclude(date=today)
        if done.count() >= rules.max_visits_per_month:
            add("monthly_limit", count=rules.max_visits_per_month)
    if (
        rules.preregistration_required
        and not Visit.objects.filter(
            card__holder=card.holder,
            host_library=host,
            date=today,
            status__in=[VisitStatus.CONFIRMED, VisitStatus.CHECKED_IN],
        ).exists()
    ):
        add("no_preregistration", **names)
    return reasons, today


def find_card(number: str = "", token: str = "") -> tuple[MemberCard | None, list[tuple[str, str]]]:
    """The card a desk is shown: by its signed code (checked first) or its typed number."""
    if token:
        try:
            claims = signing.verify(token)
        except signing.TokenError as error:
            return None, [(error.code, reason_text(error.code))]
        card = (
            MemberCard.objects.select_related("home_library", "holder")
            .filter(number=claims.number)
            .first()
        )
        if card is None:
            return None, [("unknown_card", reason_text("unknown_card"))]
        if (
            claims.library != card.home_library.code
            or claims.valid_from != card.valid_from
            or (card.valid_until and claims.valid_until > card.valid_until)
        ):
            return card, [("mismatch", reason_text("mismatch"))]
        return card, []
    number = number.strip().upper()
    card = (
        MemberCard.objects.select_related("home_library", "holder").filter(number=number).first()
        if number
        else None
    )
    if card is None:
        return None, [("unknown_card", reason_text("unknown_card"))]
    return card, []


@transaction.atomic
def check_in(
    actor: permissions.Actor,
    host: Library,
    number: str = "",
    token: str = "",
    at: dt.datetime | None = None,
    record: bool = True,
) -> DeskResult:
    """Judge the card shown at the host's desk and, when it may be honoured, record the visit
    (once a day: showing the card again says it is already recorded)."""
    check_can_host(actor, host)
    card, problems = find_card(number, token)
    if card is None or problems:
        return DeskResult(valid=False, reasons=problems, card=card)
    reasons, today = judge_card(card, host, at)
    result = DeskResult(valid=not reasons, reasons=reasons, card=card, local_date=today)
    if record:
        # Two desks (or a desk sending its offline queue twice) scanning one card at once:
        # the second waits here and then sees the first's visit (PostgreSQL); the unique
        # constraint below catches what SQLite lets through.
        MemberCard.objects.select_for_update().filter(pk=card.pk).exists()
    visits = Visit.objects.filter(card__holder=card.holder, host_library=host, date=today)
    # The day's visit that counts: already checked in, else confirmed, else awaiting an answer.
    priority = [VisitStatus.CHECKED_IN, VisitStatus.CONFIRMED, VisitStatus.REQUESTED]
    todays = sorted(
        visits.filter(status__in=priority).prefetch_related("titles"),
        key=lambda visit: priority.index(VisitStatus(visit.status)),
    )
    result.visit = todays[0] if todays else None
    if not result.valid or not record:
        return result
    if result.visit and result.visit.status == VisitStatus.CHECKED_IN:
        result.already = True
        return result
    visit = result.visit or Visit(
        card=card,
        visitor=card.holder,
        home_library=card.home_library,
        host_library=host,
        date=today,
    )
    visit.status = VisitStatus.CHECKED_IN
    visit.checked_in_at = at or timezone.now()
    visit.checked_in_by = actor if isinstance(actor, User) else None
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        result.visit = visits.filter(status=VisitStatus.CHECKED_IN).first()
        result.already = True
        return result
    result.visit, result.recorded = visit, True
    return result


def desk_sync(
    actor: permissions.Actor, host: Library, at: dt.datetime | None = None
) -> dict[str, Any]:
    """All a desk page needs to judge cards while offline: keys, revocations, today's rules
    and the home libraries an agreement covers today."""
    check_can_host(actor, host)
    rules = rules_for(host)
    today = local_today(rules.time_zone, at)
    allowed = [
        lib.code
        for lib in Library.objects.filter(is_active=True)
        if lib.pk == host.pk
        or (
            is_service_allowed(Service.RECIPROCAL_ACCESS, lib, host, today)
            and _rules_admit(rules, lib)
        )
    ]
    return {
        "host": host.code,
        "date": today.isoformat(),
        "time_zone": rules.time_zone,
        "keys": signing.published_keys(),
        "revoked": revocation_list(actor)["cards"],
        "allowed_home_libraries": allowed,
        "weekdays": rules.weekdays,
        "opens": rules.opens.strftime("%H:%M"),
        "closes": rules.closes.strftime("%H:%M"),
        "messages": {
            code: reason_text(code)
            for code in ("malformed", "unknown_key", "forged", "revoked", "suspended")
        }
        | {
            "expired": reason_text("expired", date="{date}"),
            "not_yet_valid": reason_text("not_yet_valid"),
            "no_agreement": reason_text("no_agreement", home="{home}", host=host.code),
            "closed_day": reason_text("closed_day", host=host.code),
            "outside_hours": reason_text(
                "outside_hours",
                opens=rules.opens.strftime("%H:%M"),
                closes=rules.closes.strftime("%H:%M"),
            ),
        },
    }


# Statistics -----------------------------------------------------------------------------------


def visit_statistics(
    actor: permissions.Actor, start: dt.date, end: dt.date
) -> list[tuple[str, str, int]]:
    """Checked-in visits per pair (home library, host library) between two dates: the
    coordinator sees every pair, library staff the pairs their library is part of."""
    person = permissions._person(actor)
    if not (person and (person.is_library_staff or person.is_coordinator)):
        raise AccessDenied(_("Only library staff can read visitor statistics."))
    visits = Visit.objects.filter(status=VisitStatus.CHECKED_IN, date__gte=start, date__lte=end)
    if not person.is_coordinator:
        visits = visits.filter(Q(home_library=person.library) | Q(host_library=person.library))
    rows = (
        visits.values_list("home_library__code", "host_library__code")
        .annotate(count=Count("pk"))
        .order_by("host_library__code", "home_library__code")
    )
    return [(home, host, count) for home, host, count in rows]
