"""Import generated member files one by one with `simpul import`, the path a librarian's
file takes, printing each file's rate as the catalogue grows (import_throughput.py and
search_api.py build their sites this way)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path


def import_member_files(
    files: Iterable[Sequence[str]], env: dict[str, str], root: Path
) -> tuple[int, float]:
    """Records imported and seconds taken, over all the (library code, path) files."""
    total = 0
    started = time.monotonic()
    for code, path in files:
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "simpul.cli", "import", "--library", code, path],
            env=env, cwd=root, text=True, capture_output=True, check=False,
        )  # fmt: skip
        if done.returncode not in (0, 1):  # 1: some records could not be imported (reported)
            raise SystemExit(f"simpul import {path} failed:\n{done.stderr[-2000:]}")
        seconds = time.monotonic() - began
        found = re.search(re.escape(path) + r": (\d+)", done.stdout)
        if not found:  # refused before reading (a migration not applied, say): say why
            raise SystemExit(f"simpul import {path} read nothing:\n{done.stderr[-2000:]}")
        count = int(found.group(1))
        total += count
        print(f"{code:<14} {count:>8,} records {seconds:7.1f} s {count / seconds:7.0f}/s "
              f"(catalogue now {total:,})", flush=True)  # fmt: skip
    return total, time.monotonic() - started
