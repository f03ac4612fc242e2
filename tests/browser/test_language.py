"""The language switch in the header: Indonesian ⇄ English, remembered across visits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def expect_language(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    switch = page.locator("header form.language-switch")
    other = "en" if code == "id" else "id"
    expect(switch.locator(f"button[value={code}]")).to_have_attribute("aria-pressed", "true")
    expect(switch.locator(f"button[value={other}]")).to_have_attribute("aria-pressed", "false")


def switch_to(page: Page, code: str) -> None:
    name = "English" if code == "en" else "Bahasa Indonesia"
    page.locator("header form.language-switch").get_by_role("button", name=name).click()
    expect_language(page, code)


def test_visitor_switches_language_and_the_choice_is_remembered(page_id: Page, world) -> None:
    page = page_id
    page.goto("/libraries/ALPHA/")
    expect_language(page, "id")  # the browser asks for Indonesian, the site's own language
    expect(page.get_by_role("heading", level=1)).to_have_text("Perpustakaan Universitas Alpha")

    switch_to(page, "en")
    expect(page).to_have_url(re.compile(r"/libraries/ALPHA/$"))  # back where the visitor was
    nav = page.locator("header nav")
    expect(nav.get_by_role("link", name="Members", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha University Library")
    expect(page.get_by_role("heading", name="Opening hours")).to_be_visible()

    page.goto("/")  # a new page load keeps English (cookie)
    expect_language(page, "en")
    expect(page.locator("footer")).to_contain_text("open platform for library cooperation")

    switch_to(page, "id")
    page.reload()
    expect_language(page, "id")
    # ---- INDONESIAN STRING: passes once the Indonesian .po translations land. ----
    expect(nav.get_by_role("link", name="Anggota", exact=True)).to_be_visible()


def test_signed_in_choice_is_stored_in_the_profile(new_context: ContextFactory, world) -> None:
    librarian = world.librarian_a
    page = new_context(locale="id-ID").new_page()
    sign_in(page, librarian)
    expect_language(page, "id")
    switch_to(page, "en")
    librarian.refresh_from_db()
    assert librarian.preferred_language == "en"

    sign_out(page)
    sign_in(page, librarian)
    expect_language(page, "en")

    # Another device, no cookie, a browser that asks for Indonesian: the profile wins.
    other = new_context(locale="id-ID").new_page()
    other.goto("/")
    expect_language(other, "id")
    sign_in(other, librarian)
    expect_language(other, "en")
    other.goto("/libraries/")
    expect_language(other, "en")
