"""Run `simpul` as a separate process, the way an operator does, on a site of its own.

A `Site` is a throw-away data folder with an explicit environment. On the PostgreSQL
run (DATABASE_URL=postgres://...) each site gets its own uniquely named database,
created here and dropped afterwards; otherwise it uses SQLite in its data folder.
This module holds no tests; the test_cli_* modules use it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def postgres_url() -> str | None:
    """The PostgreSQL server of this test run, or None on the SQLite run."""
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in POSTGRES_SCHEMES else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _admin_conninfo(url: str) -> str:
    return _with_database(url, "postgres").replace("pgsql://", "postgresql://", 1)


@contextlib.contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    name = f"simpul_cli_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Only what the program needs: no DATABASE_URL or SIMPUL_* leaks in from the test run."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir.parent),
        "LANG": "C.UTF-8",
        "SIMPUL_DATA_DIR": str(data_dir),
        "SIMPUL_LANGUAGE": "en",
    }
    env.update(extra)
    return env


@dataclass
class Site:
    folder: Path
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def env(self) -> dict[str, str]:
        extra = dict(self.extra_env)
        if self.database_url:
            extra["DATABASE_URL"] = self.database_url
        return clean_env(self.data_dir, **extra)

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        return run_simpul(
            *args, env={**self.env, **(env or {})}, cwd=self.folder, stdin=stdin, timeout=timeout
        )

    def python(self, code: str) -> str:
        """Run Python inside the configured program (`simpul manage shell -c`); its output."""
        done = self.run("manage", "shell", "--no-imports", "-c", code)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


def running(pid: int) -> bool:
    """Whether the process is alive (a zombie waiting to be reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def helpers_left_after_kill(site: Site, code: str) -> tuple[list[int], list[int]]:
    """Run `code` in the site until it prints the process ids of its helpers on one line,
    then kill it: (the helpers running before, those still running 30 s after)."""
    importing = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "manage", "shell", "--no-imports", "-c", code],
        env=site.env,
        cwd=site.folder,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert importing.stdout is not None
    helpers = [int(pid) for pid in importing.stdout.readline().split()]
    before = [pid for pid in helpers if running(pid)]
    importing.kill()
    importing.wait()
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return before, [pid for pid in helpers if running(pid)]


def run_simpul(
    *args: str,
    env: dict[str, str],
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simpul.cli", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def new_site(folder: Path, *, migrated: bool = True) -> Iterator[Site]:
    folder.mkdir(parents=True, exist_ok=True)
    server = postgres_url()
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(fresh_postgres_database(server)) if server else None
        site = Site(folder, database_url)
        if migrated:
            done = site.run("migrate")
            assert done.returncode == 0, done.stderr
        yield site
