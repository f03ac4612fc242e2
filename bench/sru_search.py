"""SRU searchRetrieve latency: CQL searches through the running site, p50/p95/p99.

Usage:
    uv run python bench/sru_search.py --records 20000                       # SQLite
    uv run python bench/sru_search.py --records 1000000                     # the target size
    uv run python bench/sru_search.py --records 20000 --database postgres   # PostgreSQL

Builds (or reuses) the same site as bench/search_api.py, chooses CQL queries from what
the catalogue holds (single title words, the commonest included; `all` of two words;
`adj` phrases cut from real titles; dc.creator and dc.subject; a word with a dc.date
range; booleans with or/not; proximity), starts ``simpul serve`` on loopback and sends
``/sru?query=…&maximumRecords=10&recordSchema=marcxml`` one at a time over a kept-alive
connection: each query once to warm up, once measured (client wall time to the last
byte). Prints the machine, the date and a Markdown table; the target is p95 ≤ 100 ms at
1M records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import sys
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_api import (
    POSTGRES,
    STOP,
    Client,
    _free_port,
    build_site,
    catalogue_sample,
    percentiles,
    site_env,
    start_server,
)

WORD = re.compile(r"[a-z]{4,}")


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cql_queries(sample: dict[str, Any], count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, CQL query) pairs shaped from the catalogue's own words, names and years."""
    rng = random.Random(seed)
    words = Counter(
        w for title in sample["titles"] for w in set(WORD.findall(title.lower())) if w not in STOP
    )
    ranked = [w for w, _n in words.most_common()]
    broad, middle = ranked[:40], ranked[40:600] or ranked
    found: list[tuple[str, str]] = [("broad word", f"dc.title={w}") for w in broad]
    titled = [t for t in sample["titles"] if len(WORD.findall(t.lower())) >= 3]
    pick = rng.choice

    def two_words() -> str:
        return f"dc.title all {quoted(pick(broad) + ' ' + pick(middle))}"

    def or_not() -> str:
        return f"(dc.title={pick(broad)} or dc.title={pick(middle)}) not dc.title={pick(broad)}"

    def dated() -> str:
        return f"dc.title={pick(broad)} and dc.date>=2000 and dc.date<=2015"

    makers = [
        ("word", lambda: f"cql.anywhere={pick(middle)}"),
        ("all of two words", two_words),
        ("or / not", or_not),
        ("word + date range", dated),
    ]
    if titled:

        def phrase() -> str:
            got = WORD.findall(rng.choice(titled).lower())
            start = rng.randrange(len(got) - 1)
            return f"dc.title adj {quoted(got[start] + ' ' + got[start + 1])}"

        def near() -> str:
            got = WORD.findall(rng.choice(titled).lower())
            return f"dc.title={got[0]} prox/unit=word/distance<=3 dc.title={got[-1]}"

        makers += [("phrase", phrase), ("proximity", near)]
    if sample["authors"]:
        makers.append(("creator", lambda: f"dc.creator={quoted(rng.choice(sample['authors']))}"))
    if sample["subjects"]:
        makers.append(("subject", lambda: f"dc.subject={quoted(rng.choice(sample['subjects']))}"))
    while len(found) < count:
        kind, make = rng.choice(makers)
        found.append((kind, make()))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES, help="server for --database postgres")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rebuild", action="store_true", help="build the site again")
    parser.add_argument("--data-dir", help="measure an existing site instead (e.g. ./data)")
    args = parser.parse_args()
    env, folder = site_env(args)
    if args.data_dir:
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        build_site(args, env, folder)
    sample = catalogue_sample(env)
    queries = cql_queries(sample, args.queries, args.seed)
    port = _free_port()
    server = start_server(env, port, args.workers)
    times: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    totals: list[int] = []
    try:
        client = Client(port)
        for kind, query in queries:
            path = "/sru?" + urllib.parse.urlencode(
                {"query": query, "maximumRecords": 10, "recordSchema": "marcxml"}
            )
            client.get(path)
            elapsed, status, body = client.get(path)
            if status != 200 or b"diagnostic" in body:
                raise SystemExit(f"{query!r} failed: {body[:500]!r}")
            total = re.search(rb"numberOfRecords>(\d+)<", body)
            totals.append(int(total.group(1)) if total else 0)
            times.append(elapsed)
            by_kind[kind].append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()
    print()
    print(f"date: {dt.date.today()}  machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"load average after the run {load[0]:.1f}")  # fmt: skip
    database = "postgres" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    print(f"database: {database}; records: {sample['records']:,}; titles: {sample['count']:,}; "
          f"queries: {len(queries)}; broadest total {max(totals):,}")  # fmt: skip
    print()
    print("| searchRetrieve (10 MARCXML records) | n | p50 | p95 | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [("all queries", times), *sorted(by_kind.items())]
    for name, values in rows:
        p = percentiles(values)
        print(f"| {name} | {len(values)} | {p['p50']:.1f} ms | {p['p95']:.1f} ms "
              f"| {p['p99']:.1f} ms | {p['max']:.1f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
