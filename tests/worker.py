"""Run the background worker once, as `simpul worker` would beside the web server."""

from __future__ import annotations

import signal

from django.core.management import call_command

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def run_worker() -> None:
    """Run every queued task, then give the test process its own signal handlers back.

    django-tasks' worker installs handlers that exit with status 0 on SIGINT/SIGTERM; left in
    place, a later interrupt would end the test run looking like a success.
    """
    saved = {number: signal.getsignal(number) for number in SIGNALS}
    try:
        call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)
