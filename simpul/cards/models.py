"""Network member cards (kartu anggota bersama), host libraries' visit rules and visits.

A card belongs to a patron and is issued by their home library. What the QR code carries is
not stored: it is signed afresh from the card each time it is shown (see signing.py), so a
renewed card or a rotated key never leaves a stale token in the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INDONESIAN_TIME_ZONES = [
    ("Asia/Jakarta", _("WIB (Western Indonesia, UTC+7)")),
    ("Asia/Makassar", _("WITA (Central Indonesia, UTC+8)")),
    ("Asia/Jayapura", _("WIT (Eastern Indonesia, UTC+9)")),
]


class CardPolicy(models.Model):
    """The network's rules for cards (one row): validity and automatic issue."""

    auto_issue = models.BooleanField(
        _("issue automatically to verified patrons"),
        default=False,
        help_text=_(
            "A patron whose home library has recorded their member number gets the card at once."
        ),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("card rules of the network")
        verbose_name_plural = _("card rules of the network")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> CardPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class CardStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, awaiting the home library")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    REFUSED = "refused", _("Application refused")


class MemberCard(models.Model):
    """A patron's network card, valid at every host library an agreement opens to them."""

    number = models.CharField(_("card number"), max_length=30, unique=True, null=True, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="member_cards",
    )
    home_library = models.ForeignKey(
        "network.Library",
        verbose_name=_("home library"),
        on_delete=models.PROTECT,
        related_name="member_cards",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CardStatus.choices, default=CardStatus.APPLIED
    )
    holder_name = models.CharField(_("name on the card"), max_length=150)
    photo = models.BinaryField(_("photo"), blank=True, default=b"")
    applicant_note = models.TextField(_("note from the applicant"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        ordering = ["-applied_at"]

    def __str__(self) -> str:
        return self.number or f"({self.get_status_display()}) {self.holder_name}"

    def is_expired(self, on_date: dt.date) -> bool:
        return self.valid_until is not None and on_date > self.valid_until


class Audience(models.TextChoices):
    ALL = "all", _("Patrons of every member library")
    LISTED = "listed", _("Patrons of the libraries listed below only")


class VisitRules(models.Model):
    """What a host library offers visitors from other members, and on which terms."""

    library = models.OneToOneField(
        "network.Library", on_delete=models.CASCADE, related_name="visit_rules"
    )
    audience = models.CharField(
        _("who may visit"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    listed_libraries = models.ManyToManyField(
        "network.Library", verbose_name=_("listed libraries"), blank=True, related_name="+"
    )
    weekdays = models.JSONField(_("visiting days"), default=list)
    opens = models.TimeField(_("visitors from"), default=dt.time(8))
    closes = models.TimeField(_("visitors until"), default=dt.time(16))
    time_zone = models.CharField(
        _("time zone"), max_length=40, choices=INDONESIAN_TIME_ZONES, default="Asia/Jakarta"
    )
    reading_on_site = models.BooleanField(_("reading on site"), default=True)
    borrowing = models.BooleanField(_("borrowing"), default=False)
    copying = models.BooleanField(_("copying"), default=False)
    computer_use = models.BooleanField(_("computer use"), default=False)
    max_visits_per_month = models.PositiveSmallIntegerField(
        _("maximum visits per month"),
        default=0,
        help_text=_("Per visitor; 0 means no limit."),
    )
    preregistration_required = models.BooleanField(_("pre-registration required"), default=False)
    preregistration_days = models.PositiveSmallIntegerField(
        _("register at least this many days ahead"),
        default=1,
        validators=[MaxValueValidator(60)],
    )
    notes = models.TextField(_("notes for visitors"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visit rules")
        verbose_name_plural = _("visit rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="visit_rules_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.library_id}"

    @property
    def weekday_names(self) -> list[str]:
        from simpul.network.models import Weekday

        return [str(Weekday(day).label) for day in sorted(self.weekdays)]

    @property
    def services(self) -> list[str]:
        labels = {
            "reading_on_site": _("reading on site"),
            "borrowing": _("borrowing"),
            "copying": _("copying"),
            "computer_use": _("computer use"),
        }
        return [str(label) for name, label in labels.items() if getattr(self, name)]


DEFAULT_WEEKDAYS = [0, 1, 2, 3, 4]


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the host library")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Visited")


class Visit(models.Model):
    """A visit to a host library: pre-registered ("lapor dulu") or recorded at the desk."""

    card = models.ForeignKey(MemberCard, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visits"
    )
    home_library = models.ForeignKey(
        "network.Library", on_delete=models.PROTECT, related_name="visits_made"
    )
    host_library = models.ForeignKey(
        "network.Library",
        verbose_name=_("host library"),
        on_delete=models.PROTECT,
        related_name="visits_received",
    )
    date = models.DateField(_("date"), db_index=True)
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    titles = models.ManyToManyField(
        "catalog.Cluster", verbose_name=_("titles to consult"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    pre_registered = models.BooleanField(default=False)
    answer = models.CharField(_("answer from the host library"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["date", "created_at"]
        constraints = [
            # One recorded visit per card, host and day, however many desks scan it at once.
            models.UniqueConstraint(
                fields=["card", "host_library", "date"],
                condition=models.Q(status="checked_in"),
                name="one_check_in_per_card_host_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.card} → {self.host_library_id} {self.date}"
