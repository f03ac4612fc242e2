"""The catalogue's command-line faces: `simpul import` and `simpul reindex`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.utils.translation import gettext as _

from simpul.catalog.models import ImportMode, JobStatus
from simpul.catalog.services import imports, indexing
from simpul.core.errors import InvalidInput
from simpul.network.models import Library

MAX_PROBLEMS_SHOWN = 20


def import_files(code: str, files: list[str], *, replace: bool, fmt: str | None) -> int:
    """Import each file in turn; exit code 1 when a file was refused or had bad records."""
    library = Library.objects.filter(code=code.upper()).first()
    if library is None:
        print(_("No member library has the code %(code)s.") % {"code": code}, file=sys.stderr)
        return 1
    worst = 0
    for name in files:
        path = Path(name)
        if not path.is_file():
            print(_("%(file)s: no such file.") % {"file": name}, file=sys.stderr)
            worst = 1
            continue
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                job = imports.create_import_job(
                    None,
                    library,
                    handle,
                    path.name,
                    mode=ImportMode.REPLACE if replace else ImportMode.UPDATE,
                    source_format=fmt or "",
                )
        except InvalidInput as exc:
            print(f"{name}: {' '.join(exc.messages)}", file=sys.stderr)
            worst = 1
            continue
        job = imports.run_import_job(job)
        seconds = time.monotonic() - started
        print(f"{name}: {job.message}")
        print(
            _("%(rate).0f records a second.")
            % {"rate": job.records_seen / seconds if seconds else 0}
        )
        for problem in job.problems.all()[:MAX_PROBLEMS_SHOWN]:
            where = f"#{problem.position}" + (f" ({problem.local_id})" if problem.local_id else "")
            print(f"  {where}: {problem.reason}", file=sys.stderr)
        hidden = job.problems.count() - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            print(_("  … and %(count)d more.") % {"count": hidden}, file=sys.stderr)
        if job.status != JobStatus.SUCCEEDED or job.failed:
            worst = 1
    return worst


def reindex() -> int:
    started = time.monotonic()
    count = indexing.rebuild_index()
    print(
        _("Search index rebuilt: %(count)d titles in %(seconds).1f s.")
        % {"count": count, "seconds": time.monotonic() - started}
    )
    return 0
