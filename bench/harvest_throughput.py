"""Harvest throughput from a loopback OAI-PMH server, including clustering and indexing.

Usage:
    uv run python bench/harvest_throughput.py --records 20000
    uv run python bench/harvest_throughput.py --records 20000 --database postgres
    uv run python bench/harvest_throughput.py --records 20000 --page-size 100 --latency 0.5
    uv run python bench/harvest_throughput.py --records 2000 \
        --wrap "valgrind --tool=cachegrind --trace-children=yes --cache-sim=no"

Generates a member catalogue in MARCXML (``simpul.catalog.synthetic``, the polytechnic's
style), serves it from a second process as OAI-PMH ListRecords pages of 500 records
(metadataPrefix marcxml, resumption tokens), and harvests it into a fresh site with
``simpul harvest`` — the path a scheduled harvest takes: HTTP, page repairs and
envelope, reading, storing, clustering, search index. Reports records a second for
the harvest alone (generation and site creation excluded). ``--latency`` makes the
server wait before each page, as a remote SLiMS building its page from its database does.
``--wrap`` runs the harvest command under a profiler: valgrind's instruction counts
compare two versions of the code exactly on a machine whose speed drifts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.import_throughput import _python, _run, _site_env

OAI = "http://www.openarchives.org/OAI/2.0/"
PAGE_SIZE = 500
LIBRARY = "POLTEK-CMI"


def _pages(marcxml: Path, page_size: int) -> list[bytes]:
    """The generated collection cut into OAI-PMH ListRecords pages."""
    text = marcxml.read_bytes()
    records = re.findall(rb"<record\b.*?</record>", text, flags=re.S)
    pages = []
    for start in range(0, len(records), page_size):
        body = []
        for number, record in enumerate(records[start : start + page_size], start=start + 1):
            if not record.startswith(b"<record xmlns"):
                record = b'<record xmlns="http://www.loc.gov/MARC21/slim"' + record[7:]
            body.append(
                b"<record><header><identifier>oai:bench:%d</identifier>"
                b"<datestamp>2026-11-01</datestamp></header><metadata>%s</metadata></record>"
                % (number, record)
            )
        following = start + page_size
        token = (
            b'<resumptionToken completeListSize="%d">%d</resumptionToken>'
            % (len(records), len(pages) + 1)
            if following < len(records)
            else b""
        )
        pages.append(
            b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="' + OAI.encode() + b'">'
            b"<responseDate>2026-11-23T00:00:00Z</responseDate>"
            b'<request verb="ListRecords">http://127.0.0.1/oai</request><ListRecords>'
            + b"".join(body)
            + token
            + b"</ListRecords></OAI-PMH>"
        )
    return pages


def _serve(folder: str, port_out: multiprocessing.Queue, latency: float) -> None:  # type: ignore[type-arg]
    pages = sorted(Path(folder).glob("page-*.xml"), key=lambda p: int(p.stem.split("-")[1]))
    bodies = [p.read_bytes() for p in pages]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            body = bodies[int(query.get("resumptionToken", "0"))]
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE, help="records a page")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the server takes for each page"
    )
    parser.add_argument("--wrap", default="", help="command line to run the harvest under")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="simpul-harvest-bench-"))
    env = _site_env(folder, args.database, args.postgres)
    env["SIMPUL_LANGUAGE"] = "en"  # the summary line is read below
    _run(env, "migrate")
    _python(env, "from simpul.core.demo import load_demo_network\nload_demo_network()")
    listed = _python(
        env,
        "from pathlib import Path\nfrom simpul.catalog.synthetic import write_member_files\n"
        f"for code, path in write_member_files(Path({str(folder / 'files')!r}), "
        f"{args.records}, libraries=[{LIBRARY!r}]):\n    print(path)",
    )
    pages_dir = folder / "pages"
    pages_dir.mkdir()
    pages = _pages(Path(listed.split()[0]), args.page_size)
    for number, page in enumerate(pages):
        (pages_dir / f"page-{number}.xml").write_bytes(page)
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    server = context.Process(target=_serve, args=(str(pages_dir), ports, args.latency), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    source = _python(
        env,
        "from simpul.network.models import Library\nfrom simpul.harvest.models import "
        f"HarvestSource\ns = HarvestSource.objects.create(library=Library.objects.get(code="
        f"{LIBRARY!r}), name='bench', base_url='http://127.0.0.1:{port}/oai', "
        "metadata_prefix='marcxml', schedule='manual')\nprint(s.pk)",
    ).strip()
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [*shlex.split(args.wrap), sys.executable, "-m", "simpul.cli", "harvest", LIBRARY,
         "--source", source],
        env=env, cwd=Path(__file__).resolve().parents[1], text=True, capture_output=True,
        check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    processor = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    server.terminate()
    found = re.search(r"(\d+) records read", done.stdout)
    count = int(found.group(1)) if found else 0
    print(done.stdout.strip())
    if done.returncode:
        print(done.stderr[-2000:])
    print()
    print(f"date: {dt.date.today()}; {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; database {args.database}; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{count:,} records harvested in {len(pages)} pages of {args.page_size} "
          f"(server latency {args.latency:.2f} s a page) in {elapsed:.1f} s: "
          f"{count / elapsed:.0f} records/s (HTTP + read + store + cluster + index, "
          f"process start included)")  # fmt: skip
    # Steadier than the rate on a shared machine: what the harvest and its helper
    # processes (page reader, index follower) spent, whatever else ran beside them.
    print(f"processor time of the harvest and its helper processes: {processor:.1f} s "
          f"({1000 * processor / max(1, count):.2f} ms a record)")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
