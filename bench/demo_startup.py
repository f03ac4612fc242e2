"""How long `make demo` takes from a clean clone to a served page, first and second run.

Usage: uv run python bench/demo_startup.py [--cold-cache] [--port 8765]

Clones the current commit into a temporary folder, runs `make demo` there and
polls the home page until it answers; then stops the server and does it again
(the second run reuses ./data). With --cold-cache uv gets an empty package cache,
so the first run includes downloading every package.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def served(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except OSError:
        return False


def time_demo(clone: Path, port: int, env: dict[str, str]) -> float:
    started = time.monotonic()
    process = subprocess.Popen(
        ["make", "demo", f"DEMO_ARGS=--port {port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not served(f"http://127.0.0.1:{port}/"):
            if process.poll() is not None:
                raise SystemExit(f"make demo stopped with exit code {process.returncode}")
            if time.monotonic() - started > 900:
                raise SystemExit("no page after 15 minutes")
            time.sleep(0.1)
        return time.monotonic() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cold-cache", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "simpul"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
        env.pop("SIMPUL_DATA_DIR", None)
        env.pop("DATABASE_URL", None)
        if args.cold_cache:
            env["UV_CACHE_DIR"] = str(Path(tmp) / "uv-cache")
        first = time_demo(clone, args.port, env)
        second = time_demo(clone, args.port, env)
    cache = "cold" if args.cold_cache else "warm"
    print(f"make demo, clean clone to served page ({cache} package cache): first run {first:.1f} s")
    print(f"make demo, second run (data reused): {second:.1f} s")


if __name__ == "__main__":
    main()
