"""Background jobs of agreements: once a day the worker marks ended agreements expired and
sends the reminders due; both are safe to run again (nothing is done twice)."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django_tasks import task

from simpul.agreements import services

logger = logging.getLogger(__name__)
SCHEDULE_CHECK_SECONDS = 3600


@task()
def check_agreements() -> str:
    """Expire the agreements whose end date has passed, then send due expiry reminders."""
    expired = services.expire_ended()
    reminded = services.send_reminders()
    return f"{expired} expired, {reminded} reminded"


def enqueue_check() -> None:
    check_agreements.enqueue()


def start_scheduler(stop: threading.Event) -> threading.Thread:
    """A thread beside the worker that queues the agreements check every hour (the check
    itself decides what is due, so the hour it runs at does not matter)."""

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                enqueue_check()
            except Exception:
                logger.exception("queueing the agreements check failed")
            finally:
                close_old_connections()
            stop.wait(SCHEDULE_CHECK_SECONDS)

    thread = threading.Thread(target=loop, name="agreements-scheduler", daemon=True)
    thread.start()
    return thread
