"""Repository ingest and fixity audit throughput on a fresh site.

Usage:
    uv run python bench/repository_ingest.py --items 10000
    uv run python bench/repository_ingest.py --items 10000 --database postgres

Deposits N theses, each with one generated PDF (a few pages of text, a different text
per item), through the same service the deposit form calls: type detection (libmagic),
SHA-256, PDF structure check and text extraction (pypdf), storage on the local
filesystem, database rows and hash-chained audit entries. Then runs one full fixity
audit (every file re-read and re-hashed). Reports items a second, megabytes a second and
files audited a second. Publishing (the catalogue and search index) is left out; add
--publish to include it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
DATABASE_NAME = "bench_repository"


def _prepare(folder: Path, database: str) -> None:
    os.environ["SIMPUL_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "simpul.settings"
    if database == "postgres":
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        parts = urllib.parse.urlsplit(POSTGRES)
        os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + DATABASE_NAME, "", "")
        )
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'simpul.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _pdf(number: int) -> bytes:
    from simpul.repository.demo import text_pdf

    return text_pdf(
        *(
            f"Skripsi nomor {number}, bab {page + 1}. "
            + "Literasi informasi mahasiswa dan pemanfaatan repositori institusi. " * 25
            for page in range(3)
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--publish", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="simpul-bench-repository-") as tmp:
        folder = Path(tmp)
        _prepare(folder, args.database)
        from simpul.accounts.models import Role
        from simpul.accounts.services import create_person
        from simpul.network.models import Library, Network
        from simpul.repository import fixity, services

        library = Library.objects.create(code="BENCH", name="Perpustakaan Bench")
        Network.objects.create(name="Bench", short_name="B", coordinator=library)
        librarian = create_person(
            None,
            username="pustakawan.bench",
            email="p@example.org",
            password="kata-sandi-bench-2026",
            role=Role.LIBRARIAN,
            library=library,
        )
        pdfs = [_pdf(n) for n in range(50)]  # 50 distinct layouts, varied per item below
        total_bytes = 0
        started = time.monotonic()
        for number in range(args.items):
            data = pdfs[number % len(pdfs)] + f"\n% item {number}\n".encode()
            total_bytes += len(data)
            item = services.deposit(
                librarian,
                library,
                {
                    "item_type": "skripsi",
                    "title": f"Skripsi bench {number}",
                    "authors": [{"name": f"Penulis {number}", "identifier": f"NIM {number}"}],
                    "advisors": [],
                    "year": 2025,
                    "abstract_id": "Abstrak.",
                    "keywords": ["bench"],
                    "language": "ind",
                    "licence": "CC-BY-4.0",
                    "access_level": "open",
                },
                [("skripsi.pdf", io.BytesIO(data))],
            )
            if args.publish:
                services.review(librarian, item, "approve")
                services.publish(librarian, item)
            if (number + 1) % 1000 == 0:
                seconds = time.monotonic() - started
                print(f"  {number + 1} items, {(number + 1) / seconds:.0f}/s", flush=True)
        ingest_seconds = time.monotonic() - started
        started = time.monotonic()
        run = fixity.run_audit(trigger="bench")
        audit_seconds = time.monotonic() - started
        assert not run.failures, run.failures[:3]
        print()
        print(f"date: {dt.date.today()}, machine: {platform.machine()}, {os.cpu_count()} cores,")
        print(f"load: {os.getloadavg()[0]:.1f}, database: {args.database}")
        print(
            f"ingest: {args.items} items, {total_bytes / 1e6:.1f} MB in {ingest_seconds:.1f} s"
            f" = {args.items / ingest_seconds:.0f} items/s, "
            f"{total_bytes / 1e6 / ingest_seconds:.2f} MB/s"
        )
        print(
            f"fixity: {run.files_checked} files, {run.bytes_read / 1e6:.1f} MB in "
            f"{audit_seconds:.1f} s = {run.files_checked / audit_seconds:.0f} files/s, "
            f"{run.bytes_read / 1e6 / audit_seconds:.1f} MB/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
