"""OAI-PMH ListRecords throughput: a complete harvest through the running site.

Usage:
    uv run python bench/oai_listrecords.py --records 20000                       # SQLite
    uv run python bench/oai_listrecords.py --records 20000 --database postgres   # PostgreSQL
    uv run python bench/oai_listrecords.py --data-dir data                       # the demo site

Builds (or reuses) the same site as bench/search_api.py — the demo network with
generated member catalogues imported through `simpul import`, in
``data/bench/search-<database>-<records>/`` — starts ``simpul serve`` on loopback and
harvests ``/oai?verb=ListRecords`` to the end for each metadata format, following the
resumption tokens over one kept-alive connection, as a harvester would. Each page is
parsed (lxml) to find its records and the next token. Prints records per second with
the machine and date; the target is 3,000 records/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import urllib.parse
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_api import (
    POSTGRES,
    Client,
    _free_port,
    build_site,
    site_env,
    start_server,
)

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def harvest(client: Client, prefix: str) -> dict[str, float]:
    """One complete ListRecords harvest: records, pages, bytes and seconds."""
    started = time.perf_counter()
    records = pages = size = deleted = 0
    path = f"/oai?verb=ListRecords&metadataPrefix={prefix}"
    while path:
        _ms, status, body = client.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        root = etree.fromstring(body)
        error = root.find(f"{OAI}error")
        if error is not None:
            raise SystemExit(f"OAI error {error.get('code')}: {error.text}")
        headers = root.findall(f".//{OAI}header")
        records += len(headers)
        deleted += sum(1 for h in headers if h.get("status") == "deleted")
        pages += 1
        size += len(body)
        token = root.findtext(f".//{OAI}resumptionToken")
        path = "/oai?verb=ListRecords&resumptionToken=" + urllib.parse.quote(token) if token else ""
    seconds = time.perf_counter() - started
    return {
        "records": records,
        "deleted": deleted,
        "pages": pages,
        "megabytes": size / 1e6,
        "seconds": seconds,
        "per_second": records / seconds if seconds else 0.0,
    }


def cpu_here(prefixes: list[str], rounds: int) -> None:
    """In the site's environment (a child process): the server's own CPU time for whole
    harvests through Django's test client, best of `rounds`. Unlike records/s over HTTP,
    it hardly moves when other work shares the machine, so two versions of the code
    can be compared while a benchmark build runs."""
    import json
    import re

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client as DjangoClient

    settings.ALLOWED_HOSTS = ["*"]
    token = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
    results = {}
    for prefix in prefixes:
        best, titles = float("inf"), 0
        for _round in range(rounds + 1):  # the first round warms up
            client = DjangoClient()
            path = f"/oai?verb=ListRecords&metadataPrefix={prefix}"
            started, titles = time.process_time(), 0
            while path:
                body = client.get(path).content
                titles += body.count(b"<header")
                found = token.search(body)
                path = (
                    "/oai?verb=ListRecords&resumptionToken=" + found.group(1).decode()
                    if found
                    else ""
                )
            if _round:
                best = min(best, time.process_time() - started)
        results[prefix] = {"titles": titles, "cpu_seconds": best}
    print(json.dumps(results))


def print_cpu(env: dict[str, str], prefixes: list[str], rounds: int) -> int:
    import json
    import subprocess

    command = [sys.executable, __file__, "--cpu-here", "--cpu", str(rounds)]
    command += [f"--prefix={prefix}" for prefix in prefixes]
    done = subprocess.run(command, env=env, text=True, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the in-process harvest failed:\n{done.stderr[-3000:]}")
    results = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"date: {dt.date.today()}  machine: {platform.machine()}, {os.cpu_count()} cores; "
          f"server CPU time of a whole harvest, best of {rounds}")  # fmt: skip
    table(
        ["format", "titles", "CPU seconds", "titles per CPU second"],
        [
            [prefix, f"{r['titles']:,}", f"{r['cpu_seconds']:.2f}",
             f"{r['titles'] / r['cpu_seconds']:,.0f}"]
            for prefix, r in results.items()
        ],
    )  # fmt: skip
    return 0


def table(headings: list[str], rows: list[list[str]]) -> None:
    """A Markdown table for docs/benchmarks.md, numbers right-aligned."""
    print("| " + " | ".join(headings) + " |")
    print("|---|" + "---:|" * (len(headings) - 1))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES, help="server for --database postgres")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--rebuild", action="store_true", help="build the site again")
    parser.add_argument("--data-dir", help="harvest an existing site instead (e.g. ./data)")
    parser.add_argument("--prefix", action="append", choices=["marcxml", "oai_dc"])
    parser.add_argument(
        "--cpu", type=int, metavar="ROUNDS", help="measure CPU seconds in-process instead"
    )
    parser.add_argument("--cpu-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    prefixes = args.prefix or ["marcxml", "oai_dc"]
    if args.cpu_here:
        cpu_here(prefixes, args.cpu or 3)
        return 0
    env, folder = site_env(args)
    if args.data_dir:
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        build_site(args, env, folder)
    if args.cpu:
        return print_cpu(env, prefixes, args.cpu)
    port = _free_port()
    server = start_server(env, port, args.workers)
    try:
        client = Client(port)
        results = {prefix: harvest(client, prefix) for prefix in prefixes}
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()
    print()
    print(f"date: {dt.date.today()}  machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"load average after the run {load[0]:.1f}")  # fmt: skip
    database = "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(f"database: {database}; server: simpul serve, {args.workers} worker(s)")
    print()
    table(
        ["format", "titles", "pages", "MB", "seconds", "records/s"],
        [
            [prefix, f"{r['records']:,.0f}", f"{r['pages']:.0f}", f"{r['megabytes']:.1f}",
             f"{r['seconds']:.1f}", f"{r['per_second']:,.0f}"]
            for prefix, r in results.items()
        ],
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
