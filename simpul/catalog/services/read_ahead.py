"""Entry points of a long import's helper processes: one reads the file (or the harvested
pages) ahead of the writing, one keeps the search index following what was written.

Kept free of Django imports at module level: a spawned process imports this module
before Django is set up, and only then may models be imported.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from simpul.core import garbage  # Django-free


def _set_up(language: str | None = None) -> None:
    """Django, in the job's language, and the collector for a process that lives one job."""
    import django

    django.setup()
    garbage.tune_for_bulk_work()
    if language:
        from django.utils import translation

        translation.activate(language)


def parent_gone() -> bool:
    """Whether the process that started this helper was killed: a helper then ends."""
    parent = multiprocessing.parent_process()
    return parent is not None and not parent.is_alive()


def run(
    path: str,
    source_format: str,
    library_code: str,
    size: int,
    language: str,
    holders_from: str | None,
    out: Any,
) -> None:
    """Put batches with the bytes read so far on `out`, then "done" or the error; with the
    holders of their records' keys read from the database file `holders_from`, if given."""
    _set_up(language)
    from simpul.catalog.services import reading

    reading.read_into(out, path, source_format, library_code, size, holders_from)


def run_pages(
    source_format: str, language: str, holders_from: str | None, inbox: Any, out: Any
) -> None:
    """Parse each page of harvested records taken from `inbox` onto `out`, in order."""
    _set_up(language)
    from simpul.catalog.services import reading

    reading.read_pages_into(inbox, out, source_format, holders_from)


def follow_log(database_name: str, index_dir: str, changes: int, stop: Any) -> None:
    """Apply the search change log as the importing process writes it, until `stop` is set.

    The database and index are the importing process's own (a test's differ from what
    the environment names).
    """
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database_name
    settings.SEARCH_INDEX_DIR = index_dir
    _set_up()
    from simpul.catalog.services import index_follower

    index_follower.follow(stop, changes)
