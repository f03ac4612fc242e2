"""Where a member library's records are harvested from, and what each harvest did.

A harvest's counters and per-record problems live on its `catalog.ImportJob`, the same
as a file import's, so the catalogue's import pages and API show harvests too.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    OAI_PMH = "oai", _("OAI-PMH")
    SLIMS_MODS = "slims_mods", _("SLiMS MODS search (index.php?resultXML=true)")


class MetadataPrefix(models.TextChoices):
    OAI_DC = "oai_dc", _("Dublin Core (oai_dc)")
    MARC21 = "marc21", _("MARC 21 in XML (marc21)")
    MARCXML = "marcxml", _("MARCXML (marcxml)")
    MODS = "mods", _("MODS (mods)")


class Schedule(models.TextChoices):
    MANUAL = "manual", _("Only when asked")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")


SCHEDULE_INTERVALS = {Schedule.DAILY: timedelta(days=1), Schedule.WEEKLY: timedelta(days=7)}


class Quirk(models.TextChoices):
    """Habits of real endpoints the harvester works around; recorded per source."""

    NO_INCREMENTAL = (
        "no_incremental",
        _("Changes are not reported by date: every harvest reads the whole list"),
    )
    NO_DELETIONS = (
        "no_deletions",
        _("Deletions are not reported: vanished records are found by a full harvest"),
    )
    IGNORES_SETS = "ignores_sets", _("Sets are ignored by the endpoint")
    OFFSET_TOKENS = (
        "offset_tokens",
        _("Resumption tokens are offsets: records added during a harvest shift the pages"),
    )
    STRAY_TEXT = "stray_text", _("Pages start with stray text before the XML")
    WRONG_CHARSET = "wrong_charset", _("The declared character set is not the one used")
    INPUT_DATESTAMPS = (
        "input_datestamps",
        _("Datestamps are the date a record was entered, so edits are missed by date"),
    )


class HarvestSource(models.Model):
    """An endpoint a member library's records are collected from."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.CASCADE, related_name="harvest_sources"
    )
    name = models.CharField(_("name"), max_length=200)
    route = models.CharField(_("kind"), max_length=20, choices=Route.choices, default=Route.OAI_PMH)
    base_url = models.URLField(_("base URL"), max_length=500)
    metadata_prefix = models.CharField(
        _("metadata format"),
        max_length=20,
        choices=MetadataPrefix.choices,
        default=MetadataPrefix.OAI_DC,
    )
    set_spec = models.CharField(_("set"), max_length=200, blank=True)
    schedule = models.CharField(
        _("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.DAILY
    )
    full_every_days = models.PositiveIntegerField(
        _("full harvest every (days)"),
        default=7,
        help_text=_(
            "A full harvest finds records changed or deleted without the endpoint saying so. "
            "0: never on schedule."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    quirks = models.JSONField(_("quirks"), default=list, blank=True)
    repository_name = models.CharField(max_length=300, blank=True)
    granularity = models.CharField(max_length=30, blank=True)
    deleted_record = models.CharField(max_length=20, blank=True)
    harvested_until = models.DateTimeField(
        null=True, blank=True, help_text="Server time at which the last complete harvest began."
    )
    last_full_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["library__code", "name"]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.name}"

    @property
    def origin(self) -> str:
        """How this source's records are told apart from a file's or another source's:
        SLiMS calls its records `oai:slims/1` on every installation."""
        return f"oai:{self.pk}"

    def quirk_labels(self) -> list[str]:
        return [str(Quirk(code).label) for code in self.quirks if code in Quirk.values]


class RunMode(models.TextChoices):
    INCREMENTAL = "incremental", _("Changes since the last harvest")
    FULL = "full", _("Full harvest")
    SELECTIVE = "selective", _("Selected records")


class HarvestRun(models.Model):
    """One harvest of one source."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    job = models.OneToOneField(
        "catalog.ImportJob", on_delete=models.CASCADE, related_name="harvest_run"
    )
    mode = models.CharField(_("mode"), max_length=12, choices=RunMode.choices)
    from_date = models.DateTimeField(_("changes since"), null=True, blank=True)
    identifier = models.CharField(_("record identifier"), max_length=500, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    repairs = models.JSONField(default=list, blank=True)
    response_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("harvest")
        verbose_name_plural = _("harvests")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.mode} ({self.job.status})"

    @property
    def duration(self) -> timedelta | None:
        if self.job.started_at and self.job.finished_at:
            return self.job.finished_at - self.job.started_at
        return None


class UcsNode(models.Model):
    """A SLiMS installation that pushes its records to Simpul as to a Union Catalog Server
    (SLiMS's own "UCS" feature): the node's ID and password, as set in its SLiMS."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.CASCADE, related_name="ucs_nodes"
    )
    node_id = models.CharField(_("node ID"), max_length=36, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    password = models.CharField(max_length=128)  # a Django password hash of the secret
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_push_at = models.DateTimeField(_("last push"), null=True, blank=True)
    records_received = models.PositiveIntegerField(_("records received"), default=0)

    class Meta:
        verbose_name = _("SLiMS UCS node")
        verbose_name_plural = _("SLiMS UCS nodes")
        ordering = ["library__code", "node_id"]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.node_id}"

    @property
    def origin(self) -> str:
        """Its records' identifiers are SLiMS biblio_ids, counted from 1 on every node. By
        the node's ID, so a node removed and registered again finds its records again."""
        return f"ucs:{self.node_id}"

    def import_name(self, day: date | None = None) -> str:
        """The name of its pushes' import of a day; without a day, what all names begin with."""
        return f"SLiMS UCS {self.node_id} {day.isoformat() if day else ''}"


class UcsRefusedPush(models.Model):
    """A push whose node ID or password was wrong, kept briefly: checking a password costs
    a deliberately slow hash, so an address that keeps failing is answered without one."""

    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    node_id = models.CharField(max_length=36, blank=True)
    refused_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("refused UCS push")
        verbose_name_plural = _("refused UCS pushes")

    def __str__(self) -> str:
        return f"{self.node_id} @ {self.refused_at:%Y-%m-%d %H:%M}"
