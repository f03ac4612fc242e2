"""`simpul fixity`, `simpul audit verify|export` and `simpul repository export`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.utils.translation import gettext as _

from simpul.repository import audit, fixity


def run_fixity() -> int:
    """Exit code 0 when every stored file is intact, 1 when one is damaged or missing."""
    run = fixity.run_audit(trigger="command")
    print(
        _("%(files)d files checked, %(size)d bytes read, %(problems)d problems.")
        % {"files": run.files_checked, "size": run.bytes_read, "problems": len(run.failures)}
    )
    for failure in run.failures:
        print(
            _("item %(item)s, %(name)s (%(path)s): %(problem)s")
            % {
                "item": failure["item"],
                "name": failure["name"],
                "path": failure["storage_name"],
                "problem": failure["problem"],
            },
            file=sys.stderr,
        )
    return 1 if run.failures else 0


def verify_audit_trail() -> int:
    report = audit.verify_chain()
    if report.ok:
        print(
            _("The audit trail is intact: %(count)d entries verified.") % {"count": report.entries}
        )
        return 0
    print(
        _("The audit trail has been changed: %(count)d problems found.")
        % {"count": len(report.problems)},
        file=sys.stderr,
    )
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def export_audit_trail(path: str, fmt: str) -> int:
    lines = audit.export_csv() if fmt == "csv" else audit.export_jsonl()
    target = sys.stdout if path == "-" else Path(path).open("w", encoding="utf-8", newline="")
    try:
        for line in lines:
            target.write(line)
    finally:
        if target is not sys.stdout:
            target.close()
    return 0


def export_bag(item_id: int, folder: str) -> int:
    from simpul.repository import bags
    from simpul.repository.models import Item

    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        print(_("No repository item has the number %(id)s.") % {"id": item_id}, file=sys.stderr)
        return 1
    path = bags.export_bag(item, Path(folder))
    print(_("BagIt package written to %(path)s.") % {"path": path})
    return 0
