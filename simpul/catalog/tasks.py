"""Background jobs of the union catalogue; `simpul worker` runs them."""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from simpul.catalog.models import ImportJob, JobStatus
from simpul.catalog.services import imports

logger = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> str:
    """Import an uploaded file; a crash marks the job failed instead of leaving it running.

    Each batch is its own transaction, so a failure leaves whole batches written and
    running the job again completes it (unchanged records are skipped)."""
    job = ImportJob.objects.select_related("library").get(pk=job_id)
    try:
        # The report (summary, problems, repairs) in the language of the page it was sent from.
        with translation.override(job.language or None):
            job = imports.run_import_job(job)
    except Exception:
        logger.exception("import job %s failed", job_id)
        job.status = JobStatus.FAILED
        job.message = _(
            "The import stopped because of an internal error; what was imported so far is "
            "kept. Upload the file again to complete it, or ask your IT staff to look at the "
            "worker's log."
        )
        job.save(update_fields=["status", "message"])
        raise
    return str(job.status)
