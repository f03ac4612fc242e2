"""An item as a self-contained BagIt package (RFC 8493): its files under data/, its
description as Dublin Core and JSON, its audit trail, and SHA-256 manifests, for
migration to another repository or a second copy kept elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bagit
from django.utils import timezone
from lxml import etree

from simpul.repository import audit, catalogue, ingest
from simpul.repository.models import Item


def export_bag(item: Item, folder: Path) -> Path:
    """Write the package in `folder`/item-<number>; returns its path."""
    target = folder / f"item-{item.pk}"
    if target.exists():
        shutil.rmtree(target)
    files_dir = target / "files"
    files_dir.mkdir(parents=True)
    storage = ingest.repository_storage()
    listed = []
    for stored in item.files.order_by("pk"):
        name = f"{stored.pk}-{stored.original_name}"
        with (
            storage.open(stored.storage_name, "rb") as source,
            (files_dir / name).open("wb") as out,
        ):
            shutil.copyfileobj(source, out, 1024 * 1024)
        listed.append(
            {
                "name": name,
                "original_name": stored.original_name,
                "size": stored.size,
                "mime_type": stored.mime_type,
                "sha256": stored.sha256,
                "superseded": stored.superseded_at is not None,
                "deposited": stored.created_at.isoformat(),
            }
        )
    metadata = {
        "id": item.pk,
        "library": item.library.code,
        "status": item.status,
        "version": item.version,
        "item_type": item.item_type,
        "title": item.title,
        "authors": item.authors,
        "advisors": item.advisors,
        "faculty": item.faculty,
        "programme": item.programme,
        "year": item.year,
        "abstract_id": item.abstract_id,
        "abstract_en": item.abstract_en,
        "keywords": item.keywords,
        "language": item.language,
        "publisher": item.publisher,
        "licence": item.licence,
        "access_level": item.access_level,
        "embargo_until": item.embargo_until.isoformat() if item.embargo_until else None,
        "withdrawal_reason": item.withdrawal_reason,
        "files": listed,
        "versions": list(item.versions.order_by("number").values("number", "metadata", "note")),
    }
    (target / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    (target / "dublin_core.xml").write_bytes(
        etree.tostring(catalogue.dublin_core(item), encoding="utf-8", xml_declaration=True)
    )
    with (target / "audit.jsonl").open("w", encoding="utf-8") as trail:
        trail.writelines(audit.export_jsonl(item))
    bagit.make_bag(
        str(target),
        {
            "Source-Organization": item.library.name,
            "External-Identifier": catalogue.item_url(item),
            "External-Description": item.title[:500],
            "Bagging-Date": timezone.now().date().isoformat(),
        },
        checksums=["sha256"],
    )
    return target


def validate_bag(path: Path) -> bool:
    return bool(bagit.Bag(str(path)).is_valid())
