"""Backups through the real `simpul` program, also from one database to the other."""

from __future__ import annotations

import json

import pytest

from tests.test_cli_support import Site, new_site, postgres_url

SUMMARY = (
    "import json\n"
    "from django.contrib.auth import authenticate\n"
    "from simpul.network.models import Library, OpeningHours\n"
    "from simpul.accounts.models import User\n"
    "print(json.dumps({\n"
    "  'libraries': sorted(Library.objects.values_list('code', 'name', 'logo')),\n"
    "  'hours': OpeningHours.objects.count(),\n"
    "  'people': sorted(User.objects.values_list('username', 'password')),\n"
    "  'signs_in': authenticate(username='mahasiswa.uniba', password='demo-pustaka-2026')"
    " is not None,\n"
    "}))"
)
LOGO = b"\x89PNG\r\n\x1a\nuniba-logo"


def demo_with_logo(site: Site) -> dict[str, object]:
    assert site.run("demo", "--no-serve", "--records", "300").returncode == 0
    logo = site.data_dir / "media" / "logos" / "uniba.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(LOGO)
    site.python(
        "from simpul.network.models import Library\n"
        "Library.objects.filter(code='UNIBA').update(logo='logos/uniba.png')"
    )
    return json.loads(site.python(SUMMARY))


def test_backup_then_restore_on_another_fresh_installation(tmp_path):
    archive = tmp_path / "simpul.tar.gz"
    with new_site(tmp_path / "old") as old:
        before = demo_with_logo(old)
        done = old.run("backup", str(archive))
        assert done.returncode == 0, done.stderr
    with new_site(tmp_path / "new") as new:
        done = new.run("restore", str(archive), stdin="ya\n")
        assert done.returncode == 0, done.stderr
        assert "Restored" in done.stdout
        after = json.loads(new.python(SUMMARY))
        assert after == before
        assert after["signs_in"] is True
        assert (new.data_dir / "media" / "logos" / "uniba.png").read_bytes() == LOGO


@pytest.mark.skipif(postgres_url() is None, reason="needs the PostgreSQL test server")
def test_a_sqlite_site_moves_to_postgresql_and_back(tmp_path):
    archive = tmp_path / "move.tar.gz"
    back = tmp_path / "back.tar.gz"
    sqlite = Site(tmp_path / "sqlite")
    sqlite.folder.mkdir()
    before = demo_with_logo(sqlite)
    assert sqlite.run("backup", str(archive)).returncode == 0
    with new_site(tmp_path / "postgres") as postgres:
        assert postgres.database_url
        done = postgres.run("restore", "--yes", str(archive))
        assert done.returncode == 0, done.stderr
        assert json.loads(postgres.python(SUMMARY)) == before
        assert postgres.run("backup", str(back)).returncode == 0
    done = sqlite.run("restore", "--yes", str(back))
    assert done.returncode == 0, done.stderr
    assert json.loads(sqlite.python(SUMMARY)) == before
