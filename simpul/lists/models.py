"""Serials lists: which member library subscribes to which journal, and the uploads that
changed them. (New titles need no table: they are read from the catalogue's records.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SerialFormat(models.TextChoices):
    PRINT = "print", _("Print")
    ONLINE = "online", _("Online")
    PRINT_ONLINE = "print_online", _("Print and online")


class Subscription(models.Model):
    """One journal a library subscribes to (or keeps), with the years it holds."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.CASCADE, related_name="serial_subscriptions"
    )
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    sort_title = models.CharField(max_length=200, db_index=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    coverage_from = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    coverage_to = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, help_text=_("Empty: still subscribed.")
    )
    format = models.CharField(
        _("format"), max_length=15, choices=SerialFormat.choices, default=SerialFormat.PRINT
    )
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    # What a merge upload matches rows on: the ISSN, or the normalised title when there is none.
    match_key = models.CharField(max_length=220)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("serial subscription")
        verbose_name_plural = _("serial subscriptions")
        ordering = ["sort_title", "library__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "match_key", "format"], name="subscription_unique_per_library"
            )
        ]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.title[:60]} ({self.issn or '-'})"

    @property
    def coverage(self) -> str:
        """From-to years for display ("1998-2020", "1998-" while still subscribed) or ""."""
        if self.coverage_from is None and self.coverage_to is None:
            return ""
        start = str(self.coverage_from or "")
        end = str(self.coverage_to or "")
        return f"{start}\u2013{end}"


class UploadMode(models.TextChoices):
    MERGE = "merge", _("Merge: add and update, keep journals missing from the file")
    REPLACE = "replace", _("Replace: the file is our whole list")


class SerialsUpload(models.Model):
    """One upload of a library's serials list, applied or refused, with its row errors."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.CASCADE, related_name="serials_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    mode = models.CharField(_("mode"), max_length=10, choices=UploadMode.choices)
    applied = models.BooleanField(_("applied"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    errors = models.JSONField(_("errors"), default=list)  # [{"row", "column", "message"}]
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("serials list upload")
        verbose_name_plural = _("serials list uploads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.file_name} ({'applied' if self.applied else 'refused'})"
