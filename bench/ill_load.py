# ruff: noqa: E501  (the seeding script is passed to a child process as one string)
"""Interlibrary loan under load: a semester of requests, then 50 people at once.

Usage:
    uv run python bench/ill_load.py                          # 100,000 requests, 50 libraries
    uv run python bench/ill_load.py --requests 20000 --seconds 30   # a shorter run

Builds a site (SQLite in a temporary folder, or --database-url): 50 member libraries
under one agreement covering loans and copies, a librarian and 20 patrons each, a
catalogue of titles held by one to five libraries with item status, and a semester of
requests spread over the libraries in every status (bulk-written, with their first
message). Starts ``simpul serve`` on loopback, then runs 50 concurrent users for the
given time: half are patrons creating requests through the real form (GET the form, POST
it: the POST is measured), half are staff opening their interlibrary loan desk (the
queue page, measured). Each user keeps its own connection and session and pauses
between actions as a person does (``--think``: uniformly 0 to twice the given mean
seconds; ``--think 0`` sends the next request the moment the last one answers, which
measures the server saturated rather than people using it). Prints p50/p95/p99 for both,
the requests per second served and the machine; the target is p95 ≤ 200 ms.
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
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SEED = r"""
import datetime as dt, json, random, sys
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.utils import timezone
from simpul.accounts.models import User
from simpul.agreements.models import Agreement, CoveredService, Party
from simpul.catalog.models import Cluster, Holding, Record
from simpul.ill.models import IllMessage, IllRequest, LendingPolicy, Status
from simpul.network.models import Library, Network

libraries_n, titles_n, requests_n, seed = (int(a) for a in sys.argv[1:5])
rng = random.Random(seed)
libs = Library.objects.bulk_create(
    [Library(code=f"L{i:02d}", name=f"Perpustakaan {i:02d}", library_type="university",
             city=f"Kota {i % 7}") for i in range(1, libraries_n + 1)]
)
Network.objects.create(name="Jaringan uji beban", short_name="JUB", coordinator=libs[0])
mou = Agreement.objects.create(kind="mou", title="MoU", status="active", start_date=dt.date(2020, 1, 1))
Party.objects.bulk_create([Party(agreement=mou, library=lib) for lib in libs])
CoveredService.objects.bulk_create(
    [CoveredService(agreement=mou, service=s) for s in ("ill_loan", "ill_copy")]
)
LendingPolicy.objects.bulk_create(
    [LendingPolicy(library=lib, max_open_per_patron=30000, max_open_per_library=30000) for lib in libs]
)
staff, patrons = [], []
for lib in libs:
    staff.append(User(username=f"staf.{lib.code}", role="librarian", library=lib, password="!"))
    for p in range(20):
        patrons.append(User(username=f"pemustaka.{lib.code}.{p}", role="patron", library=lib,
                            member_number=f"{lib.code}-{p}", password="!"))
User.objects.bulk_create(staff + patrons, batch_size=2000)
staff = list(User.objects.filter(role="librarian"))
patrons = list(User.objects.filter(role="patron"))
clusters = Cluster.objects.bulk_create([Cluster(title=f"Judul uji {i}") for i in range(titles_n)], batch_size=5000)
records, holdings = [], []
for cluster in clusters:
    for lib in rng.sample(libs, rng.randint(1, 5)):
        records.append(Record(library=lib, local_id=f"{lib.code}-{cluster.pk}", source_format="marc21",
                              raw=b"", raw_hash="x", title=cluster.title, cluster=cluster))
Record.objects.bulk_create(records, batch_size=5000)
for record in Record.objects.all().only("pk", "library_id"):
    holdings.append(Holding(record_id=record.pk, library_id=record.library_id,
                            status=rng.choice(["available", "available", "on_loan"])))
Holding.objects.bulk_create(holdings, batch_size=5000)
statuses = [s.value for s in Status]
weights = [1 if s in ("submitted", "RequestReceived", "Loaned", "Received", "ShippedReturn") else 3
           if s in ("LoanCompleted", "CopyCompleted") else 0.3 for s in statuses]
now = timezone.now()
made = []
by_library = {}
for p in patrons:
    by_library.setdefault(p.library_id, []).append(p)
lib_ids = [lib.pk for lib in libs]
for i in range(requests_n):
    patron = rng.choice(patrons)
    status = rng.choices(statuses, weights)[0]
    supplier = None if status in ("submitted", "info_requested", "rejected") else rng.choice(
        [x for x in lib_ids if x != patron.library_id])
    made.append(IllRequest(service=rng.choice(["loan", "loan", "copy"]), status=status,
        requesting_library_id=patron.library_id, supplier_id=supplier, patron=patron,
        title=f"Judul uji {rng.randrange(titles_n)}", created_at=now - dt.timedelta(minutes=rng.randrange(180 * 24 * 60)),
        due_on=(now + dt.timedelta(days=rng.randint(-10, 20))).date() if status in ("Loaned", "Received") else None))
IllRequest.objects.bulk_create(made, batch_size=5000)
IllMessage.objects.bulk_create(
    [IllMessage(request_id=pk, side="patron", action="request", to_status="submitted", at=at)
     for pk, at in IllRequest.objects.values_list("pk", "created_at")], batch_size=5000)

def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "simpul.accounts.backends.ThrottledModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

print(json.dumps({
    "staff": [session_for(u) for u in staff],
    "patrons": [session_for(rng.choice(by_library[lib.pk])) for lib in libs],
    "clusters": [c.pk for c in rng.sample(clusters, min(500, len(clusters)))],
}))
"""

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """One person: a kept-alive connection with their session (and CSRF) cookies."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.cookies = {"sessionid": session, "simpul_language": "id"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.conn.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed the idle connection while the person was thinking: a browser
            # opens a new one, and so do we (the time counts from the first attempt).
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return elapsed, response.status, data

    def get(self, path: str):
        return self._send("GET", path)

    def post(self, path: str, fields: dict[str, str]):
        body = urllib.parse.urlencode(fields).encode()
        return self._send(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times) or [0.0]

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {"n": len(times), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--libraries", type=int, default=50)
    parser.add_argument("--titles", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think", type=float, default=3.0, help="mean pause between a person's actions (s)"
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="simpul-ill-bench-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "SIMPUL_DATA_DIR": str(folder / "data"),
        "SIMPUL_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "DJANGO_SETTINGS_MODULE": "simpul.settings",
        "SIMPUL_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    try:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "simpul.cli", "migrate"], env=env, cwd=ROOT, check=True
        )
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, str(args.libraries), str(args.titles), str(args.requests), str(args.seed)],
            env=env, cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if seeded.returncode != 0:
            raise SystemExit(seeded.stderr[-3000:])
        people = json.loads(seeded.stdout.strip().splitlines()[-1])
        print(
            f"Seeded {args.requests:,} requests in {time.monotonic() - started:.0f} s", flush=True
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "simpul.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers), "--threads", "8"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.3)
            result = run_load(port, people, args)
        finally:
            server.terminate()
            server.wait(30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(args, result)
    return 0


def run_load(port: int, people: dict, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    creation: list[float] = []
    queue: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    rng = random.Random(args.seed)

    served = [0]

    def pause(pick: random.Random) -> None:
        if args.think > 0:
            time.sleep(pick.uniform(0, 2 * args.think))

    def patron(session: str, seed: int) -> None:
        me = Browser(port, session)
        pick = random.Random(seed)
        pause(pick)
        while time.monotonic() < stop_at:
            cluster = pick.choice(people["clusters"])
            _t, status, page = me.get(f"/ill/new/?cluster={cluster}")
            with lock:
                served[0] += 1
            pause(pick)
            token = CSRF.search(page)
            if status != 200 or not token:
                errors.append(f"form {status}")
                continue
            elapsed, status, _body = me.post(
                "/ill/new/",
                {"csrfmiddlewaretoken": token.group(1).decode(), "cluster": str(cluster),
                 "service": "loan", "title": f"Judul uji {cluster}", "send": "1"},
            )  # fmt: skip
            with lock:
                served[0] += 1
                (creation if status == 302 else errors).append(
                    elapsed if status == 302 else f"post {status}"
                )  # type: ignore[arg-type]
            pause(pick)

    def librarian(session: str, seed: int) -> None:
        me = Browser(port, session)
        pick = random.Random(seed)
        pause(pick)
        while time.monotonic() < stop_at:
            elapsed, status, _body = me.get("/ill/")
            with lock:
                served[0] += 1
                (queue if status == 200 else errors).append(
                    elapsed if status == 200 else f"desk {status}"
                )  # type: ignore[arg-type]
            pause(pick)

    half = args.users // 2
    threads = [
        threading.Thread(target=patron, args=(s, rng.random())) for s in people["patrons"][:half]
    ]
    threads += [
        threading.Thread(target=librarian, args=(s, rng.random()))
        for s in people["staff"][: args.users - half]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"{len(errors)} failed requests, e.g. {errors[:3]}", flush=True)
    print(f"{served[0] / args.seconds:.0f} requests/s served (form pages included)", flush=True)
    return {
        "request creation (POST)": percentiles(creation),
        "desk / queue page (GET)": percentiles(queue),
    }


def report(args: argparse.Namespace, result: dict[str, dict[str, float]]) -> None:
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(
        f"\n{dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, {database}, "
        f"{args.libraries} libraries, {args.requests:,} requests, {args.users} users, "
        f"{args.seconds} s, think {args.think} s, serve --workers {args.workers}\n"
    )
    print("| measured | n | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
    for name, p in result.items():
        print(f"| {name} | {p['n']:,} | {p['p50']:.0f} | {p['p95']:.0f} | {p['p99']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
