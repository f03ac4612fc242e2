"""The interlibrary loan worker's rounds: silent lenders are passed over, loans past due
become overdue, expired copies are deleted, and old closed requests lose personal data."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django_tasks import task

from simpul.ill import services

logger = logging.getLogger(__name__)
ROUND_SECONDS = 300


@task()
def ill_round() -> dict[str, int]:
    """One round of every time-driven step; safe to run at any time and more than once."""
    return {
        "moved_on": services.move_on_unanswered(),
        "overdue": services.mark_overdue(),
        "overdue_reminders": services.remind_overdue(),
        "copies_deleted": services.expire_copies(),
        "anonymised": services.forget_patrons(),
    }


def start_scheduler(stop: threading.Event) -> threading.Thread:
    """A thread beside the worker that runs a round every five minutes."""

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                ill_round.call()
            except Exception:
                logger.exception("the interlibrary loan round failed")
            finally:
                close_old_connections()
            stop.wait(ROUND_SECONDS)

    thread = threading.Thread(target=loop, name="ill-rounds", daemon=True)
    thread.start()
    return thread


@task()
def send_iso_message(peer_id: int, payload: str) -> str:
    """Deliver one ISO 18626 message to a partner; a refusal fails the job with its reason."""
    from simpul.ill import exchange
    from simpul.ill.models import IsoPeer

    peer = IsoPeer.objects.get(pk=peer_id)
    confirmation = exchange.send(peer, payload.encode())
    return confirmation.message_status
