"""A patron's journey through the union catalogue in a real browser, in both languages:
search → narrow by a library (no reload, shareable address) → open the title → see copies
in several libraries → download the RIS file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.catalog.catalogue_world import SHARED_FILES, import_file
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def held_by_two(world: World, shared_data: Path) -> World:
    """The same catalogue file imported by both libraries of the world."""
    path = shared_data / SHARED_FILES[0]
    import_file(world.librarian_a, world.library_a, path)
    import_file(world.librarian_b, world.library_b, path)
    return world


def journey(page: Page, search_label: str) -> None:
    page.goto("/")
    page.get_by_role("navigation").first.locator('a[href="/catalogue/"]').click()
    expect(page).to_have_url(re.compile(r"/catalogue/$"))
    page.evaluate("window.__sameDocument = true")
    box = page.locator("#catalogue-q")
    box.fill("teknik informatika")
    with page.expect_request(lambda r: "/catalogue/?q=teknik" in r.url) as request:
        box.press("Enter")
    assert request.value.headers.get("hx-request") == "true"
    count = page.get_by_test_id("result-count")
    expect(count).to_contain_text(re.compile(r"\d"))
    before = count.inner_text()

    beta = page.locator('[data-testid="facets"] a[data-facet="library"]').filter(
        has_text=re.compile("Beta")
    )
    expect(beta).to_have_attribute("href", re.compile(r"q=teknik"))  # the results came in
    with page.expect_request(lambda r: "library=BETA" in r.url) as request:
        beta.click()
    assert request.value.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"library=BETA"))
    expect(page).to_have_url(re.compile(r"q=teknik\+informatika"))
    expect(page.get_by_test_id("chosen-filter")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True, "narrowed without a reload"
    assert count.inner_text() != before or "1" in before
    # The address is shareable: opened afresh, it shows the same narrowed search.
    shared_url = page.url

    page.get_by_test_id("hits").locator("h3 a").first.click()
    expect(page).to_have_url(re.compile(r"/catalogue/\d+/$"))
    holdings = page.get_by_test_id("holdings")
    expect(holdings.locator("[data-library]")).to_have_count(2)
    expect(holdings.locator('[data-library="ALPHA"]')).to_be_visible()
    expect(holdings.locator('[data-library="BETA"]')).to_be_visible()
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    expect(page.locator("span.Z3988")).to_have_count(1)

    with page.expect_download() as download_info:
        page.locator('a[data-format="ris"]').click()
    download = download_info.value
    assert re.fullmatch(r"simpul-\d+\.ris", download.suggested_filename)
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("TY  - BOOK\r\n") and text.endswith("ER  - \r\n")

    page.goto(shared_url)
    expect(page.get_by_test_id("chosen-filter")).to_have_count(1)
    expect(page.locator("label[for=catalogue-q]")).to_have_text(search_label)


def test_the_catalogue_journey_in_english(page: Page, held_by_two: World) -> None:
    journey(page, "Search the union catalogue")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_catalogue_journey_in_indonesian(page_id: Page, held_by_two: World) -> None:
    page_id.goto("/catalogue/")
    label = page_id.locator("label[for=catalogue-q]").inner_text()
    journey(page_id, label)
    assert page_id.locator("html").get_attribute("lang") == "id"
