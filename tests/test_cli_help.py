"""`simpul --help` and every command's help say in plain words what it does and how."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_support import clean_env, run_simpul

COMMANDS = {
    "demo": [
        "--no-serve",
        "--records",
        "--host",
        "--port",
        "--workers",
        "--threads",
        "127.0.0.1:8000",
    ],
    "serve": ["--host", "--port", "--workers", "--threads", "gunicorn", "SIMPUL_BEHIND_PROXY"],
    "worker": ["--batch", "--interval", "background jobs"],
    "migrate": ["database tables"],
    "createadmin": ["--username", "--email", "--password-env", "SIMPUL_ADMIN_PASSWORD"],
    "check": ["configuration", "database", "problem"],
    "backup": ["FILE", "uploaded files", "password hashes"],
    "restore": ["FILE", "--yes", "nothing is changed"],
    "compilemessages": ["translations"],
    "manage": ["Django management command"],
}


def simpul(tmp_path: Path, *args: str):
    return run_simpul(*args, env=clean_env(tmp_path / "data"), cwd=tmp_path)


def test_help_lists_every_command_in_plain_words(tmp_path):
    done = simpul(tmp_path, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: simpul")
    for command in COMMANDS:
        assert command in done.stdout
    assert "docs/configuration.md" in done.stdout
    assert "simpul demo" in done.stdout
    # Help needs no database: nothing is created in the data folder.
    assert not (tmp_path / "data").exists()


def test_without_a_command_it_prints_the_help(tmp_path):
    done = simpul(tmp_path)
    assert done.returncode == 0
    assert "usage: simpul" in done.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_explains_itself(tmp_path, command):
    done = simpul(tmp_path, command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: simpul {command}")
    for words in COMMANDS[command]:
        assert words.lower() in done.stdout.lower(), words
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unknown_command_is_named(tmp_path):
    done = simpul(tmp_path, "sreve")
    assert done.returncode == 2
    assert "sreve" in done.stderr
    assert "Traceback" not in done.stderr
