"""Background jobs shared by every app; `simpul worker` runs them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail; a page queues it so that a slow mail server never slows it.

    Returns how many messages went out (0 or 1). A failure is recorded on the job with
    the mail server's error, and the worker goes on with the next job.
    """
    return send_mail(subject, body, None, recipients, fail_silently=False)


Letter = tuple[str, str, list[str]]  # subject, body, recipients


def letter_to(person: Any, compose: Callable[[], tuple[str, list[str]]]) -> Letter | None:
    """An e-mail to a person, written by `compose` (subject and lines) in the person's own
    language; None when they have no address."""
    if person is None or not person.email:
        return None
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        subject, lines = compose()
    return subject, "\n".join(lines), [person.email]


def queue_letter(letter: Letter) -> None:
    """Hand the e-mail to the worker; a queue that cannot take it is logged, not raised."""
    try:
        send_email.enqueue(*letter)
    except Exception:
        logger.exception("could not queue the e-mail to %s", letter[2])
