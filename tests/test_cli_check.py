"""`simpul check` says what is wrong in words, and its exit code tells scripts."""

from __future__ import annotations

import pytest

from tests.test_cli_support import clean_env, new_site, run_simpul


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with new_site(tmp_path_factory.mktemp("check")) as site:
        yield site


def test_a_healthy_installation_passes(site):
    done = site.run("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "!!" not in done.stdout
    assert "Database tables are up to date." in done.stdout
    assert f"Data folder {site.data_dir} is writable." in done.stdout
    assert "e-mails are written to files" in done.stdout
    assert done.stdout.strip().endswith("Everything looks right.")


def test_debug_mode_is_reported_as_a_problem(site):
    done = site.run("check", env={"SIMPUL_DEBUG": "true"})
    assert done.returncode == 1
    assert "!! SIMPUL_DEBUG is on" in done.stdout
    assert "1 problem(s) found." in done.stdout


def test_a_secret_key_file_others_can_read_is_reported(site):
    key_file = site.data_dir / "secret_key"
    key_file.chmod(0o644)
    try:
        done = site.run("check")
    finally:
        key_file.chmod(0o600)
    assert done.returncode == 1
    assert f"!! The secret key file {key_file} can be read by other users" in done.stdout


def test_a_fresh_empty_sqlite_file_needs_migrate(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    env = clean_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{empty}")
    done = run_simpul("check", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "database migrations are not applied: run `simpul migrate`." in done.stdout
    assert "1 problem(s) found." in done.stdout


def test_an_empty_database_needs_migrate_before_other_commands(tmp_path):
    with new_site(tmp_path, migrated=False) as fresh:
        done = fresh.run("check")
        assert done.returncode == 1
        assert "migrations are not applied: run `simpul migrate`." in done.stdout
        for command in (
            ["worker", "--batch"],
            ["backup", str(tmp_path / "b.tar.gz")],
            ["serve", "--port", "1"],
        ):
            done = fresh.run(*command)
            assert done.returncode == 1, command
            assert "Traceback" not in done.stderr
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert "Run `simpul migrate` first." in done.stderr
        assert not (tmp_path / "b.tar.gz").exists()
        assert fresh.run("migrate").returncode == 0
        assert fresh.run("check").returncode == 0
