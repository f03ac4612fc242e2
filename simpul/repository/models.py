"""The shared repository: deposited items, their stored files, fixity audits, the audit
trail, download counts and the written policies.

Stored files are never changed in place: a correction adds a new file and marks the old
one superseded, so every file that was ever published can still be audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    SKRIPSI = "skripsi", _("Undergraduate thesis (skripsi)")
    THESIS = "thesis", _("Master's thesis (tesis)")
    DISSERTATION = "dissertation", _("Dissertation (disertasi)")
    FINAL_PROJECT = "final_project", _("Final project (tugas akhir)")
    ARTICLE = "article", _("Article")
    REPORT = "report", _("Research report")
    BOOK_CHAPTER = "book_chapter", _("Book chapter")
    DATASET = "dataset", _("Dataset")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY)")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA)")
    CC_BY_ND = "CC-BY-ND-4.0", _("Creative Commons Attribution-NoDerivatives 4.0 (CC BY-ND)")
    CC_BY_NC = "CC-BY-NC-4.0", _("Creative Commons Attribution-NonCommercial 4.0 (CC BY-NC)")
    CC_BY_NC_SA = (
        "CC-BY-NC-SA-4.0",
        _("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 (CC BY-NC-SA)"),
    )
    CC_BY_NC_ND = (
        "CC-BY-NC-ND-4.0",
        _("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 (CC BY-NC-ND)"),
    )
    CC0 = "CC0-1.0", _("Public domain dedication (CC0)")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")


LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class AccessLevel(models.TextChoices):
    OPEN = "open", _("Open access")
    EMBARGOED = "embargoed", _("Embargoed until a date")
    METADATA_ONLY = "metadata_only", _("Description only (files not available)")
    NETWORK_ONLY = "network_only", _("Members of the network only")


class ItemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    RETURNED = "returned", _("Returned to the depositor with comments")
    REVIEWED = "reviewed", _("Reviewed, ready to publish")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Language(models.TextChoices):
    INDONESIAN = "ind", _("Indonesian")
    ENGLISH = "eng", _("English")
    JAVANESE = "jav", _("Javanese")
    SUNDANESE = "sun", _("Sundanese")
    ARABIC = "ara", _("Arabic")
    OTHER = "und", _("Other")


class DepositPolicy(models.Model):
    """What a member library allows in the shared repository."""

    library = models.OneToOneField(
        "network.Library", on_delete=models.CASCADE, related_name="deposit_policy"
    )
    authors_may_deposit = models.BooleanField(
        _("authors may deposit their own work"),
        default=False,
        help_text=_("Patrons of this library may submit items; librarians still review them."),
    )

    class Meta:
        verbose_name = _("deposit policy")
        verbose_name_plural = _("deposit policies")

    def __str__(self) -> str:
        return f"{self.library_id}: authors {'may' if self.authors_may_deposit else 'may not'}"


class Item(models.Model):
    """One deposited work, described in Dublin Core with the fields Indonesian campuses use."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.PROTECT, related_name="repository_items"
    )
    item_type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    title = models.CharField(_("title"), max_length=1000)
    authors = models.JSONField(_("authors"), default=list)  # [{"name", "identifier"}]
    advisors = models.JSONField(_("advisors"), default=list)  # [{"name", "identifier"}]
    faculty = models.CharField(_("faculty"), max_length=255, blank=True)
    programme = models.CharField(_("study programme"), max_length=255, blank=True)
    year = models.PositiveIntegerField(_("year"))
    abstract_id = models.TextField(_("abstract (Indonesian)"))
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list)
    language = models.CharField(
        _("language"), max_length=3, choices=Language.choices, default=Language.INDONESIAN
    )
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices)
    access_level = models.CharField(
        _("access"), max_length=20, choices=AccessLevel.choices, default=AccessLevel.OPEN
    )
    embargo_until = models.DateField(_("embargo until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.SUBMITTED
    )
    review_comment = models.TextField(_("reviewer's comments"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    full_text = models.TextField(blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    catalogue_record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("deposited"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("repository item")
        verbose_name_plural = _("repository items")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["library", "status"])]

    def __str__(self) -> str:
        return f"{self.pk}: {self.title[:80]}"

    @property
    def author_names(self) -> list[str]:
        return [person["name"] for person in self.authors if person.get("name")]

    @property
    def advisor_names(self) -> list[str]:
        return [person["name"] for person in self.advisors if person.get("name")]

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(Licence(self.licence), "") if self.licence else ""

    def live_files(self) -> models.QuerySet[StoredFile]:
        return self.files.filter(superseded_at__isnull=True).order_by("pk")


class ItemVersion(models.Model):
    """The description and files of a published item as they were before a correction."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    metadata = models.JSONField()
    file_ids = models.JSONField(default=list)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class StoredFile(models.Model):
    """A file as it was received: its size, detected type and SHA-256 are what fixity checks."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="files")
    original_name = models.CharField(_("file name"), max_length=255)
    storage_name = models.CharField(max_length=500, unique=True)
    size = models.BigIntegerField(_("size"))
    mime_type = models.CharField(_("type"), max_length=150)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last fixity check"), null=True, blank=True)
    fixity_ok = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.original_name}"

    @property
    def is_pdf(self) -> bool:
        return self.mime_type == "application/pdf"


class FixityRun(models.Model):
    """One audit of every stored file: re-read, re-hashed and compared with ingest."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    files_checked = models.PositiveIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    failures = models.JSONField(default=list)  # [{"file", "item", "name", "problem"}]
    trigger = models.CharField(max_length=20, default="schedule")

    class Meta:
        verbose_name = _("fixity audit")
        verbose_name_plural = _("fixity audits")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}: {len(self.failures)} problems"

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and not self.failures


class AuditHead(models.Model):
    """The end of the audit chain; its row is locked while an entry is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.last_sequence}: {self.last_hash[:12]}"


class AuditEntry(models.Model):
    """One action in the repository; each entry carries the hash of the one before it."""

    sequence = models.PositiveBigIntegerField(unique=True)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=40)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"))
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.item_id or ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit entries are never deleted")


class DownloadEvent(models.Model):
    """A file served to someone; `counted` is False for robots and repeated clicks."""

    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="downloads")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="downloads")
    library = models.ForeignKey("network.Library", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    month = models.DateField()
    client_key = models.CharField(max_length=64)
    counted = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["item", "counted"]),
            models.Index(fields=["library", "month"]),
            models.Index(fields=["file", "client_key", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.file_id} {self.at:%Y-%m-%d %H:%M}"


class PolicyKind(models.TextChoices):
    COLLECTION = "collection", _("Collection policy")
    SUBMISSION = "submission", _("Submission policy")
    PRESERVATION = "preservation", _("Preservation policy")
    PRIVACY = "privacy", _("Privacy policy")


class PolicyPage(models.Model):
    """A written policy of the repository, in both languages, kept by the coordinator."""

    kind = models.CharField(max_length=20, choices=PolicyKind.choices, unique=True)
    body_id = models.TextField(_("text (Indonesian)"))
    body_en = models.TextField(_("text (English)"))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("policy page")
        verbose_name_plural = _("policy pages")

    def __str__(self) -> str:
        return self.kind


class Platform(models.TextChoices):
    DSPACE = "dspace", "DSpace"
    EPRINTS = "eprints", "EPrints"
    SLIMS = "slims", "SLiMS"
    OJS = "ojs", "OJS"
    OTHER = "other", _("Other")


class MemberRepository(models.Model):
    """A member's own institutional repository, harvested over OAI-PMH: its records are
    shown with the format "repository" and link to the full text at the source."""

    source = models.OneToOneField(
        "harvest.HarvestSource", on_delete=models.CASCADE, related_name="member_repository"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("member repository")
        verbose_name_plural = _("member repositories")

    def __str__(self) -> str:
        return f"{self.source} ({self.platform})"
