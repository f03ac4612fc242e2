"""Librarians correct the clustering: keep two records together, or apart, for good."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from simpul.catalog.models import ClusterDecision, Decision, Record, RecordStatus
from simpul.catalog.services import indexing
from simpul.catalog.services.clustering import recluster
from simpul.core.errors import AccessDenied, InvalidInput
from simpul.network import permissions


def check_can_correct_clusters(actor: permissions.Actor, records: list[Record]) -> None:
    """The coordinator, or staff of one of the libraries whose records are involved."""
    if permissions.is_coordinator(actor):
        return
    if not any(permissions.can_edit_library(actor, r.library) for r in records):
        raise AccessDenied(
            _("Only staff of a library that holds one of these records can change the grouping.")
        )


def _record_decision(
    actor: permissions.Actor, a: Record, b: Record, decision: str, note: str
) -> None:
    first, second = sorted([a, b], key=lambda r: (r.library_id, r.local_id))
    ClusterDecision.objects.update_or_create(
        library_a_id=first.library_id,
        local_id_a=first.local_id,
        library_b_id=second.library_id,
        local_id_b=second.local_id,
        defaults={
            "decision": decision,
            "note": note[:2000],
            "decided_by": actor if actor.is_authenticated else None,
        },
    )


def keep_together(actor: permissions.Actor, record: Record, other: Record, note: str = "") -> None:
    """Merge: `record` joins the cluster of `other`, now and after every re-import."""
    if record.pk == other.pk:
        raise InvalidInput(_("Choose two different records."))
    if record.status != RecordStatus.ACTIVE or other.status != RecordStatus.ACTIVE:
        raise InvalidInput(_("Only records in the catalogue can be grouped."))
    check_can_correct_clusters(actor, [record, other])
    with transaction.atomic():
        _record_decision(actor, record, other, Decision.SAME, note)
        recluster([record])
    indexing.index_edit()


def keep_apart(actor: permissions.Actor, record: Record, note: str = "") -> None:
    """Split: `record` leaves its cluster and never rejoins the records it was grouped with."""
    if record.cluster_id is None:
        raise InvalidInput(_("This record is not grouped with any other."))
    with transaction.atomic():
        others = list(Record.objects.filter(cluster_id=record.cluster_id).exclude(pk=record.pk))
        if not others:
            raise InvalidInput(_("This record is not grouped with any other."))
        check_can_correct_clusters(actor, [record, *others])
        for other in others:
            _record_decision(actor, record, other, Decision.DIFFERENT, note)
        recluster([record])
    indexing.index_edit()
