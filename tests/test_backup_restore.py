"""`simpul backup` / `simpul restore` on the test database (SQLite or PostgreSQL).

A restore brings back every row and uploaded file exactly; people sign in with the
passwords they had. A file that is not a whole, unchanged backup of the same
migrations is refused before anything is touched.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from simpul import cli
from simpul.accounts.models import User
from simpul.network.models import Library, OpeningHours
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(tmp_path, settings, monkeypatch, english):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMPUL_LANGUAGE", "en")
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    return tmp_path


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, "PNG")
    return out.getvalue()


def simpul(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def state() -> dict[str, object]:
    return {
        "libraries": sorted(Library.objects.values_list("code", "name", "logo")),
        "hours": sorted(OpeningHours.objects.values_list("library__code", "weekday", "opens")),
        "people": sorted(User.objects.values_list("username", "password", "role")),
    }


def media_files(site: Path) -> dict[str, bytes]:
    media = site / "data" / "media"
    return {
        str(path.relative_to(media)): path.read_bytes()
        for path in media.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def backup(site, world, capsys) -> Path:
    """A backup of the world with A's logo, then the site changed after it."""
    world.library_a.logo.save("alpha.png", ContentFile(png("red")))
    archive = site / "backups" / "simpul-2026-11-23.tar.gz"
    code, out, err = simpul(capsys, "backup", str(archive))
    assert code == 0, err
    assert f"Backup written to {archive}." in out
    return archive


def change_everything(world) -> None:
    Library.objects.filter(pk=world.library_a.pk).update(name="Nama yang Diubah")
    OpeningHours.objects.all().delete()
    User.objects.filter(username="fajar.beta").delete()
    make_person("orang.baru", "librarian", world.library_b)
    world.library_a.logo.delete(save=True)
    world.library_b.logo.save("beta.png", ContentFile(png("blue")))


def test_backup_is_private_and_complete(backup):
    assert backup.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in backup.parent.iterdir()] == [backup.name]
    with tarfile.open(backup) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"
    assert "data.jsonl" in names
    assert "media/logos/alpha.png" in names
    assert manifest["format"] == "simpul-backup"
    assert "network.0001_initial" in manifest["migrations"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}


def test_a_backup_that_cannot_be_written_is_said_in_words(site, world, capsys):
    blocker = site / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "simpul.tar.gz"
    code, _out, err = simpul(capsys, "backup", str(target))
    assert code == 1
    assert f"Cannot write the backup to {target}" in err
    assert "Traceback" not in err


def test_restore_brings_back_rows_files_and_passwords(site, world, backup, capsys):
    before = state()
    logo = media_files(site)
    assert logo == {"logos/alpha.png": png("red")}
    change_everything(world)
    assert state() != before

    code, out, err = simpul(capsys, "restore", "--yes", str(backup))
    assert code == 0, err
    assert "Restored" in out
    assert "1 uploaded files" in out

    assert state() == before
    assert media_files(site) == logo
    hours = OpeningHours.objects.get(library__code="ALPHA")
    assert (hours.weekday, hours.opens, hours.closes) == (0, dt.time(8), dt.time(16))
    putri = User.objects.get(username="putri.alpha")
    assert putri.password.startswith("argon2$")
    assert putri.library.code == "ALPHA"
    assert Client().login(username="fajar.beta", password=PASSWORD)
    assert not User.objects.filter(username="orang.baru").exists()
    # New rows after a restore get fresh keys: the sequences follow the restored rows.
    newcomer = make_person("setelah.pulih", "patron", world.library_a)
    assert newcomer.pk > max(User.objects.exclude(pk=newcomer.pk).values_list("pk", flat=True))


def test_restore_asks_first_and_no_means_nothing_changes(site, world, backup, capsys, monkeypatch):
    change_everything(world)
    after = state()
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _err = simpul(capsys, "restore", str(backup))
    assert code == 1
    assert "Nothing was changed." in out
    assert state() == after


# --- refused archives: each leaves the database and the uploaded files as they are ---


def read_members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def write_members(archive: Path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return archive


def reseal(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute the manifest's checksums, as a buggy or hostile writer would."""
    import hashlib

    manifest = json.loads(members.pop("manifest.json"))
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def with_manifest(members: dict[str, bytes], **changes: object) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest.update(changes)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


@pytest.fixture
def changed_site(site, world, backup):
    """The site changed after the backup: what a refused restore must leave alone."""
    change_everything(world)
    return state(), media_files(site)


def refused(capsys, site, changed_site, archive: Path, *words: str) -> str:
    code, _out, err = simpul(capsys, "restore", "--yes", str(archive))
    assert code == 1
    assert "Traceback" not in err
    assert err.strip().endswith("Nothing was changed."), err
    for word in words:
        assert word in err
    assert (state(), media_files(site)) == changed_site
    return err


def test_a_file_that_is_no_backup_is_refused(site, changed_site, capsys):
    notes = site / "notes.txt"
    notes.write_text("bukan cadangan")
    refused(capsys, site, changed_site, notes, "This file is not a Simpul backup.")
    other = write_members(site / "other.tar.gz", {"README": b"hello"})
    refused(capsys, site, changed_site, other, "README")
    missing = site / "nowhere.tar.gz"
    refused(capsys, site, changed_site, missing, f"No backup file at {missing}.")


def test_a_cut_short_archive_is_refused(site, changed_site, backup, capsys):
    cut = site / "cut.tar.gz"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    refused(capsys, site, changed_site, cut, "is not a complete backup archive")


def test_changed_rows_or_files_are_refused(site, changed_site, backup, capsys):
    members = read_members(backup)
    rows = members["data.jsonl"].replace(b"Universitas Alpha", b"Universitas Palsu")
    tampered = write_members(site / "rows.tar.gz", {**members, "data.jsonl": rows})
    refused(capsys, site, changed_site, tampered, "data.jsonl", "was changed")

    logo = {**members, "media/logos/alpha.png": png("green")}
    tampered = write_members(site / "logo.tar.gz", logo)
    refused(capsys, site, changed_site, tampered, "media/logos/alpha.png", "was changed")

    extra = {"media/logos/extra.php": b"<?php ?>", **members}
    tampered = write_members(site / "extra.tar.gz", extra)
    refused(capsys, site, changed_site, tampered, "does not list")

    del members["media/logos/alpha.png"]
    refused(capsys, site, changed_site, write_members(site / "less.tar.gz", members), "incomplete")


def test_a_backup_of_other_migrations_is_refused(site, changed_site, backup, capsys):
    members = read_members(backup)
    migrations = json.loads(members["manifest.json"])["migrations"]
    newer = with_manifest(members, migrations=[*migrations, "network.9999_from_the_future"])
    err = refused(capsys, site, changed_site, write_members(site / "newer.tar.gz", newer))
    assert "newer version of Simpul" in err
    older = with_manifest(members, migrations=[m for m in migrations if "network" not in m])
    err = refused(capsys, site, changed_site, write_members(site / "older.tar.gz", older))
    assert "older version of Simpul" in err
    other = with_manifest(members, format_version=99)
    refused(capsys, site, changed_site, write_members(site / "v99.tar.gz", other), "format")


@pytest.mark.parametrize(
    "name",
    ["../escaped.txt", "media/../../escaped.txt", "/tmp/simpul-escaped.txt", "secret_key"],
)
def test_members_outside_the_backup_layout_are_refused(site, changed_site, backup, capsys, name):
    members = reseal({**read_members(backup), name: b"gotcha"})
    archive = write_members(site / "evil.tar.gz", members)
    refused(capsys, site, changed_site, archive, name)
    assert not (site / "escaped.txt").exists()
    assert not (site / "data" / "escaped.txt").exists()
    assert not Path("/tmp/simpul-escaped.txt").exists()


def test_links_in_the_archive_are_refused(site, changed_site, backup, capsys):
    members = read_members(backup)
    archive = write_members(site / "link.tar.gz", members, links={"media/logos/x.png": "/etc"})
    refused(capsys, site, changed_site, archive, "media/logos/x.png")


def test_rows_that_fail_to_load_leave_the_database_as_it_was(site, changed_site, backup, capsys):
    """The flush and the load are one transaction: a failing load undoes the flush."""
    members = read_members(backup)
    lines = members["data.jsonl"].decode().splitlines()
    orphan = {
        "model": "network.openinghours",
        "pk": 999_999,
        "fields": {"library": 888_888, "weekday": 2, "opens": "08:00:00", "closes": "15:00:00"},
    }
    members["data.jsonl"] = "\n".join([*lines, json.dumps(orphan)]).encode() + b"\n"
    archive = write_members(site / "broken.tar.gz", reseal(members))
    refused(capsys, site, changed_site, archive, "could not be loaded")
    # The site still works: people sign in as before.
    assert Client().login(username="putri.alpha", password=PASSWORD)
