"""The union catalogue: members' records as received, their holdings, and the clusters
patrons see. Everything but `Record.raw` is derived and can be rebuilt (`simpul reindex`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simpul.catalog.bibliographic import (
    SOURCE_FORMAT_LABELS,
    ItemStatus,
    MaterialType,
)


class ImportMode(models.TextChoices):
    UPDATE = "update", _("Add and update (keep records missing from the file)")
    REPLACE = "replace", _("Full export: withdraw records missing from the file")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One file (or harvest page run) being brought into the catalogue for one library."""

    library = models.ForeignKey(
        "network.Library", on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    source_format = models.CharField(
        _("format"),
        max_length=20,
        choices=[(f.value, label) for f, label in SOURCE_FORMAT_LABELS.items()],
        blank=True,
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=ImportMode.choices, default=ImportMode.UPDATE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    records_seen = models.PositiveIntegerField(_("records read"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    repaired = models.PositiveIntegerField(_("imported with repairs"), default=0)
    message = models.TextField(_("message"), blank=True)
    # The page language of whoever started it: its report is worded in that language.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.library_id}: {self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.bytes_read / self.total_bytes))


class ImportProblem(models.Model):
    """A record that could not be imported, with where it was and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveIntegerField(_("record number"))
    local_id = models.CharField(_("identifier"), max_length=255, blank=True)
    byte_offset = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"#{self.position}: {self.reason[:60]}"


class ImportRepair(models.Model):
    """A record that was imported after its reader fixed or left out something in it (an
    ISBN with a wrong check digit, a garbled encoding, a language it cannot name): the
    librarian learns what to correct in their own system."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="repairs")
    position = models.PositiveIntegerField(_("record number"))
    local_id = models.CharField(_("identifier"), max_length=255)
    note = models.TextField(_("what was repaired"))

    class Meta:
        verbose_name = _("import repair")
        verbose_name_plural = _("import repairs")
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"#{self.position}: {self.note[:60]}"


class Cluster(models.Model):
    """One manifestation as patrons see it: every member's record of the same edition."""

    best_record = models.ForeignKey(
        "catalog.Record", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=1000, blank=True)
    sort_title = models.CharField(max_length=200, blank=True, db_index=True)
    year = models.IntegerField(_("year"), null=True, blank=True)
    material_type = models.CharField(
        _("format"), max_length=20, choices=[(m.value, m.name) for m in MaterialType], blank=True
    )
    work_key = models.CharField(max_length=200, blank=True, db_index=True)
    record_count = models.PositiveIntegerField(default=0)
    library_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("title cluster")
        verbose_name_plural = _("title clusters")
        # OAI-PMH lists titles in datestamp order and resumes after a (datestamp, id) pair.
        indexes = [models.Index(fields=["updated_at", "id"], name="cluster_datestamp")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.title[:80]}"


class DeletedCluster(models.Model):
    """A title that left the catalogue, kept so harvesters learn of it (OAI-PMH deletions)."""

    cluster_id = models.BigIntegerField(unique=True)
    material_type = models.CharField(max_length=20, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["deleted_at", "cluster_id"], name="deleted_cluster_datestamp")
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} (deleted {self.deleted_at:%Y-%m-%d})"


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("In the catalogue")
    WITHDRAWN = "withdrawn", _("Withdrawn by the library")
    DELETED = "deleted", _("Deleted at the source")


class Record(models.Model):
    """One member library's description of one item, kept verbatim in `raw`."""

    # No index of its own: the unique (library, origin, local_id) and (library, status) lead
    # with it, and every index costs a write per record in a million-record import.
    library = models.ForeignKey(
        "network.Library", on_delete=models.PROTECT, related_name="records", db_index=False
    )
    origin = models.CharField(
        max_length=40,
        default="file",
        help_text="Where identifiers come from: 'file' for imports, 'oai:<source>' for harvests.",
    )
    local_id = models.CharField(_("identifier"), max_length=255)
    source_format = models.CharField(
        _("source format"),
        max_length=20,
        choices=[(f.value, label) for f, label in SOURCE_FORMAT_LABELS.items()],
    )
    raw = models.BinaryField()
    raw_hash = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    title = models.CharField(_("title"), max_length=1000)
    subtitle = models.CharField(_("subtitle"), max_length=1000, blank=True)
    responsibility = models.CharField(max_length=1000, blank=True)
    uniform_title = models.CharField(_("uniform title"), max_length=1000, blank=True)
    variant_titles = models.JSONField(_("other titles"), default=list)
    # Which version of the readers derived the columns (`readers.READER_VERSION`).
    reader_version = models.PositiveSmallIntegerField(default=1, editable=False)
    authors = models.JSONField(_("authors"), default=list)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    place = models.CharField(_("place of publication"), max_length=255, blank=True)
    year = models.IntegerField(_("year"), null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=255, blank=True)
    extent = models.CharField(_("extent"), max_length=255, blank=True)
    isbns = models.JSONField(default=list)
    issns = models.JSONField(default=list)
    doi = models.CharField(max_length=255, blank=True)
    lccn = models.CharField(max_length=40, blank=True)
    oclc = models.CharField(max_length=40, blank=True)
    languages = models.JSONField(default=list)
    material_type = models.CharField(
        _("format"), max_length=20, choices=[(m.value, m.name) for m in MaterialType]
    )
    subjects = models.JSONField(default=list)
    series = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    urls = models.JSONField(default=list)
    repairs = models.JSONField(default=list)
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    match_reasons = models.JSONField(default=list)
    # The matcher's normalised view of the record (`matching.stored_form`), so that a record
    # compared with newcomers is not normalised again each time; derived, remade when stale.
    match_form = models.BinaryField(default=b"", editable=False)
    last_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL)
    first_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "origin", "local_id"], name="record_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["library", "status"])]

    def __str__(self) -> str:
        return f"{self.library_id}/{self.local_id}: {self.title[:60]}"


class Holding(models.Model):
    """A copy of a record's item at a library, with where it stands and whether it can be had."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="holdings")
    library = models.ForeignKey(  # indexed by (library, status)
        "network.Library", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    call_number = models.CharField(_("call number"), max_length=255, blank=True)
    status = models.CharField(
        _("availability"),
        max_length=20,
        choices=[(s.value, s.name) for s in ItemStatus],
        default=ItemStatus.UNKNOWN,
    )
    barcode = models.CharField(_("barcode"), max_length=100, blank=True)
    url = models.URLField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        indexes = [models.Index(fields=["library", "status"])]

    def __str__(self) -> str:
        return f"{self.library_id} {self.call_number} ({self.status})"


class RecordKey(models.Model):
    """An exact identifier or blocking key of a record, for finding candidate duplicates fast."""

    # Indexed by the unique (record, key), which leads with it: a record has a dozen keys.
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="keys", db_index=False
    )
    key = models.CharField(max_length=200)
    # The record's cluster, written with the key: finding the clusters that hold a key reads
    # one index instead of visiting every holding record's row.
    cluster_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["key", "cluster_id"], name="catalog_recordkey_key_cluster")]
        constraints = [models.UniqueConstraint(fields=["record", "key"], name="record_key_unique")]

    def __str__(self) -> str:
        return self.key


class Decision(models.TextChoices):
    SAME = "same", _("Same edition: keep together")
    DIFFERENT = "different", _("Different: keep apart")


class ClusterDecision(models.Model):
    """A librarian's merge or split, keyed by library and identifier so it survives re-imports."""

    library_a = models.ForeignKey("network.Library", on_delete=models.CASCADE, related_name="+")
    local_id_a = models.CharField(max_length=255)
    library_b = models.ForeignKey("network.Library", on_delete=models.CASCADE, related_name="+")
    local_id_b = models.CharField(max_length=255)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clustering decision")
        verbose_name_plural = _("clustering decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["library_a", "local_id_a", "library_b", "local_id_b"],
                name="cluster_decision_unique_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_id_a} {self.decision} {self.local_id_b}"


class SearchChange(models.Model):
    """Ordered log of clusters whose search entry must be rewritten (or removed)."""

    cluster_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["cluster_id"])]

    def __str__(self) -> str:
        return f"{self.pk}: cluster {self.cluster_id}"
