"""Wrong configuration gives one clear message, not a traceback.

Each case runs the real program with one wrong setting; the operator reads one line
on stderr that names the setting, and gets exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_support import clean_env, run_simpul

UNWRITABLE = "/proc/sys"  # not writable, even by root


def one_line_error(done) -> str:
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("DATABASE_URL", "mysql://simpul@127.0.0.1/simpul", "postgres://"),
        ("DATABASE_URL", "postgres://simpul@db:port/simpul", "not a complete database address"),
        ("DATABASE_URL", "sqlite://", "file path"),
        ("SIMPUL_LANGUAGE", "fr", "id or en"),
        ("SIMPUL_TIME_ZONE", "Asia/Bandung", "Asia/Jakarta"),
        ("SIMPUL_EMAIL_PORT", "twenty-five", "whole number"),
        ("SIMPUL_EMAIL_PORT", "70000", "between 1 and 65535"),
        ("SIMPUL_LOGIN_ATTEMPTS", "0", "between"),
        ("SIMPUL_DEBUG", "maybe", "true or false"),
        ("SIMPUL_BEHIND_PROXY", "sometimes", "true or false"),
        ("SIMPUL_SITE_URL", "perpustakaan.example.ac.id", "http://"),
        ("SIMPUL_SECRET_KEY", "too-short", "32 characters"),
    ],
)
def test_a_wrong_setting_is_named_in_one_line(tmp_path, variable, value, words):
    done = run_simpul("check", env=clean_env(tmp_path / "data", **{variable: value}), cwd=tmp_path)
    assert done.returncode == 2
    line = one_line_error(done)
    assert line.startswith("Configuration error:")
    assert variable in line
    assert words in line
    assert done.stdout == ""


def test_a_database_password_is_never_shown(tmp_path):
    env = clean_env(tmp_path / "data", DATABASE_URL="mysql://simpul:rahasia-sekali@db/simpul")
    done = run_simpul("check", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "rahasia-sekali" not in done.stdout + done.stderr


def test_an_unwritable_data_folder_is_named(tmp_path):
    done = run_simpul("check", env=clean_env(Path(UNWRITABLE)), cwd=tmp_path)
    assert done.returncode == 2
    line = one_line_error(done)
    assert f"SIMPUL_DATA_DIR={UNWRITABLE}" in line
    assert "not writable" in line


def test_a_data_folder_that_cannot_be_created_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_simpul("migrate", env=clean_env(blocker / "data"), cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot be created" in one_line_error(done)
    done = run_simpul("migrate", env=clean_env(blocker), cwd=tmp_path)
    assert done.returncode == 2
    assert "is a file, not a folder" in one_line_error(done)


def test_an_unreachable_postgresql_is_one_line_for_every_command(tmp_path):
    env = clean_env(tmp_path / "data", DATABASE_URL="postgres://nobody:geheim@127.0.0.1:1/x")
    for command in (["migrate"], ["createadmin", "--username", "a", "--email", "a@b.id"]):
        done = run_simpul(*command, env=env, cwd=tmp_path)
        assert done.returncode == 2
        line = one_line_error(done)
        assert "Cannot connect to the database at postgres://nobody:***@127.0.0.1:1/x" in line
        assert "geheim" not in line
    # `check` reports it among its findings, and exits 1 like for any finding.
    done = run_simpul("check", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "!! Cannot connect to the database" in done.stdout


def test_a_sqlite_file_in_a_missing_folder_is_one_line(tmp_path):
    env = clean_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{tmp_path}/missing/simpul.db")
    done = run_simpul("migrate", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "Cannot connect to the database" in one_line_error(done)


def test_the_secret_key_is_made_on_first_run_private_and_kept(tmp_path):
    data = tmp_path / "data"
    env = clean_env(data)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_simpul("manage", "shell", "--no-imports", "-c", code, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = data / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert first.stdout.strip() == key
    again = run_simpul("manage", "shell", "--no-imports", "-c", code, env=env, cwd=tmp_path)
    assert again.stdout.strip() == key
    assert key_file.read_text().strip() == key


def test_a_given_secret_key_wins_and_no_file_is_written(tmp_path):
    given = "k" * 40
    env = clean_env(tmp_path / "data", SIMPUL_SECRET_KEY=given)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    done = run_simpul("manage", "shell", "--no-imports", "-c", code, env=env, cwd=tmp_path)
    assert done.stdout.strip() == given
    assert not (tmp_path / "data" / "secret_key").exists()


def test_the_dot_env_file_in_the_working_folder_is_read(tmp_path):
    elsewhere = tmp_path / "from-dot-env"
    (tmp_path / ".env").write_text(
        f"# settings of this site\nSIMPUL_DATA_DIR={elsewhere}\nSIMPUL_TIME_ZONE=Asia/Makassar\n"
    )
    env = clean_env(tmp_path / "ignored")
    del env["SIMPUL_DATA_DIR"]
    code = "from django.conf import settings; print(settings.TIME_ZONE, settings.CONFIG.data_dir)"
    done = run_simpul("manage", "shell", "--no-imports", "-c", code, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Asia/Makassar", str(elsewhere)]
    assert (elsewhere / "secret_key").exists()


def test_the_environment_wins_over_the_dot_env_file(tmp_path):
    (tmp_path / ".env").write_text("SIMPUL_TIME_ZONE=Nowhere/Atlantis\n")
    env = clean_env(tmp_path / "data", SIMPUL_TIME_ZONE="Asia/Jayapura")
    code = "from django.conf import settings; print(settings.TIME_ZONE)"
    done = run_simpul("manage", "shell", "--no-imports", "-c", code, env=env, cwd=tmp_path)
    assert done.stdout.strip() == "Asia/Jayapura"
    # ... and a wrong value in .env is reported like any other.
    del env["SIMPUL_TIME_ZONE"]
    done = run_simpul("check", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "Nowhere/Atlantis" in one_line_error(done)
