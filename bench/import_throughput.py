"""Import + cluster + index throughput, end to end, on a fresh site.

Usage:
    uv run python bench/import_throughput.py --records 100000
    uv run python bench/import_throughput.py --records 100000 --database postgres

Writes the generated network catalogue (``simpul.catalog.synthetic``: one export file
per member library, MARC, MARCXML and CSV, with the same editions catalogued in each
library's style), then imports each file with ``simpul import`` into a fresh data
folder and database — the path a librarian's file takes: read, store records and
holdings, cluster, update the search index. Reports records a second over the whole
import (generation excluded), the rate of each file as the catalogue grows, the peak
memory of the import processes, and clustering precision and recall against the
generator's ground truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from member_imports import import_member_files

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
DATABASE_NAME = "bench_import"


def _site_env(folder: Path, database: str, postgres: str) -> dict[str, str]:
    env = dict(os.environ, SIMPUL_DATA_DIR=str(folder), PYTHONPATH=str(ROOT))
    env["DJANGO_SETTINGS_MODULE"] = "simpul.settings"
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


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "simpul.cli", *args], env=env, cwd=ROOT, text=True,
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode not in (0, 1):  # 1: some records could not be imported (reported)
        raise SystemExit(f"simpul {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env, cwd=ROOT, text=True, capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"the check failed:\n{done.stderr[-2000:]}")
    return done.stdout


QUALITY = """
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from simpul.catalog.models import Record
from simpul.catalog.synthetic import ground_truth
truth = ground_truth(Path({folder!r}))
rows = Record.objects.values_list("library__code", "local_id", "cluster_id").iterator()
stored = dict(((code, local_id), cluster) for code, local_id, cluster in rows)
said, right = defaultdict(list), defaultdict(list)
for name, manifestation in truth.items():
    said[stored[name]].append(name)
    right[manifestation].append(name)
def pairs(groups):
    return {{frozenset(p) for g in groups.values() if len(g) < 200 for p in combinations(g, 2)}}
p, r = pairs(said), pairs(right)
print(len(truth), len(stored), len(p & r) / max(1, len(p)), len(p & r) / max(1, len(r)))
from simpul.catalog.models import Cluster
from simpul.catalog.services.indexing import pending_changes, search_index
print(search_index().num_docs, Cluster.objects.count(), pending_changes())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the site folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="simpul-import-bench-"))
    env = _site_env(folder, args.database, args.postgres)
    _run(env, "migrate")
    _python(env, "from simpul.core.demo import load_demo_network\nload_demo_network()")
    files_dir = folder / "files"
    started = time.monotonic()
    listed = _python(
        env,
        "from pathlib import Path\nfrom simpul.catalog.synthetic import write_member_files\n"
        f"for code, path in write_member_files(Path({str(files_dir)!r}), {args.records}, "
        f"seed={args.seed}):\n    print(code, path)",
    )
    generated = time.monotonic() - started
    print(f"generated {args.records:,} records in {generated:.0f} s", flush=True)
    files = [line.split(" ", 1) for line in listed.split("\n") if line.strip()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    total, elapsed = import_member_files(files, env, ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = after.ru_maxrss / 1024
    processor = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    quality = _python(env, QUALITY.format(folder=str(files_dir))).split()
    print()
    print(f"date: {dt.date.today()}; {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; database {args.database}; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{total:,} records imported in {elapsed:.0f} s: {total / elapsed:.0f} records/s "
          f"(import + cluster + index); peak memory of one import {peak_mb:.0f} MB")  # fmt: skip
    # Steadier than the rate on a shared machine: all the import processes spent.
    print(f"processor time of the imports and their helper processes: {processor:.0f} s "
          f"({1000 * processor / max(1, total):.2f} ms a record)")  # fmt: skip
    print(f"clustering against the ground truth: precision {float(quality[2]):.4f}, "
          f"recall {float(quality[3]):.4f}")  # fmt: skip
    print(f"search index: {int(quality[4]):,} titles of {int(quality[5]):,}, "
          f"{int(quality[6]):,} changes not applied")  # fmt: skip
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"site kept in {folder} ({env['DATABASE_URL']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
