"""Today's date for embargoes, which tests and demonstrations may move (REPOSITORY_TODAY)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    moved = getattr(settings, "REPOSITORY_TODAY", "")
    if moved:
        return moved if isinstance(moved, dt.date) else dt.date.fromisoformat(str(moved))
    return timezone.localdate()
