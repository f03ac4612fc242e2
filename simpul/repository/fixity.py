"""The fixity audit: every stored file re-read from storage, its size and SHA-256
compared with what was recorded at ingest. A missing or changed file is reported to the
coordinator by e-mail and written to the audit trail of its item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from simpul.accounts.models import Role, User
from simpul.repository import audit, ingest
from simpul.repository.models import FixityRun, Item, StoredFile

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
DEFAULT_INTERVAL = dt.timedelta(days=1)


def _check(stored: StoredFile) -> tuple[str, int]:
    """('', bytes read) when intact, else a problem in words."""
    storage = ingest.repository_storage()
    digest = hashlib.sha256()
    size = 0
    try:
        with storage.open(stored.storage_name, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except Exception as error:  # each storage backend has its own errors (S3: botocore's)
        if isinstance(error, FileNotFoundError) or not _exists(stored.storage_name):
            return _("missing from storage"), 0
        return _("cannot be read: %(error)s") % {"error": str(error)[:200]}, size
    if size != stored.size:
        return (
            _("size changed: %(found)d bytes instead of %(expected)d")
            % {"found": size, "expected": stored.size}
        ), size
    if digest.hexdigest() != stored.sha256:
        return _("content changed: the SHA-256 checksum does not match"), size
    return "", size


def _exists(name: str) -> bool:
    try:
        return bool(ingest.repository_storage().exists(name))
    except Exception:
        return False


def run_audit(
    trigger: str = "schedule",
    progress: Callable[[int], None] | None = None,
    run: FixityRun | None = None,
) -> FixityRun:
    """Check every stored file (superseded ones too: they are kept for preservation)."""
    run = run or FixityRun.objects.create(trigger=trigger)
    failures: list[dict[str, object]] = []
    now = timezone.now()
    ok_ids: list[int] = []
    for stored in StoredFile.objects.order_by("pk").iterator(chunk_size=1000):
        problem, size = _check(stored)
        run.files_checked += 1
        run.bytes_read += size
        if problem:
            failures.append(
                {
                    "file": stored.pk,
                    "item": stored.item_id,
                    "name": stored.original_name,
                    "storage_name": stored.storage_name,
                    "problem": problem,
                }
            )
            StoredFile.objects.filter(pk=stored.pk).update(last_checked_at=now, fixity_ok=False)
        else:
            ok_ids.append(stored.pk)
            if len(ok_ids) >= 1000:
                StoredFile.objects.filter(pk__in=ok_ids).update(last_checked_at=now, fixity_ok=True)
                ok_ids.clear()
        if progress:
            progress(run.files_checked)
    StoredFile.objects.filter(pk__in=ok_ids).update(last_checked_at=now, fixity_ok=True)
    run.failures = failures
    run.finished_at = timezone.now()
    run.save()
    items = {item.pk: item for item in Item.objects.filter(pk__in={f["item"] for f in failures})}
    for failure in failures:
        audit.record(
            "fixity_failed",
            items.get(int(str(failure["item"]))),
            "fixity audit",
            file=failure["file"],
            name=failure["name"],
            problem=failure["problem"],
            run=run.pk,
        )
    audit.record(
        "fixity_audit",
        None,
        "fixity audit",
        run=run.pk,
        files=run.files_checked,
        problems=len(failures),
    )
    if failures:
        report_failures(run)
    return run


def coordinator_emails() -> list[str]:
    return sorted(
        set(
            User.objects.filter(role=Role.COORDINATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def report_failures(run: FixityRun) -> int:
    recipients = coordinator_emails()
    if not recipients:
        logger.error(
            "fixity audit %s found %d problems and no coordinator has an e-mail",
            run.pk,
            len(run.failures),
        )
        return 0
    lines = [
        _("The repository's fixity audit of %(when)s found %(count)d damaged or missing files:")
        % {"when": run.started_at.strftime("%Y-%m-%d %H:%M UTC"), "count": len(run.failures)},
        "",
    ]
    for failure in run.failures:
        lines.append(
            _("- item %(item)s, file %(name)s (%(path)s): %(problem)s")
            % {
                "item": failure["item"],
                "name": failure["name"],
                "path": failure["storage_name"],
                "problem": failure["problem"],
            }
        )
    lines += [
        "",
        _(
            "Restore these files from a backup or a BagIt export, then run `simpul fixity` "
            "again. See docs/repository.md."
        ),
    ]
    return send_mail(
        _("Repository fixity audit: %(count)d files damaged or missing")
        % {"count": len(run.failures)},
        "\n".join(lines),
        None,
        recipients,
        fail_silently=False,
    )


def audit_due(now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    interval = dt.timedelta(hours=float(getattr(settings, "REPOSITORY_FIXITY_INTERVAL_HOURS", 24)))
    last = FixityRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    return last is None or now - last >= interval
