"""Background jobs shared by every app; `simpul worker` runs them."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail; a page queues it so that a slow mail server never slows it.

    Returns how many messages went out (0 or 1). A failure is recorded on the job with
    the mail server's error, and the worker goes on with the next job.
    """
    return send_mail(subject, body, None, recipients, fail_silently=False)
