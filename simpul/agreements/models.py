"""Written agreements (perjanjian kerja sama) between member libraries and partners.

An MoU (nota kesepahaman) states the cooperation between its parties; an MoA (perjanjian
kerja sama) or implementation agreement (IA) under it settles a service between some of
them. A service between two libraries is switched on only while an active agreement that
names the service has both as parties (see `services.is_service_allowed`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

END_BEFORE_START = _("The end date is before the start date.")


class Service(models.TextChoices):
    """The services an agreement may cover; ILL, member cards and the repository ask by these."""

    ILL_LOAN = "ill_loan", _("Interlibrary loan")
    ILL_COPY = "ill_copy", _("Document delivery (copies)")
    RECIPROCAL_ACCESS = "reciprocal_access", _("Reciprocal access (silang layan)")
    REPOSITORY_DEPOSIT = "repository_deposit", _("Repository deposit")
    COOPERATIVE_ACQUISITION = "cooperative_acquisition", _("Cooperative acquisition")
    KNOWLEDGE_SHARING = "knowledge_sharing", _("Knowledge sharing")


class Kind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding (MoU)")
    MOA = "moa", _("Memorandum of agreement (MoA)")
    IA = "ia", _("Implementation agreement (IA)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Agreement(models.Model):
    """One signed (or still draft) agreement; its dates are calendar dates in the network's
    time zone (settings.TIME_ZONE)."""

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.MOU)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(
        _("agreement number"),
        max_length=100,
        blank=True,
        help_text=_("The number written on the signed document, e.g. 012/PKS/FPPTI/2026."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("under the MoU"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": Kind.MOU},
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave empty for no end date.")
    )
    background = models.TextField(_("background and aims"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    division_of_work = models.TextField(_("division of work"), blank=True)
    financing = models.TextField(_("financing of services"), blank=True)
    implementation = models.TextField(_("method of implementation"), blank=True)
    signed_document = models.FileField(
        _("signed document (PDF)"), upload_to="agreements/%Y/", blank=True
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="agreement_ends_after_it_starts",
                violation_error_message=END_BEFORE_START,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": END_BEFORE_START})

    def in_force_on(self, on_date: dt.date) -> bool:
        """The same test as `services.agreements_in_force`, for one agreement in hand."""
        own = (
            self.status == Status.ACTIVE
            and self.start_date <= on_date
            and (self.end_date is None or self.end_date >= on_date)
        )
        return own and (self.parent is None or self.parent.in_force_on(on_date))

    @property
    def lapsed_with_its_mou(self) -> bool:
        """Active by its own status, yet switching nothing on because its MoU is not in force
        today: a list that said only "Active" would mislead the reader."""
        if self.status != Status.ACTIVE or self.parent is None:
            return False
        return not self.parent.in_force_on(timezone.localdate())

    @property
    def service_list(self) -> list[CoveredService]:
        """The services covered, in the order of `Service` (uses a prefetch when there is one)."""
        order = {code: index for index, code in enumerate(Service.values)}
        return sorted(self.services.all(), key=lambda covered: order.get(covered.service, 99))

    @property
    def service_codes(self) -> list[str]:
        return [covered.service for covered in self.service_list]


class CoveredService(models.Model):
    """A service an agreement switches on between its parties."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)

    class Meta:
        verbose_name = _("service covered")
        verbose_name_plural = _("services covered")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service"], name="service_once_per_agreement"
            )
        ]

    def __str__(self) -> str:
        return self.get_service_display()


class Party(models.Model):
    """A party to an agreement: a library of the directory, or an outside partner named here
    (a bank's or embassy's reading corner, a publisher) that has no entry in the directory."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    partner_name = models.CharField(
        _("outside partner"),
        max_length=200,
        blank=True,
        help_text=_("For a partner that is not in the library directory."),
    )
    signatory = models.CharField(_("signed by"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    rights_and_obligations = models.TextField(_("rights and obligations"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "library"],
                condition=models.Q(library__isnull=False),
                name="library_once_per_agreement",
            ),
            models.CheckConstraint(
                condition=models.Q(library__isnull=False) | ~models.Q(partner_name=""),
                name="party_is_library_or_named_partner",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.library.display_name if self.library_id else self.partner_name  # type: ignore[union-attr]


class Change(models.Model):
    """One change to an agreement, kept as its history: who, when, what was before and after."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=40)
    fields = models.JSONField(_("fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.action} @ {self.changed_at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder sent before an agreement ends; one per agreement, end date and threshold,
    so a re-run sends nothing twice and an extended agreement is reminded afresh."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    end_date = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "end_date", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} -{self.days_before}d"
