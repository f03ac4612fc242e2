"""Background jobs of the repository: the scheduled fixity audit."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, transaction
from django_tasks import task

from simpul.repository import catalogue, fixity
from simpul.repository.models import FixityRun

logger = logging.getLogger(__name__)
SCHEDULE_CHECK_SECONDS = 300


@task()
def fixity_audit(run_id: int) -> int:
    """Run a queued fixity audit; returns how many files failed."""
    run = FixityRun.objects.get(pk=run_id)
    return len(fixity.run_audit(run=run).failures)


def enqueue_due() -> bool:
    """Queue an audit when the last one is older than REPOSITORY_FIXITY_INTERVAL_HOURS,
    and open in the catalogue the items whose embargo ended."""
    catalogue.open_ended_embargoes()
    with transaction.atomic():
        if not fixity.audit_due():
            return False
        run = FixityRun.objects.create(trigger="schedule")
    fixity_audit.enqueue(run.pk)
    return True


def start_scheduler(stop: threading.Event) -> threading.Thread:
    """A thread beside the worker that queues the fixity audit when it is due."""

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                enqueue_due()
            except Exception:
                logger.exception("queueing the fixity audit failed")
            finally:
                close_old_connections()
            stop.wait(SCHEDULE_CHECK_SECONDS)

    thread = threading.Thread(target=loop, name="fixity-scheduler", daemon=True)
    thread.start()
    return thread
