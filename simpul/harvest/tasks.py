"""Background jobs of harvesting; `simpul worker` runs them and queues the scheduled ones."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django.utils.translation import gettext as _
from django_tasks import task

from simpul.catalog.models import JobStatus
from simpul.harvest import services
from simpul.harvest.models import HarvestRun

logger = logging.getLogger(__name__)
SCHEDULE_CHECK_SECONDS = 60


@task()
def harvest_source(run_id: int) -> str:
    """Run one queued harvest; a crash marks it failed instead of leaving it running."""
    run = HarvestRun.objects.select_related("source__library", "job__library").get(pk=run_id)
    try:
        run = services.run_harvest(run)
    except Exception:
        logger.exception("harvest %s failed", run_id)
        run.job.status = JobStatus.FAILED
        run.job.message = _(
            "The harvest stopped because of an internal error; what was harvested so far is "
            "kept and the next harvest completes it. Ask your IT staff to look at the "
            "worker's log."
        )
        run.job.save(update_fields=["status", "message"])
        raise
    return str(run.job.status)


def start_scheduler(stop: threading.Event) -> threading.Thread:
    """A thread beside the worker that queues due harvests every minute."""

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                services.enqueue_due()
            except Exception:
                logger.exception("queueing scheduled harvests failed")
            finally:
                close_old_connections()
            stop.wait(SCHEDULE_CHECK_SECONDS)

    thread = threading.Thread(target=loop, name="harvest-scheduler", daemon=True)
    thread.start()
    return thread
