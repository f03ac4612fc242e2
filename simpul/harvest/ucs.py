"""SLiMS's Union Catalog Server protocol, received: a SLiMS library contributes to the union
catalogue with the "UCS" feature it already has, and no new software.

SLiMS posts a JSON body to `{server address}/ucs.php`, or, with its default server
version 2, to `/ucpoll.php` (records) and `/uc-ops.php` (deletions):

    {"node_info": {"id": "slims-node", "password": "…", "name": "…", …},
     "node_data": {"12": {"biblio_id": "12", "title": …}, …}}           # up to 50 records
    {"node_info": {…}, "node_data": {"operation": "delete", "biblio": "12,13"}}

and shows the librarian the `message` of the JSON it gets back. The node's ID and
password are registered here by the library's staff; the records join the library's
catalogue as an import of the day (one per node and day), so the import page reports
every record that could not be read or was repaired.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import ImportJob, ImportMode, JobStatus
from simpul.catalog.readers.slims_ucs import MAX_BODY_BYTES, read_document
from simpul.catalog.services import imports, indexing
from simpul.core.errors import InvalidInput
from simpul.harvest.models import UcsNode, UcsRefusedPush
from simpul.harvest.services import check_can_manage_sources
from simpul.network import permissions
from simpul.network.models import Library

NODE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")
MAX_RECORDS = 200  # SLiMS sends at most 50; more is not SLiMS
PROBLEMS_TOLD = 5
# Refused pushes from one address within the sign-in window before the address is answered
# without a password check. A node set up with a wrong password fails once per upload its
# librarian starts, so this is far above what a mistake produces.
REFUSALS_PER_ADDRESS = 20


def register_node(
    actor: permissions.Actor | None, library: Library, node_id: str, name: str
) -> tuple[UcsNode, str]:
    """A new node and its password, shown once: the library's SLiMS is set up with both.
    `actor` None: an operator at the command line."""
    if actor is not None:
        check_can_manage_sources(actor, library)
    node_id = node_id.strip()
    if not NODE_ID.fullmatch(node_id):
        raise InvalidInput(
            {"node_id": _("Use letters, digits, dots, hyphens and underscores (at most 36).")}
        )
    secret = new_secret()
    try:
        with transaction.atomic():
            node = UcsNode.objects.create(
                library=library,
                node_id=node_id,
                name=name.strip()[:200],
                password=make_password(secret),
            )
    except IntegrityError:
        raise InvalidInput(
            {"node_id": _("Another node already has the ID %(id)s.") % {"id": node_id}}
        ) from None
    return node, secret


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def renew_password(actor: permissions.Actor | None, node: UcsNode) -> str:
    if actor is not None:
        check_can_manage_sources(actor, node.library)
    secret = new_secret()
    node.password = make_password(secret)
    node.save(update_fields=["password"])
    return secret


def remove_node(actor: permissions.Actor, node: UcsNode) -> None:
    """The node can push no more; the records it brought stay in the catalogue."""
    check_can_manage_sources(actor, node.library)
    node.delete()


def receive(body: bytes, address: str | None = None) -> dict[str, str]:
    """Answer one push from `address`: what SLiMS shows its librarian (`status`, `message`)."""
    if len(body) > MAX_BODY_BYTES:
        return _answer(
            "INVALID_DATA", _("The request is larger than 16 MB; send fewer records at once.")
        )
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _answer("INVALID_DATA", _("Simpul could not read the request: it is not JSON."))
    if not isinstance(document, dict) or not isinstance(document.get("node_info"), dict):
        return _answer("INVALID_DATA", _("The request names no node (node_info)."))
    if _refused_too_often(address):
        return _answer(
            "UNAUTHORIZED",
            _(
                "Too many pushes from this address had a wrong node ID or password. Wait "
                "%(minutes)d minutes, then check the UCS settings of this SLiMS against the "
                "node registered on Simpul's harvesting page."
            )
            % {"minutes": settings.LOGIN_WINDOW_MINUTES},
        )
    node = _authenticated(document["node_info"])
    if node is None:
        _refuse(address, document["node_info"])
        return _answer(
            "UNAUTHORIZED",
            _(
                "Simpul does not know this node ID and password. Check the UCS settings of "
                "this SLiMS against the node registered on Simpul's harvesting page."
            ),
        )
    data = document.get("node_data")
    if isinstance(data, dict) and data.get("operation") == "delete":
        return _delete(node, data.get("biblio"))
    if not data:
        return _answer("NO_DATA", _("The request holds no records."))
    return _upload(node, document)


def _answer(status: str, message: str) -> dict[str, str]:
    return {"status": status, "message": message}


def _refused_too_often(address: str | None) -> bool:
    if not address:
        return False
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_WINDOW_MINUTES)
    refused = UcsRefusedPush.objects.filter(ip_address=address, refused_at__gte=since)
    return refused.count() >= REFUSALS_PER_ADDRESS


def _refuse(address: str | None, info: dict[str, Any]) -> None:
    UcsRefusedPush.objects.filter(refused_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    UcsRefusedPush.objects.create(ip_address=address, node_id=str(info.get("id") or "")[:36])


def _authenticated(info: dict[str, Any]) -> UcsNode | None:
    node_id, password = str(info.get("id") or ""), str(info.get("password") or "")
    node = UcsNode.objects.select_related("library").filter(node_id=node_id, enabled=True).first()
    if node is None:
        make_password(password)  # as slow as a check, so a guess cannot tell IDs apart
        return None
    return node if check_password(password, node.password) else None


def _job_of_today(node: UcsNode) -> ImportJob:
    """One import a day per node, so the library's import page lists its pushes by day."""
    name = node.import_name(timezone.localdate())
    job = ImportJob.objects.filter(library=node.library, file_name=name).order_by("pk").last()
    if job is None:
        job = ImportJob.objects.create(
            library=node.library,
            file_name=name,
            source_format=SourceFormat.SLIMS_UCS.value,
            mode=ImportMode.UPDATE,
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
        )
    return job


def _apply(node: UcsNode, items: list[BibRecord | RecordProblem]) -> dict[str, int]:
    """Write a push into the node's import of the day; what this push counted."""
    job = _job_of_today(node)
    before = {name: getattr(job, name) for name in imports.JOB_COUNTS}
    imports.apply_batch(job, items, imports.JobMemory(), node.origin, repeats_allowed=True)
    indexing.apply_search_changes()
    job.status = JobStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.message = imports.summary_text(job)
    job.save()
    node.last_push_at = job.finished_at
    node.records_received += job.records_seen - before["records_seen"]
    node.save(update_fields=["last_push_at", "records_received"])
    return {name: getattr(job, name) - before[name] for name in imports.JOB_COUNTS}


def _upload(node: UcsNode, document: dict[str, Any]) -> dict[str, str]:
    items = list(read_document(document, node.library.code))
    if len(items) > MAX_RECORDS:
        return _answer(
            "INVALID_DATA",
            _("The request holds %(count)d records; send at most %(most)d at once.")
            % {"count": len(items), "most": MAX_RECORDS},
        )
    pushed = _apply(node, items)
    message = ngettext(
        "Simpul received %(count)d record: %(added)d added, %(updated)d updated, "
        "%(unchanged)d unchanged, %(failed)d could not be read.",
        "Simpul received %(count)d records: %(added)d added, %(updated)d updated, "
        "%(unchanged)d unchanged, %(failed)d could not be read.",
        pushed["records_seen"],
    ) % {
        "count": pushed["records_seen"],
        "added": pushed["added"],
        "updated": pushed["updated"],
        "unchanged": pushed["unchanged"],
        "failed": pushed["failed"],
    }
    problems = [item for item in items if isinstance(item, RecordProblem)]
    for problem in problems[:PROBLEMS_TOLD]:
        message += " " + _("Record %(id)s: %(reason)s") % {
            "id": problem.local_id or f"#{problem.position}",
            "reason": problem.reason,
        }
    status = "UPLOADED" if not problems else "PARTIAL" if len(problems) < len(items) else "FAILED"
    return _answer(status, message)


def _delete(node: UcsNode, biblio: Any) -> dict[str, str]:
    """SLiMS's "delete from UCS": the records and their copies leave the catalogue."""
    values = biblio if isinstance(biblio, list) else str(biblio or "").split(",")
    ids = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if not ids or len(ids) > MAX_RECORDS:
        return _answer("INVALID_DATA", _("The request names no records to delete."))
    gone = [
        BibRecord(local_id=i, source_format=SourceFormat.SLIMS_UCS, raw=b"", title="", deleted=True)
        for i in ids
    ]
    removed = _apply(node, list(gone))["withdrawn"]
    return _answer(
        "DELETED",
        ngettext(
            "%(count)d record left the union catalogue.",
            "%(count)d records left the union catalogue.",
            removed,
        )
        % {"count": removed},
    )
