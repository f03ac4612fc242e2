"""Reading alone: records a second for each member file's format, no database.

Usage:
    uv run python bench/read_throughput.py --records 40000

Writes the generated network catalogue (``simpul.catalog.synthetic``: MARC, MARCXML and
CSV files in each library's style) and reads every file with the import's reader,
records prepared for the matcher as the reading process prepares them. Each file is read
three times; the best time counts. Reading runs beside the writing in an import or a
harvest (a second process), so it bounds neither alone, but every record pays it, and
`simpul reindex --reread` and uploads below 4 MB read in the job's own process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simpul.settings")
os.environ.setdefault("SIMPUL_DATA_DIR", tempfile.mkdtemp(prefix="simpul-read-bench-"))

import django

django.setup()

from simpul.catalog.readers import read_records  # noqa: E402
from simpul.catalog.services.reading import _ready  # noqa: E402
from simpul.catalog.synthetic import write_member_files  # noqa: E402

RUNS = 3


def _read(path: Path) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _run in range(RUNS):
        started = time.perf_counter()
        with path.open("rb") as handle:
            count = sum(1 for item in read_records(handle) if _ready(item))  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return count, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="simpul-read-bench-files-"))
    files = write_member_files(folder, args.records, seed=args.seed)
    by_format: dict[str, list[float]] = {}
    for code, path in files:
        count, seconds = _read(path)
        kind = {".mrc": "MARC", ".xml": "MARCXML"}.get(path.suffix, "CSV")
        totals = by_format.setdefault(kind, [0, 0.0])
        totals[0] += count
        totals[1] += seconds
        print(
            f"{code:<14} {kind:<8} {count:>7,} records {seconds:6.2f} s {count / seconds:8,.0f}/s"
        )
    print()
    print(
        f"date: {dt.date.today()}; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; best of {RUNS}"
    )
    for kind, (count, seconds) in sorted(by_format.items()):
        rate = count / seconds
        print(f"{kind:<8} {int(count):>7,} records in {seconds:.2f} s: {rate:,.0f} records/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
