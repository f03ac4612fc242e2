"""New titles, feeds and whole-result exports on a demo network of N generated records.

Usage:
    uv run python bench/lists_scale.py --records 20000 [--database postgres]

Builds a fresh demo site (`simpul demo --no-serve --records N`: real sample records plus N
generated ones, dated over six months by the lists demo), then, each in a fresh process
through Django's test client: the /new/ page (network and one library), the Atom feed, and
"export all results" as RIS with the cap at 1,000 and at 10,000 titles, reporting the time
and the peak memory (RSS) of the process. Flat memory means the 10,000-title export peaks
about where the 1,000-title one does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
DATABASE_NAME = "bench_lists"

MEASURE = """
import json, resource, time, django
django.setup()
from django.conf import settings
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
settings.EXPORT_MAX_RESULTS = {cap}
client = Client()
client.get("/serials/")  # the first request of a process loads every URL and template
started = time.monotonic()
response = client.get({path!r})
size = 0
if response.streaming:
    for chunk in response.streaming_content:
        size += len(chunk)
else:
    size = len(response.content)
seconds = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"status": response.status_code, "seconds": seconds, "bytes": size,
                  "peak_mb": peak}}))
"""


def _env(folder: Path, database: str, postgres: str) -> dict[str, str]:
    env = dict(os.environ, SIMPUL_DATA_DIR=str(folder), PYTHONPATH=str(ROOT))
    env["DJANGO_SETTINGS_MODULE"] = "simpul.settings"
    env["SIMPUL_LANGUAGE"] = "en"
    if database == "postgres":
        import psycopg

        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        parts = urllib.parse.urlsplit(postgres)
        env["DATABASE_URL"] = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + DATABASE_NAME, "", "")
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'simpul.sqlite3'}"
    return env


def _measure(env: dict[str, str], path: str, cap: int = 10_000) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE.format(path=path, cap=cap)],
        env=env, cwd=ROOT, text=True, capture_output=True, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--keep", action="store_true", help="keep the site folder")
    parser.add_argument("--site", type=Path, help="measure a site kept by an earlier run")
    args = parser.parse_args()
    if args.site:
        folder = args.site
        env = _env(folder, "sqlite", args.postgres)
        args.keep = True
    else:
        folder = Path(tempfile.mkdtemp(prefix="simpul-lists-bench-"))
        env = _env(folder, args.database, args.postgres)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "simpul.cli", "demo", "--no-serve", "--records",
             str(args.records)],
            env=env, cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        print(f"demo site, {args.records:,} generated records: {time.monotonic() - started:.0f} s")
        print(f"site: {folder}")
    rows = [
        ("/new/ (network, latest month)", "/new/", 10_000),
        ("/new/?library=UNIBA", "/new/?library=UNIBA", 10_000),
        ("/new/print/ (whole month)", "/new/print/", 10_000),
        ("/new/feed/ (Atom, 50 entries)", "/new/feed/", 10_000),
        ("/serials/", "/serials/", 10_000),
        ("export all as RIS, cap 1,000", "/catalogue/export/ris/", 1_000),
        ("export all as RIS, cap 10,000", "/catalogue/export/ris/", 10_000),
        ("export all as MARCXML, cap 10,000", "/catalogue/export/marcxml/", 10_000),
    ]
    print(f"date: {dt.date.today()}; {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; database {args.database}; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print("| what | time | size | peak RSS of the process |")
    print("|---|---|---|---|")
    for label, path, cap in rows:
        found = _measure(env, path, cap)
        assert found["status"] == 200, (path, found)
        print(
            f"| {label} | {found['seconds'] * 1000:,.0f} ms | {found['bytes'] / 1024:,.0f} KB "
            f"| {found['peak_mb']:,.0f} MB |",
            flush=True,
        )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
