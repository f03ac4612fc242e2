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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES, help="server for --database postgres")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--rebuild", action="store_true", help="build the site again")
    parser.add_argument("--data-dir", help="harvest an existing site instead (e.g. ./data)")
    parser.add_argument("--prefix", action="append", choices=["marcxml", "oai_dc"])
    args = parser.parse_args()
    env, folder = site_env(args)
    if args.data_dir:
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        build_site(args, env, folder)
    port = _free_port()
    server = start_server(env, port, args.workers)
    try:
        client = Client(port)
        results = {
            prefix: harvest(client, prefix) for prefix in args.prefix or ["marcxml", "oai_dc"]
        }
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
    print("| format | titles | pages | MB | seconds | records/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for prefix, r in results.items():
        print(f"| {prefix} | {r['records']:,.0f} | {r['pages']:.0f} | {r['megabytes']:.1f} "
              f"| {r['seconds']:.1f} | {r['per_second']:,.0f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
