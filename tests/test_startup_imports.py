"""Every command and helper process starts Django; imports, harvests and their helper
processes start several. Start-up must not load what only the web site or a harvest uses:
the admin's forms and registrations, the HTTP client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import World
from tests.fixtures_accounts import english_client

ROOT = Path(__file__).resolve().parents[1]
NOT_AT_START = ["django.contrib.auth.forms", "httpx", "simpul.harvest.services"]


def test_django_starts_without_the_admin_or_the_http_client(tmp_path: Path) -> None:
    code = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from simpul.harvest import adjusters\n"
        f"loaded = [name for name in {NOT_AT_START!r} if name in sys.modules]\n"
        "print(json.dumps({'loaded': loaded, 'adjusters': len(adjusters.record_adjusters)}))\n"
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="simpul.settings",
        SIMPUL_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []
    assert found["adjusters"] == 1  # the repository app's, registered at start-up all the same


def test_the_admin_is_loaded_with_the_urls(world: World) -> None:
    coordinator = english_client(world.coordinator)
    assert coordinator.get("/admin/").status_code == 200
    assert coordinator.get("/admin/repository/depositpolicy/").status_code == 200
