"""The pages pass Deque's axe-core checks (WCAG 2.1 A/AA and best practice) in both
languages: labels, headings in order, names for images and controls, contrast, landmarks,
valid ARIA. A page that gains a fault fails here, with axe's own explanation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from simpul.accounts.models import User
from simpul.catalog.models import Record
from simpul.core.demo import DEMO_PASSWORD, load_demo_catalogue, load_demo_network
from simpul.ill.demo import load_demo as load_demo_ill
from simpul.repository.demo import load_demo as load_demo_repository
from tests.browser.conftest import ContextFactory, begin_as

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# (who, address); None: not signed in. "{title}" is a title page with copies.
PAGES: list[tuple[str | None, str]] = [
    (None, "/"),
    (None, "/catalogue/?q=pelangi"),
    (None, "/catalogue/?q=zzqxj+pelangi"),
    (None, "{title}"),
    (None, "/libraries/"),
    (None, "/libraries/UNIBA/"),
    (None, "/new/"),
    (None, "/serials/"),
    (None, "/repository/"),
    (None, "/network/"),
    (None, "/accounts/sign-in/"),
    ("mahasiswa.uniba", "/card/"),
    ("mahasiswa.uniba", "/visits/"),
    ("mahasiswa.uniba", "/ill/mine/"),
    ("pustakawan.uniba", "/catalogue/imports/"),
    ("pustakawan.uniba", "/harvesting/"),
    ("pustakawan.uniba", "/ill/"),
    ("pustakawan.uniba", "/cards/"),
    ("pustakawan.uniba", "/visitors/"),
    ("pustakawan.uniba", "/visitors/desk/"),
    ("pustakawan.uniba", "/libraries/UNIBA/edit/"),
    ("koordinator", "/ill/statistics/"),
    ("koordinator", "/agreements/"),
    ("koordinator", "/agreements/network/"),
    ("koordinator", "/repository/staff/"),
]


def _faults(result: Any) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_pages_pass_axe(
    new_context: ContextFactory, live_server: Any, db: None, files_apart: None, language: str
) -> None:
    network = load_demo_network()
    load_demo_catalogue(generated_records=400)
    load_demo_repository(network)
    load_demo_ill(network)
    title = f"/catalogue/{Record.objects.get(title='Laskar pelangi').cluster_id}/"
    context = new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    axe = Axe()
    signed_in_as: str | None = ""  # nobody yet, not even a visitor
    found: dict[str, list[str]] = {}
    for who, address in PAGES:
        if who != signed_in_as:
            person = User.objects.get(username=who) if who else None
            begin_as(page, live_server.url, language, person, DEMO_PASSWORD)
            signed_in_as = who
        response = page.goto(address.format(title=title))
        assert response is not None and response.status == 200, address
        if who is None:  # a signed-in person's own language setting may win over the cookie
            assert page.locator("html").get_attribute("lang") == language, address
        if faults := _faults(axe.run(page)):
            found[address] = faults
    assert found == {}
