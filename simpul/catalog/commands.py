"""The catalogue's command-line faces: `simpul import` and `simpul reindex [--reread]`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.utils.translation import gettext as _

from simpul.catalog.models import ImportJob, ImportMode, JobStatus
from simpul.catalog.services import imports, indexing, rereading
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
        print(f"{name}: {imports.report_message(job)}")
        print(
            _("%(rate).0f records a second.")
            % {"rate": job.records_seen / seconds if seconds else 0}
        )
        print_record_reports(job)
        if job.status != JobStatus.SUCCEEDED or job.failed:
            worst = 1
    return worst


def print_record_reports(job: ImportJob) -> None:
    """The first records that could not be imported (on stderr) and that were imported
    with repairs, each with its position and identifier; the page lists them all."""
    for problem in job.problems.all()[:MAX_PROBLEMS_SHOWN]:
        where = f"#{problem.position}" + (f" ({problem.local_id})" if problem.local_id else "")
        print(f"  {where}: {problem.reason}", file=sys.stderr)
    hidden = job.problems.count() - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        print(_("  … and %(count)d more.") % {"count": hidden}, file=sys.stderr)
    for repair in job.repairs.all()[:MAX_PROBLEMS_SHOWN]:
        print(f"  #{repair.position} ({repair.local_id}): {repair.note}")
    if job.repaired > MAX_PROBLEMS_SHOWN:
        print(_("  … and %(count)d more.") % {"count": job.repaired - MAX_PROBLEMS_SHOWN})


def reindex(*, reread: bool = False, library_code: str = "", everything: bool = False) -> int:
    """Rebuild the search index; with `reread`, read the stored records again first.
    Exit code 1 when a record could not be read again (it is kept as it was)."""
    if (library_code or everything) and not reread:
        print(_("--library and --all need --reread."), file=sys.stderr)
        return 2
    started = time.monotonic()
    worst = 0
    if reread:
        try:
            report = rereading.reread_records(
                library_code, everything=everything, progress=_reread_progress
            )
        except InvalidInput as error:
            print(error.message, file=sys.stderr)
            return 1
        if sys.stderr.isatty():
            print(file=sys.stderr)  # end the progress line
        print(
            _(
                "%(read)d records read again: %(changed)d changed, %(failed)d could not be "
                "read (kept as they were)."
            )
            % {"read": report.read, "changed": report.changed, "failed": len(report.failed)}
        )
        for problem in report.failed[:MAX_PROBLEMS_SHOWN]:
            print(f"  {problem.library_code} {problem.local_id}: {problem.reason}", file=sys.stderr)
        hidden = len(report.failed) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            print(_("  … and %(count)d more.") % {"count": hidden}, file=sys.stderr)
        worst = 1 if report.failed else 0
        if library_code:
            return worst  # the changed titles were re-indexed as they were written
    count = indexing.rebuild_index()
    print(
        _("Search index rebuilt: %(count)d titles in %(seconds).1f s.")
        % {"count": count, "seconds": time.monotonic() - started}
    )
    return worst


def _reread_progress(report: rereading.RereadReport) -> None:
    if sys.stderr.isatty():
        print(
            _("%(read)d records read again, %(changed)d changed…")
            % {"read": report.read, "changed": report.changed},
            end="\r",
            file=sys.stderr,
        )
