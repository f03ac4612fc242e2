"""Keyboard use and the HTMX directory search, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page, world) -> None:
    page.goto("/libraries/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "skip link shows when focused"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside main: the search box
    expect(page.locator("#id_q")).to_be_focused()


def test_directory_search_narrows_results_without_reloading(page: Page, world) -> None:
    page.goto("/libraries/")
    count = page.get_by_test_id("directory-count")
    expect(count).to_have_text("2 libraries found")
    page.evaluate("window.__sameDocument = true")

    with page.expect_request(lambda r: "q=semarang" in r.url) as request:
        page.locator("#id_q").press_sequentially("semarang", delay=20)
    assert request.value.headers.get("hx-request") == "true"

    expect(count).to_have_text("1 library found")
    results = page.locator("#directory-results")
    expect(results.get_by_role("link", name="Beta School of Economics Library")).to_be_visible()
    expect(results.get_by_role("link", name="Alpha University Library")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/libraries/\?(.*&)?q=semarang"))
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"

    page.locator("#id_q").fill("tidak-ada")
    expect(results).to_contain_text("No member library matches")
    page.locator("#id_q").fill("")
    expect(count).to_have_text("2 libraries found")
    assert page.evaluate("window.__sameDocument") is True


def test_directory_filters_work_without_javascript(new_context: ContextFactory, world) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/libraries/")
    page.locator("#id_q").fill("bandung")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=bandung"))
    expect(page.get_by_test_id("directory-count")).to_have_text("1 library found")


def test_member_map_draws_in_indonesian_too(page_id: Page, world) -> None:
    """SVG coordinates must not take the Indonesian decimal comma ("40,0" is not a number)."""
    page_id.goto("/network/")
    expect(page_id.locator("html")).to_have_attribute("lang", "id")
    point = page_id.locator(".map a", has_text="ALPHA")
    for name in ("cx", "cy"):
        expect(point.locator("circle")).to_have_attribute(name, re.compile(r"^\d+(\.\d+)?$"))
    point.locator("circle").click()
    expect(page_id).to_have_url(re.compile(r"/libraries/ALPHA/$"))
