"""Members' own repositories (DSpace, EPrints, SLiMS, OJS), harvested by the harvester.

A harvest source marked as a member repository has its records written with the format
"repository"; their dc:identifier links (the item page or the PDF at the source) are
kept as the record's links, which the catalogue shows as "Online".
"""

from __future__ import annotations

import io

from django.db import transaction

from simpul.catalog.bibliographic import BibRecord, MaterialType, SourceFormat
from simpul.catalog.models import Record
from simpul.catalog.readers import read_records
from simpul.catalog.services import clustering, indexing
from simpul.harvest.models import HarvestSource
from simpul.network import permissions
from simpul.repository import audit
from simpul.repository.models import MemberRepository


def mark_repository_record(source: HarvestSource, bib: BibRecord) -> None:
    """Called by the harvester for every record, before it is written."""
    if _is_repository(source):
        bib.material_type = MaterialType.REPOSITORY


def _material_from_raw(record: Record) -> MaterialType:
    """The format the record's own description gives, read again from its raw record."""
    for item in read_records(io.BytesIO(bytes(record.raw)), SourceFormat(record.source_format)):
        if isinstance(item, BibRecord):
            return item.material_type
    return MaterialType(record.material_type)


def _is_repository(source: HarvestSource) -> bool:
    cached = getattr(source, "_simpul_is_repository", None)
    if cached is None:
        cached = MemberRepository.objects.filter(source=source).exists()
        source._simpul_is_repository = cached  # type: ignore[attr-defined]
    return bool(cached)


def set_member_repository(
    actor: permissions.Actor, source: HarvestSource, platform: str | None
) -> MemberRepository | None:
    """Mark a harvest source as the library's own repository (platform) or unmark it (None).
    Records already harvested change format at once."""
    permissions.check_can_edit_library(actor, source.library)  # who may manage its sources
    with transaction.atomic():
        if platform:
            repository, _created = MemberRepository.objects.update_or_create(
                source=source, defaults={"platform": platform}
            )
        else:
            MemberRepository.objects.filter(source=source).delete()
            repository = None
        records = Record.objects.filter(library=source.library, origin=source.origin)
        clusters: set[int] = set()
        if repository is not None:
            changed = records.exclude(material_type=MaterialType.REPOSITORY)
            clusters = {c for c in changed.values_list("cluster_id", flat=True) if c}
            changed.update(material_type=MaterialType.REPOSITORY)
            clustering.refresh_clusters(clusters)
        else:
            for record in records.filter(material_type=MaterialType.REPOSITORY):
                derived = _material_from_raw(record)
                if derived != MaterialType.REPOSITORY:
                    Record.objects.filter(pk=record.pk).update(material_type=derived)
                    if record.cluster_id:
                        clusters.add(record.cluster_id)
            clustering.refresh_clusters(clusters)
        audit.record(
            "member_repository",
            None,
            actor,
            source=source.pk,
            library=source.library.code,
            platform=platform or "",
        )
    indexing.apply_search_changes()
    return repository
