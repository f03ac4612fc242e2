"""`simpul harvest`: harvest a library's sources now, from the command line."""

from __future__ import annotations

import sys
import time

from django.utils.translation import gettext as _

from simpul.catalog.commands import print_record_reports
from simpul.catalog.models import JobStatus
from simpul.catalog.services import imports
from simpul.core.errors import InvalidInput
from simpul.harvest import services, ucs
from simpul.harvest.models import HarvestSource, RunMode, UcsNode
from simpul.network.models import Library


def harvest_library(
    code: str, *, source_id: int | None = None, full: bool = False, identifier: str = ""
) -> int:
    """Exit code 0 when every harvest finished without failed records, else 1."""
    library = Library.objects.filter(code=code.upper()).first()
    if library is None:
        print(_("No member library has the code %(code)s.") % {"code": code}, file=sys.stderr)
        return 1
    sources = HarvestSource.objects.filter(library=library)
    if source_id is not None:
        sources = sources.filter(pk=source_id)
    else:
        sources = sources.filter(enabled=True)
    if identifier and source_id is None:
        print(_("--identifier needs --source: say which source it comes from."), file=sys.stderr)
        return 1
    if not sources.exists():
        print(
            _("%(code)s has no harvest source to harvest; register one on its harvesting page.")
            % {"code": library.code},
            file=sys.stderr,
        )
        return 1
    worst = 0
    for source in sources:
        started = time.monotonic()
        run = services.harvest(source, RunMode.FULL if full else "", identifier=identifier)
        job = run.job
        seconds = time.monotonic() - started
        print(f"{source.name} ({run.get_mode_display()}): {imports.report_message(job)}")
        print(
            _("%(pages)d pages, %(rate).0f records a second.")
            % {"pages": run.pages, "rate": job.records_seen / seconds if seconds else 0}
        )
        for repair in run.repairs:
            print(f"  {repair}")
        print_record_reports(job)
        if job.status != JobStatus.SUCCEEDED or job.failed:
            worst = 1
    return worst


def ucs_node(code: str, node_id: str, *, name: str = "", renew: bool = False) -> int:
    """Register a SLiMS node for a library (or give it a new password) and print what its
    SLiMS needs; for IT staff setting up many libraries at once."""
    library = Library.objects.filter(code=code.upper()).first()
    if library is None:
        print(_("No member library has the code %(code)s.") % {"code": code}, file=sys.stderr)
        return 1
    try:
        if renew:
            node = UcsNode.objects.filter(library=library, node_id=node_id).first()
            if node is None:
                print(
                    _("%(code)s has no SLiMS node %(id)s.") % {"code": library.code, "id": node_id},
                    file=sys.stderr,
                )
                return 1
            secret = ucs.renew_password(None, node)
        else:
            node, secret = ucs.register_node(None, library, node_id, name)
    except InvalidInput as exc:
        print(" ".join(exc.messages), file=sys.stderr)
        return 1
    print(_("Server ID: %(id)s") % {"id": node.node_id})
    print(_("Server password: %(password)s") % {"password": secret})
    print(_("Write the password down now: Simpul keeps only a fingerprint of it."))
    return 0
