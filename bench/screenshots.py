"""Take screenshots of the main pages in Indonesian and English, on desktop and mobile.

    uv run python bench/screenshots.py [folder]     # default: .reports/screens/

Runs tests/browser/test_screenshots.py (demo network, live server, Debian chromium) with
SIMPUL_SCREENSHOTS set; files are named <language>-<device>-<page>.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    folder = Path(argv[0]).resolve() if argv else ROOT / ".reports" / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["SIMPUL_SCREENSHOTS"] = str(folder)
    os.chdir(ROOT)
    code = pytest.main(["-q", "tests/browser/test_screenshots.py"])
    print(f"screenshots in {folder}")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
