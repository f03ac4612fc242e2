"""BagIt export of an item; backup and restore bring back repository files and their
audit trail; OAI-PMH tells harvesters of withdrawn items (deletedRecord persistent)."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
from lxml import etree

from simpul import cli
from simpul.repository import audit, fixity, services
from simpul.repository.models import Item, StoredFile
from tests.repository.conftest import make_pdf, published

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.mark.usefixtures("repository_dir")
def test_item_exports_as_a_valid_bag_with_metadata_files_and_manifest(world, tmp_path: Path):
    data = make_pdf("Bab I")
    item = published(world, ("skripsi.pdf", data))
    stored = item.files.get()
    assert cli.main(["bag", str(item.pk), str(tmp_path / "bags")]) == 0
    path = tmp_path / "bags" / f"item-{item.pk}"
    bag = bagit.Bag(str(path))
    assert bag.is_valid()
    manifest = (path / "manifest-sha256.txt").read_text()
    assert f"{stored.sha256}  data/files/{stored.pk}-skripsi.pdf" in manifest
    metadata = json.loads((path / "data" / "metadata.json").read_text())
    assert metadata["title"] == item.title and metadata["files"][0]["sha256"] == stored.sha256
    assert b"<dc:title>" in (path / "data" / "dublin_core.xml").read_bytes()
    actions = [json.loads(line)["action"] for line in (path / "data" / "audit.jsonl").open()]
    assert actions[0] == "deposit" and actions[-1] == "publish"
    (path / "data" / "files" / f"{stored.pk}-skripsi.pdf").write_bytes(b"%PDF changed")
    assert not bagit.Bag(str(path)).is_valid()


@pytest.mark.usefixtures("repository_dir")
def test_withdrawn_item_is_a_deleted_record_for_oai_harvesters(world, client):
    item = published(world, ("a.pdf", make_pdf("x")))
    cluster = item.catalogue_record.cluster_id
    identify = etree.fromstring(client.get("/oai", {"verb": "Identify"}).content)
    assert identify.findtext(f"{OAI}Identify/{OAI}deletedRecord") == "persistent"
    services.withdraw(world.librarian_a, item, "Duplikat")
    listing = etree.fromstring(
        client.get("/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content
    )
    headers = {
        h.findtext(f"{OAI}identifier").rsplit("/", 1)[-1]: h.get("status")
        for h in listing.iter(f"{OAI}header")
    }
    assert headers[str(cluster)] == "deleted"


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_repository_files(
    world, settings, tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    folder = tmp_path / "data" / "repository"
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    item = published(world, ("skripsi.pdf", make_pdf("Bab I")))
    stored = item.files.get()
    original = (folder / stored.storage_name).read_bytes()
    archive = tmp_path / "backup.tar.gz"
    assert cli.main(["backup", str(archive)]) == 0

    (folder / stored.storage_name).unlink()
    services.withdraw(world.librarian_a, item, "Setelah cadangan")
    assert fixity.run_audit().failures

    assert cli.main(["restore", "--yes", str(archive)]) == 0, capsys.readouterr().err
    assert (folder / stored.storage_name).read_bytes() == original
    assert Item.objects.get(pk=item.pk).status == "published"
    assert StoredFile.objects.get(pk=stored.pk).sha256 == stored.sha256
    assert audit.verify_chain().ok
    assert not fixity.run_audit().failures
