"""SLiMS UCS pushes against a running site: how long SLiMS's librarian waits for an upload.

Usage (on the demo site, `make demo` running on port 8000):
    .venv/bin/simpul ucs-node UNIBA slims-bench        # prints the node's password
    uv run python bench/ucs_push.py --url http://127.0.0.1:8000 --node slims-bench \\
        --password PASSWORD [--pushes 20] [--size 50]

Each push is what SLiMS's ucs_upload.php sends: `--size` rows of its biblio query, built
from the real records of ../shared/data/indonesian/ucm_perpustakaan_buku-sample.csv (a
university library's SLiMS-style export), each push with new biblio_ids, so every record
is new to the catalogue and is checked, clustered and indexed before the answer. Prints
the time of each push, the median and records per second, with the machine and date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import statistics
import time
import urllib.request
from itertools import cycle
from pathlib import Path
from typing import Any

SAMPLE = (
    Path(__file__).resolve().parents[2] / "shared/data/indonesian/ucm_perpustakaan_buku-sample.csv"
)


def slims_rows() -> list[dict[str, Any]]:
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "title": row["judulbuku"].strip(),
            "gmd_name": "Text",
            "edition": "",
            "isbn_issn": "",
            "publisher_name": row["publisher"],
            "publish_year": row["tahun"],
            "collation": "",
            "series_title": "",
            "call_number": row["kodebuku"],
            "language_id": "id",
            "language_name": "Indonesia",
            "place_name": row["kota"],
            "classification": "",
            "notes": "",
            "frequency": None,
            "authors": [
                {"name": name.strip(), "level": "1" if i == 0 else "2", "type": "p"}
                for i, name in enumerate(row["author"].split(","))
                if name.strip()
            ],
            "subjects": [],
        }
        for row in rows
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--node", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args()
    source = cycle(slims_rows())
    start_id = int(time.time()) * 100  # new biblio_ids on every run
    seconds: list[float] = []
    for push in range(args.pushes):
        data = {}
        for i in range(args.size):
            biblio_id = str(start_id + push * args.size + i)
            data[biblio_id] = {**next(source), "biblio_id": biblio_id}
        body = json.dumps(
            {"node_info": {"id": args.node, "password": args.password}, "node_data": data}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the operator's own site)
            f"{args.url}/ucpoll.php", data=body, headers={"Content-type": "text/json"}
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            answer = json.loads(response.read())
        seconds.append(time.monotonic() - started)
        if answer["status"] not in ("UPLOADED", "PARTIAL"):
            raise SystemExit(f"push {push + 1}: {answer}")
    median = statistics.median(seconds)
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {os.cpu_count()} cores, {dt.date.today()}")
    print("seconds a push:", " ".join(f"{s:.2f}" for s in seconds))
    print(f"median {median:.2f} s for {args.size} records: {args.size / median:.0f} records/s")


if __name__ == "__main__":
    main()
