"""Search and record pages at scale, end to end through the running site.

Usage:
    uv run python bench/search_api.py --records 1000000                       # SQLite
    uv run python bench/search_api.py --records 1000000 --database postgres   # PostgreSQL
    uv run python bench/search_api.py --records 20000                         # a quick run

What it does:

1. Builds a site once per size and database, and keeps it for later runs (in
   ``data/bench/search-<database>-<records>/``; PostgreSQL in the database
   ``bench_search_<records>`` on ``--postgres``): the demo network's libraries,
   member catalogue files from ``simpul.catalog.synthetic`` (Indonesian and English
   titles with the cataloguing variation between libraries that clustering has to
   undo), each imported with ``simpul import`` — the same path a librarian's file
   takes — which also clusters the records and updates the search index.
2. Chooses the queries from what the catalogue holds (never hard-coded): broad single
   words (the commonest title words, each matching a large share of the catalogue),
   mid-frequency words, two words, phrases cut from real titles, fielded queries
   (author:, subject:, year ranges) and words with two facet filters (a holding
   library and a format), 220 in all by default.
3. Starts ``simpul serve`` on loopback (gunicorn, as deployed) and asks, one request
   at a time over a kept-alive connection:
   * ``GET /api/v1/catalogue/search?q=…`` — the first page by relevance, the total
     and all six facets counted (library, format, language, year, subject,
     availability);
   * the title page ``GET /catalogue/<id>/`` (HTML, holdings in every library) and
     ``GET /api/v1/catalogue/clusters/<id>`` for 200 titles, half of them held by
     several libraries.
   Each request runs once to warm up and once measured; the time is the client's
   wall time from sending the request to the last byte of the answer.

Prints the machine, the load average and a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from member_imports import import_member_files

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
WORD = re.compile(r"[a-z]{4,}")
STOP = {
    "dengan", "untuk", "dalam", "pada", "yang", "dari", "and", "the", "with", "from", "into",
    "oleh", "tentang", "bagi", "kepada", "sebagai", "terhadap", "atas", "edisi", "jilid",
}  # fmt: skip


def _simpul(*args: str, env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "simpul.cli", *args],
        env=env,
        cwd=ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or "") if capture else ""
        raise SystemExit(f"simpul {' '.join(args[:2])} failed ({done.returncode}) {detail}")
    return done.stdout or ""


def site_env(args: argparse.Namespace) -> tuple[dict[str, str], Path]:
    folder = ROOT / "data" / "bench" / f"search-{args.database}-{args.records}"
    if args.data_dir:
        folder = Path(args.data_dir).resolve()
    env = dict(os.environ, SIMPUL_DATA_DIR=str(folder), DJANGO_SETTINGS_MODULE="simpul.settings")
    env["PYTHONPATH"] = str(ROOT)
    if args.database == "postgres":
        parts = urllib.parse.urlsplit(args.postgres)
        name = f"bench_search_{args.records}"
        env["DATABASE_URL"] = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + name, "", "")
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'simpul.sqlite3'}"
    return env, folder


def _postgres_database(args: argparse.Namespace, *, drop_first: bool) -> None:
    import psycopg

    name = f"bench_search_{args.records}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        if drop_first:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build_site(args: argparse.Namespace, env: dict[str, str], folder: Path) -> None:
    """Once per size and database: network, generated member files, `simpul import`."""
    if (folder / "bench-ready").exists() and not args.rebuild:
        print(f"Reusing the site in {folder}", flush=True)
        return
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if args.database == "postgres":
        _postgres_database(args, drop_first=True)
    started = time.monotonic()
    _simpul("migrate", env=env)
    code = (
        "import django; django.setup()\n"
        "from simpul.core.demo import load_demo_network\n"
        "from simpul.catalog.synthetic import write_member_files\n"
        "from pathlib import Path\n"
        "import json, sys\n"
        "load_demo_network()\n"
        f"files = write_member_files(Path({str(folder / 'files')!r}), {args.records})\n"
        "print(json.dumps([[code, str(path)] for code, path in files]))\n"
    )
    (folder / "files").mkdir()
    made = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, text=True, capture_output=True
    )
    if made.returncode != 0:
        raise SystemExit(f"building the member files failed:\n{made.stderr}")
    files = json.loads(made.stdout.strip().splitlines()[-1])
    print(f"Member files written in {time.monotonic() - started:.0f} s", flush=True)
    imported, spent = import_member_files(files, env, ROOT)
    print(f"imported {imported:,} records in {spent:.0f} s: {imported / spent:.0f}/s", flush=True)
    (folder / "bench-ready").write_text(f"built in {time.monotonic() - started:.0f} s\n")
    shutil.rmtree(folder / "files", ignore_errors=True)


def sample_catalogue_here() -> dict[str, Any]:
    """Run inside the site's environment (a child process): what the catalogue holds."""
    import django

    django.setup()
    from simpul.catalog.models import Cluster, Holding, Record

    rng = random.Random(20261123)
    top = Record.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = rng.sample(range(1, top + 1), min(top, 8000))
    titles, authors, subjects, years = [], [], [], []
    chosen = Record.objects.filter(pk__in=picked, status="active").exclude(cluster=None)
    for record in chosen.defer("raw"):
        titles.append(record.title)
        authors.extend(a.split(",")[0] for a in record.authors[:1])
        subjects.extend(s.split(" -- ")[0] for s in record.subjects[:1])
        if record.year:
            years.append(record.year)
    ids = Cluster.objects.order_by("?").values_list("pk", flat=True)
    clusters = list(ids.filter(library_count__gte=2)[:100]) + list(
        ids.filter(library_count=1)[:100]
    )
    codes = Holding.objects.values_list("library__code", flat=True).distinct()
    return {
        "titles": titles,
        "authors": authors,
        "subjects": subjects,
        "years": years,
        "clusters": clusters,
        "libraries": sorted(set(codes)),
        "count": Cluster.objects.count(),
        "records": Record.objects.filter(status="active").count(),
    }


def catalogue_sample(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--sample-here"],
        env=env,
        cwd=ROOT,
        text=True,
        capture_output=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"sampling the catalogue failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def choose_queries(sample: dict[str, Any], count: int, seed: int) -> list[dict[str, Any]]:
    """Query strings and filters shaped like a day of patrons' searches, from the data."""
    rng = random.Random(seed)
    words = Counter(
        w for title in sample["titles"] for w in set(WORD.findall(title.lower())) if w not in STOP
    )
    ranked = [w for w, _n in words.most_common()]
    broad, middle = ranked[:60], ranked[60:600] or ranked
    queries: list[dict[str, Any]] = [{"q": w, "kind": "broad word"} for w in broad]
    while len(queries) < count * 0.45:
        queries.append({"q": rng.choice(middle), "kind": "word"})
    while len(queries) < count * 0.6:
        queries.append({"q": f"{rng.choice(broad)} {rng.choice(middle)}", "kind": "two words"})
    titled = [t for t in sample["titles"] if len(WORD.findall(t.lower())) >= 3]
    while len(queries) < count * 0.72 and titled:
        found = WORD.findall(rng.choice(titled).lower())
        start = rng.randrange(len(found) - 1)
        queries.append({"q": f'"{found[start]} {found[start + 1]}"', "kind": "phrase"})
    fielded: list[str] = []
    fielded += [f"author:{a.split()[0].lower()}" for a in sample["authors"] if a.split()]
    fielded += [f'subject:"{s}"' for s in sample["subjects"] if s]
    if sample["years"]:
        low = min(sample["years"])
        fielded += [f"{rng.choice(broad)} year:{y}-{y + 10}" for y in range(max(low, 1950), 2020)]
    while len(queries) < count * 0.84 and fielded:
        queries.append({"q": rng.choice(fielded), "kind": "fielded"})
    while len(queries) < count:
        queries.append(
            {
                "q": rng.choice(broad),
                "library": rng.choice(sample["libraries"]),
                "format": "book",
                "kind": "word + two filters",
            }
        )
    return queries


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--threads", "4"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start within two minutes")


class Client:
    """One kept-alive connection, as a browser or an integrating system would hold."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept-Language": "id"})
        response = self.conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return elapsed, response.status, body


def _search_path(query: dict[str, Any]) -> str:
    params = [("q", query["q"])]
    params += [(name, query[name]) for name in ("library", "format") if name in query]
    return "/api/v1/catalogue/search?" + urllib.parse.urlencode(params)


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def measure(port: int, queries: list[dict[str, Any]], clusters: list[int]) -> dict[str, Any]:
    client = Client(port)
    search_times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    totals: list[int] = []
    for query in queries:
        path = _search_path(query)
        client.get(path)
        elapsed, status, body = client.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
        answer = json.loads(body)
        if len(answer["facets"]) < 6:
            raise SystemExit(f"{path}: facets missing: {sorted(answer['facets'])}")
        totals.append(answer["total"])
        search_times.append(elapsed)
        by_kind.setdefault(query["kind"], []).append(elapsed)
    page_times: list[float] = []
    api_times: list[float] = []
    for cluster in clusters:
        for path, into in (
            (f"/catalogue/{cluster}/", page_times),
            (f"/api/v1/catalogue/clusters/{cluster}", api_times),
        ):
            client.get(path)
            elapsed, status, body = client.get(path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            into.append(elapsed)
    return {
        "search": percentiles(search_times),
        "kinds": {kind: (len(times), percentiles(times)) for kind, times in by_kind.items()},
        "record_page": percentiles(page_times),
        "record_api": percentiles(api_times),
        "totals": totals,
        "queries": len(queries),
        "pages": len(page_times),
    }


def env_database(args: argparse.Namespace) -> str:
    url = os.environ.get("DATABASE_URL", "") if args.data_dir else args.database
    return "postgres" if url.startswith("postgres") else "sqlite"


def report(args: argparse.Namespace, sample: dict[str, Any], result: dict[str, Any]) -> None:
    load = os.getloadavg()
    totals = result["totals"]
    print()
    print(f"date: {dt.date.today()}  machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"load average after the run {load[0]:.1f}")  # fmt: skip
    print(f"database: {env_database(args)}; records: {sample['records']:,}; "
          f"titles (clusters): {sample['count']:,}")  # fmt: skip
    tenth = sum(t >= sample["count"] / 10 for t in totals)
    print(f"queries: {result['queries']}; broadest total {max(totals):,}; "
          f"queries matching 100,000+: {sum(t >= 100_000 for t in totals)}; "
          f"matching 10%+ of the titles: {tenth}")  # fmt: skip
    print()
    print("| request | n | p50 | p95 | p99 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [("search (JSON API, all facets)", result["queries"], result["search"])]
    rows += [(f"of which {k}", n, v) for k, (n, v) in sorted(result["kinds"].items())]
    rows += [("title page (HTML)", result["pages"], result["record_page"])]
    rows += [("title (JSON API)", result["pages"], result["record_api"])]
    for name, count, p in rows:
        print(f"| {name} | {count} | {p['p50']:.1f} ms | {p['p95']:.1f} ms | {p['p99']:.1f} ms "
              f"| {p['max']:.1f} ms |")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=POSTGRES, help="server for --database postgres")
    parser.add_argument("--queries", type=int, default=220)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rebuild", action="store_true", help="build the site again")
    parser.add_argument(
        "--data-dir",
        help="measure an existing site instead (e.g. the demo's ./data; SQLite unless "
        "DATABASE_URL is set)",
    )
    parser.add_argument("--sample-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sample_here:
        print(json.dumps(sample_catalogue_here()))
        return 0
    env, folder = site_env(args)
    if args.data_dir:
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        build_site(args, env, folder)
    sample = catalogue_sample(env)
    queries = choose_queries(sample, args.queries, args.seed)
    port = _free_port()
    server = start_server(env, port, args.workers)
    try:
        result = measure(port, queries, sample["clusters"])
    finally:
        server.terminate()
        server.wait(30)
    report(args, sample, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
