"""Interlibrary loan and copy requests (pinjam antar perpustakaan, sistem salin).

A request's life follows ISO 18626: the requesting library's review comes first (local
states), then the supplying library answers with ISO statuses. Every change is an
`IllMessage`, so the history is complete and can be sent to another node as ISO 18626.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    LOAN = "loan", _("Loan")
    COPY = "copy", _("Copy")


class Status(models.TextChoices):
    # Local review at the patron's home library, before the request goes out.
    SUBMITTED = "submitted", _("Awaiting review by the home library")
    INFO_REQUESTED = "info_requested", _("More information needed from the patron")
    REJECTED = "rejected", _("Rejected by the home library")
    # ISO 18626 supplier statuses (and the requester's own steps while on loan).
    REQUEST_RECEIVED = "RequestReceived", _("Sent to a lending library")
    EXPECT_TO_SUPPLY = "ExpectToSupply", _("Lender expects to supply")
    CONDITIONAL = "Conditional", _("Lender will supply on conditions")
    WILL_SUPPLY = "WillSupply", _("Lender will supply")
    LOANED = "Loaned", _("Shipped by the lender")
    RECEIVED = "Received", _("Received at the home library")
    RENEW_PENDING = "RenewPending", _("Renewal asked")
    OVERDUE = "Overdue", _("Overdue")
    RECALLED = "Recalled", _("Recalled by the lender")
    RETURN_SHIPPED = "ShippedReturn", _("Return shipped")
    LOAN_COMPLETED = "LoanCompleted", _("Loan completed")
    COPY_COMPLETED = "CopyCompleted", _("Copy delivered")
    COMPLETED_WITHOUT_RETURN = "CompletedWithoutReturn", _("Closed: item lost")
    UNFILLED = "Unfilled", _("Unfilled")
    CANCELLED = "Cancelled", _("Cancelled")


CLOSED_STATUSES = frozenset(
    {
        Status.REJECTED,
        Status.LOAN_COMPLETED,
        Status.COPY_COMPLETED,
        Status.COMPLETED_WITHOUT_RETURN,
        Status.UNFILLED,
        Status.CANCELLED,
    }
)
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES


class ReasonUnfilled(models.TextChoices):
    """ISO 18626 ReasonUnfilled codes a lender gives when it cannot supply."""

    NOT_HELD = "NotHeld", _("Not held")
    NOT_AVAILABLE = "NotAvailableForILL", _("Not available for interlibrary loan")
    NOT_ON_SHELF = "NotOnShelf", _("Not on the shelf")
    IN_USE = "InUse", _("In use or on loan")
    POOR_CONDITION = "PoorCondition", _("Too fragile or in poor condition")
    POLICY = "PolicyProblem", _("Against our lending policy")
    COPYRIGHT = "CopyrightProblem", _("Copyright does not allow it")
    NO_ANSWER = "NoAnswer", _("No answer within the time limit")


class Audience(models.TextChoices):
    ALL = "all", _("All member libraries")
    LISTED = "listed", _("Listed member libraries only")


class FeePayer(models.TextChoices):
    FREE = "free", _("Free of charge")
    LIBRARY = "library", _("The requesting library pays")
    PATRON = "patron", _("The patron pays")


class LendingPolicy(models.Model):
    """What a library lends or copies for others, to whom, for how long and at what cost."""

    library = models.OneToOneField(
        "network.Library", on_delete=models.CASCADE, related_name="lending_policy"
    )
    offers_loans = models.BooleanField(_("lends items"), default=True)
    offers_copies = models.BooleanField(_("supplies copies"), default=True)
    audience = models.CharField(
        _("lends to"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    listed_libraries = models.ManyToManyField(
        "network.Library", blank=True, related_name="+", verbose_name=_("listed libraries")
    )
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=21)
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer a request before it moves on"), default=3
    )
    max_open_per_patron = models.PositiveSmallIntegerField(
        _("open requests per patron (as home library)"), default=5
    )
    max_open_per_library = models.PositiveSmallIntegerField(
        _("open requests per borrowing library (as lender)"), default=50
    )
    loan_fee = models.DecimalField(
        _("fee per loan (Rp)"), max_digits=10, decimal_places=0, default=0
    )
    copy_fee = models.DecimalField(
        _("fee per copy (Rp)"), max_digits=10, decimal_places=0, default=0
    )
    fee_payer = models.CharField(
        _("who pays"), max_length=10, choices=FeePayer.choices, default=FeePayer.FREE
    )
    local_patrons_only_for_loans = models.BooleanField(
        _("no loans for patrons living outside the borrowing library's city"), default=False
    )
    notes = models.TextField(_("other conditions"), blank=True)

    class Meta:
        verbose_name = _("lending policy")
        verbose_name_plural = _("lending policies")

    def __str__(self) -> str:
        return f"{self.library_id}"


class LendingClosure(models.Model):
    """A period when a library takes no requests (stocktaking, holidays)."""

    library = models.ForeignKey("network.Library", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.library_id} {self.starts_on}..{self.ends_on}"


class IllRequest(models.Model):
    """One patron's (or staff's) request for a loan or a copy, from request to return."""

    service = models.CharField(_("service"), max_length=10, choices=ServiceType.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(default=0)
    requesting_library = models.ForeignKey(
        "network.Library", on_delete=models.PROTECT, related_name="ill_requests_made"
    )
    supplier = models.ForeignKey(
        "network.Library",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ill_requests_received",
    )
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ill_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        "catalog.Cluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=1000)
    author = models.CharField(_("author"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    year = models.CharField(_("year"), max_length=20, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    issn = models.CharField(_("ISSN"), max_length=20, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    article_title = models.CharField(_("article or chapter"), max_length=1000, blank=True)
    pages = models.CharField(_("pages"), max_length=100, blank=True)
    copyright_accepted_at = models.DateTimeField(null=True, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    patron_note = models.TextField(_("note from the patron"), blank=True)
    conditions = models.TextField(_("lender's conditions"), blank=True)
    fee = models.DecimalField(_("fee (Rp)"), max_digits=10, decimal_places=0, default=0)
    fee_payer = models.CharField(
        _("who pays"), max_length=10, choices=FeePayer.choices, default=FeePayer.FREE
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    overdue_reminded_on = models.DateField(null=True, blank=True)
    answer_by = models.DateTimeField(null=True, blank=True)
    reason_unfilled = models.CharField(max_length=30, blank=True, choices=ReasonUnfilled.choices)
    remote_peer = models.ForeignKey(
        "ill.IsoPeer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interlibrary request")
        verbose_name_plural = _("interlibrary requests")
        indexes = [
            models.Index(fields=["requesting_library", "status"]),
            models.Index(fields=["supplier", "status"]),
            models.Index(fields=["status", "answer_by"]),
            models.Index(fields=["patron", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title[:60]}"

    @property
    def number(self) -> str:
        return f"ILL-{self.pk:06d}" if self.pk else "ILL-new"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Side(models.TextChoices):
    REQUESTER = "requester", _("Requesting library")
    SUPPLIER = "supplier", _("Supplying library")
    PATRON = "patron", _("Patron")
    SYSTEM = "system", _("Simpul")


class IllMessage(models.Model):
    """One step in a request's life: who did what, when, and the status it left behind."""

    request = models.ForeignKey(IllRequest, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    library = models.ForeignKey(
        "network.Library", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=30, blank=True, choices=Status.choices)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} → {self.to_status}"


class Outcome(models.TextChoices):
    WAITING = "waiting", _("Waiting its turn")
    ASKED = "asked", _("Asked")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("Did not answer in time")
    SUPPLYING = "supplying", _("Supplying")
    SKIPPED = "skipped", _("Skipped")


class RotaEntry(models.Model):
    """A candidate lender for a request, in the order they are asked."""

    request = models.ForeignKey(IllRequest, on_delete=models.CASCADE, related_name="rota")
    library = models.ForeignKey("network.Library", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    available = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "library"], name="ill_rota_unique_library")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.library_id} {self.outcome}"


def copy_storage() -> FileSystemStorage:
    """Scanned copies live outside the public media folder; only their link serves them."""
    return FileSystemStorage(location=settings.ILL_COPY_DIR)


def new_download_token() -> str:
    return secrets.token_urlsafe(24)


class CopyDelivery(models.Model):
    """A scanned copy for the patron: a secret link that expires and wears out."""

    request = models.OneToOneField(IllRequest, on_delete=models.CASCADE, related_name="delivery")
    file = models.FileField(upload_to="copies/", storage=copy_storage, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_download_token)
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveSmallIntegerField(default=5)
    downloads = models.PositiveSmallIntegerField(default=0)
    sent_otherwise = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"copy for {self.request_id}"


class IsoPeer(models.Model):
    """Another ISO 18626 system (e.g. another Simpul node) we exchange requests with."""

    name = models.CharField(_("name"), max_length=200)
    agency_id = models.CharField(_("agency identifier"), max_length=50, unique=True)
    endpoint = models.URLField(_("ISO 18626 address"))
    library = models.OneToOneField(
        "network.Library",
        on_delete=models.CASCADE,
        related_name="iso_peer",
        help_text=_("The library that stands for this system in our network."),
    )

    class Meta:
        verbose_name = _("ISO 18626 partner")
        verbose_name_plural = _("ISO 18626 partners")

    def __str__(self) -> str:
        return self.name
