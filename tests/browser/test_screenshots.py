"""The main pages fit the screen in both languages, on a desktop and on a phone.

Every page is checked for sideways overflow (the mistake that makes a phone user
scroll left and right) and saved as a screenshot for a person to look at: into
SIMPUL_SCREENSHOTS when set (`uv run python bench/screenshots.py` sets it to
.reports/screens/), else into the test's temporary folder. Uses the demo network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from simpul.accounts.models import User
from simpul.catalog.models import Record
from simpul.core.demo import DEMO_PASSWORD as PASSWORD
from simpul.core.demo import load_demo_catalogue, load_demo_network
from simpul.ill.demo import load_demo as load_demo_ill
from tests.browser.conftest import ContextFactory, begin_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
]

DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
PUBLIC = {"home": "/", "directory": "/libraries/", "member": "/libraries/UNIBA/"}
# Pages a person reaches after signing in: (name, who, address).
SIGNED_IN = [
    ("profile", "mahasiswa.uniba", "/accounts/profile/"),
    ("staff", "pustakawan.uniba", "/libraries/UNIBA/staff/"),
    ("edit", "pustakawan.uniba", "/libraries/UNIBA/edit/"),
    ("refused", "pustakawan.uniba", "/libraries/STIEP/staff/"),
    ("agreements", "pustakawan.uniba", "/agreements/"),
]
# On a desktop a wide table shows every column; only on a phone does its box scroll.
TABLES_HIDDEN = """Array.from(document.querySelectorAll('.table-scroll'))
    .filter(box => box.scrollWidth > box.clientWidth + 1).length"""


def assert_fits(page: Any, name: str) -> None:
    # Against the layout's width, not window.innerWidth: a phone browser widens its window
    # to whatever the page overflows to, and then nothing ever seems too wide.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{name}: {overflow}px wider than the screen"
    assert page.locator("h1").first.is_visible(), f"{name}: no visible heading"


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("language", ["id", "en"])
def test_main_pages_fit_the_screen(
    new_context: ContextFactory,
    live_server: Any,
    db: None,
    tmp_path: Path,
    language: str,
    device: str,
) -> None:
    folder = Path(os.environ.get("SIMPUL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    load_demo_network()
    context = new_context(locale="id-ID", **DEVICES[device])
    context.add_cookies([{"name": "simpul_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    pages = dict(PUBLIC, network="/network/", sign_in="/accounts/sign-in/")
    for name, address in pages.items():
        page.goto(address)
        page.screenshot(path=folder / f"{language}-{device}-{name}.png", full_page=True)
        assert_fits(page, name)
    for name, username, address in SIGNED_IN:
        begin_as(page, live_server.url, language, User.objects.get(username=username), PASSWORD)
        page.goto(address)
        page.screenshot(path=folder / f"{language}-{device}-{name}.png", full_page=True)
        assert_fits(page, name)
        if device == "desktop":
            assert page.evaluate(TABLES_HIDDEN) == 0, f"{name}: a table hides columns"
    if device == "desktop":  # the skip link, as a keyboard user first sees it
        page.goto("/")
        page.keyboard.press("Tab")
        page.screenshot(path=folder / f"{language}-{device}-skip-link.png")


# Pages with tables, forms and charts that staff and patrons open on their phones: each
# table scrolls in its own box, the page itself never sideways. (name, who, address)
WORKING_PAGES = [
    ("search", "mahasiswa.uniba", "/catalogue/?q=pelangi"),
    ("my-requests", "mahasiswa.uniba", "/ill/mine/"),
    ("my-visits", "mahasiswa.uniba", "/visits/"),
    ("imports", "pustakawan.uniba", "/catalogue/imports/"),
    ("ill-desk", "pustakawan.uniba", "/ill/"),
    ("visitors", "pustakawan.uniba", "/visitors/"),
    ("cards", "pustakawan.uniba", "/cards/"),
    ("ill-statistics", "koordinator", "/ill/statistics/"),
    ("library-edit", "koordinator", "/libraries/UNIBA/edit/"),
]


@pytest.mark.parametrize("language", ["id", "en"])
def test_working_pages_fit_a_phone(
    new_context: ContextFactory,
    live_server: Any,
    db: None,
    files_apart: None,
    tmp_path: Path,
    language: str,
) -> None:
    folder = Path(os.environ.get("SIMPUL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    network = load_demo_network()
    load_demo_catalogue(generated_records=400)  # real sample records and available copies
    assert load_demo_ill(network) > 0
    laskar = Record.objects.get(title="Laskar pelangi").cluster_id
    context = new_context(locale="id-ID", **DEVICES["mobile"])
    page = context.new_page()
    pages = [("title", "pustakawan.uniba", f"/catalogue/{laskar}/"), *WORKING_PAGES]
    for name, username, address in pages:
        begin_as(page, live_server.url, language, User.objects.get(username=username), PASSWORD)
        page.goto(address)
        page.screenshot(path=folder / f"{language}-mobile-{name}.png", full_page=True)
        assert_fits(page, name)
        assert page.locator("table, form").count() > 0, f"{name}: nothing to lay out"
