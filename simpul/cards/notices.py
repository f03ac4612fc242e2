"""E-mails to the patron when their card or their visit changes, in the patron's language.

Queued once the change is committed, so a slow mail server never slows the desk and a
rolled-back change sends nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from simpul.accounts.models import User
from simpul.cards.models import MemberCard, Visit
from simpul.core.tasks import letter_to, queue_letter

CARD_EVENTS = ("issued", "refused", "suspended", "reinstated", "revoked", "renewed")


def _send(person: User | None, compose: Callable[[], tuple[str, list[str]]]) -> None:
    def with_pointer() -> tuple[str, list[str]]:
        subject, lines = compose()
        return subject, [*lines, _("See “Member card” and “My visits” in Simpul.")]

    if letter := letter_to(person, with_pointer):  # written now, sent once committed
        transaction.on_commit(lambda: queue_letter(letter))


def card_changed(card: MemberCard, event: str) -> None:
    """Tell the holder their card was issued, refused, suspended, reinstated, revoked or renewed."""
    if event not in CARD_EVENTS:
        raise ValueError(f"unknown card event {event!r}")

    def compose() -> tuple[str, list[str]]:
        subjects = {
            "issued": _("Your network member card is ready"),
            "refused": _("Your application for a network member card was refused"),
            "suspended": _("Your network member card is suspended"),
            "reinstated": _("Your network member card is valid again"),
            "revoked": _("Your network member card was revoked"),
            "renewed": _("Your network member card was renewed"),
        }
        lines = []
        if card.number and event in {"issued", "reinstated", "renewed"}:
            lines.append(_("Card number: %(number)s") % {"number": card.number})
        if card.valid_until and event in {"issued", "renewed"}:
            until = date_format(card.valid_until, "DATE_FORMAT")
            lines.append(_("Valid until: %(date)s") % {"date": until})
        if card.status_reason and event in {"refused", "suspended", "revoked"}:
            lines.append(_("Reason: %(reason)s") % {"reason": card.status_reason})
        return subjects[event], lines

    _send(card.holder, compose)


def visit_answered(visit: Visit) -> None:
    """Tell the visitor whether the host library expects them."""

    def compose() -> tuple[str, list[str]]:
        values = {
            "library": visit.host_library.display_name,
            "date": date_format(visit.date, "DATE_FORMAT"),
        }
        if visit.status == "confirmed":
            subject = _("Your visit to %(library)s on %(date)s is confirmed") % values
        else:
            subject = _("Your visit to %(library)s on %(date)s was refused") % values
        lines = [_("Message from the library: %(answer)s") % {"answer": visit.answer}]
        return subject, lines if visit.answer else []

    _send(visit.visitor, compose)
