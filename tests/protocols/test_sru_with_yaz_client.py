"""A real third-party SRU client, Debian's yaz-client, searches /sru over loopback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

YAZ_CLIENT = shutil.which("yaz-client")


def run_yaz(base_url: str, version: str, commands: list[str], folder: Path) -> str:
    if YAZ_CLIENT is None:
        pytest.fail("yaz-client is missing: run `make browser` (installs Debian's yaz).")
    script = folder / f"commands-{version}"
    script.write_text("\n".join([f"sru get {version}", f"open {base_url}/sru", *commands, "quit"]))
    done = subprocess.run(
        [YAZ_CLIENT, "-f", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_yaz_client_searches_shows_and_scans(
    transactional_db: None, live_server: Any, catalogue, tmp_path: Path, version: str
) -> None:
    output = run_yaz(
        live_server.url,
        version,
        [
            "querytype cql",
            "schema marcxml",
            "find dc.title=hukum",
            "show 1+2",
            "schema dc",
            'find dc.title any "hukum pajak" and dc.date>=1990 sortby dc.date/sort.descending',
            "show 1+1",
            "find dc.nosuch=x",
            "find (dc.title=",
            "scan dc.title=hukum",
        ],
        tmp_path,
    )
    assert "Connecting...OK" in output
    assert "Number of hits: 12" in output
    assert "pos=1 schema=info:srw/schema/1/marcxml-v1.1" in output
    assert "pos=2 schema=info:srw/schema/1/marcxml-v1.1" in output
    assert '<datafield tag="852"' in output
    assert "schema=info:srw/schema/1/dc-v1.1" in output
    assert "<dc:title>" in output
    assert "SRW diagnostic info:srw/diagnostic/1/16" in output
    assert "Details: dc.nosuch" in output
    assert "SRW diagnostic info:srw/diagnostic/1/10" in output
    assert "Received SRW Scan Response" in output
    assert "hukum: 12 first hukum" in output
