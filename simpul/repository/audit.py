"""The append-only, tamper-evident audit trail of the repository.

Each entry's hash covers its own content and the previous entry's hash, so changing,
removing or reordering any entry breaks every hash after it; `verify_chain` finds the
first entry where the chain breaks. Appending locks the chain's head row, so two
processes never write two entries after the same predecessor.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from simpul.repository.models import AuditEntry, AuditHead, Item

GENESIS = "0" * 64


def _person_name(actor: Any) -> str:
    if actor is None:
        return ""
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "username", "") or "")


def entry_hash(
    sequence: int,
    item_id: int | None,
    action: str,
    actor: str,
    at: dt.datetime,
    details: dict[str, Any],
    previous_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "sequence": sequence,
            "item": item_id,
            "action": action,
            "actor": actor,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "details": details,
            "previous": previous_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(action: str, item: Item | None = None, actor: Any = None, **details: Any) -> AuditEntry:
    """Append one entry (inside the caller's transaction, if there is one)."""
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        # Milliseconds: what every database and Django's serialisation (backups) keep alike.
        now = timezone.now()
        at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        details = json.loads(json.dumps(details, default=str))
        sequence = head.last_sequence + 1
        name = _person_name(actor)
        digest = entry_hash(
            sequence, item.pk if item else None, action, name, at, details, head.last_hash
        )
        entry = AuditEntry(
            sequence=sequence,
            item=item,
            action=action,
            actor=name,
            at=at,
            details=details,
            previous_hash=head.last_hash,
            entry_hash=digest,
        )
        entry.save()
        AuditHead.objects.filter(pk=1).update(last_sequence=sequence, last_hash=digest)
    return entry


@dataclass
class ChainReport:
    entries: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain() -> ChainReport:
    """Recompute every hash in order; say where the chain is broken."""
    problems: list[str] = []
    previous = GENESIS
    expected_sequence = 1
    count = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        count += 1
        if entry.sequence != expected_sequence:
            problems.append(f"entry {expected_sequence} is missing (next found: {entry.sequence})")
        if entry.previous_hash != previous:
            problems.append(f"entry {entry.sequence}: previous hash does not match")
        recomputed = entry_hash(
            entry.sequence,
            entry.item_id,
            entry.action,
            entry.actor,
            entry.at,
            entry.details,
            entry.previous_hash,
        )
        if recomputed != entry.entry_hash:
            problems.append(f"entry {entry.sequence}: content does not match its hash")
        previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    head = AuditHead.objects.filter(pk=1).first()
    last = expected_sequence - 1 if count else 0
    if head is not None and (head.last_sequence != last or head.last_hash != previous):
        problems.append(
            f"the chain should end at entry {head.last_sequence}, but it ends at entry {last}"
        )
    return ChainReport(entries=count, problems=problems)


EXPORT_FIELDS = (
    "sequence",
    "at",
    "item",
    "action",
    "actor",
    "details",
    "previous_hash",
    "entry_hash",
)


def _rows(item: Item | None = None) -> Iterator[dict[str, Any]]:
    entries = AuditEntry.objects.order_by("sequence")
    if item is not None:
        entries = entries.filter(item=item)
    for entry in entries.iterator(chunk_size=2000):
        yield {
            "sequence": entry.sequence,
            "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "item": entry.item_id,
            "action": entry.action,
            "actor": entry.actor,
            "details": entry.details,
            "previous_hash": entry.previous_hash,
            "entry_hash": entry.entry_hash,
        }


def export_jsonl(item: Item | None = None) -> Iterator[str]:
    for row in _rows(item):
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


def export_csv(item: Item | None = None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for row in _rows(item):
        row["details"] = json.dumps(row["details"], ensure_ascii=False, sort_keys=True)
        writer.writerow([row[name] for name in EXPORT_FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
