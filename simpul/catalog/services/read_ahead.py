"""Entry point of the process that reads a large catalogue file ahead of the import.

Kept free of Django imports at module level: a spawned process imports this module
before Django is set up, and only then may models be imported.
"""

from __future__ import annotations

from typing import Any


def run(
    path: str, source_format: str, library_code: str, size: int, language: str, out: Any
) -> None:
    """Put batches with the bytes read so far on `out`, then "done" or the error."""
    import django

    django.setup()
    from django.utils import translation

    from simpul.catalog.services import reading

    translation.activate(language)
    reading.read_into(out, path, source_format, library_code, size)


def run_pages(source_format: str, language: str, inbox: Any, out: Any) -> None:
    """Parse each page of harvested records taken from `inbox` onto `out`, in order."""
    import django

    django.setup()
    from django.utils import translation

    from simpul.catalog.services import reading

    translation.activate(language)
    reading.read_pages_into(inbox, out, source_format)
