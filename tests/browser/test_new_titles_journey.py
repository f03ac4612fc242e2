"""New titles and serials lists in a real browser, in both languages: a patron opens the new
titles, narrows them to one library and opens their Atom feed; a librarian uploads the
library's serials list (a wrong file first, then a right one) and finds it listed."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.catalog.catalogue_world import SHARED_FILES, import_file
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SERIALS_CSV = (
    "ISSN;Judul;Penerbit;Dari;Sampai;Bentuk;Catatan\n"
    "0028-0836;Nature;Nature Portfolio;1998;sekarang;daring;Jaringan kampus\n"
    "1064-3923;Internet world;Meckler;1992;1998;cetak;\n"
)
WRONG_CSV = "ISSN;Judul\n0028-0837;Nature\n"

WORDS = {
    "en": {"new": "New titles", "upload": "Upload the list", "updated": "was updated"},
    "id": {"new": "Judul baru", "upload": "Unggah daftar", "updated": "diperbarui"},
}


@pytest.fixture
def two_catalogues(world: World, shared_data: Path) -> World:
    """ALPHA brings the Indonesian CSV, BETA a MARC file: both bring new titles this month."""
    import_file(world.librarian_a, world.library_a, shared_data / SHARED_FILES[0])
    import_file(world.librarian_b, world.library_b, shared_data / SHARED_FILES[1])
    return world


def patron_journey(page: Page, world: World, language: str) -> None:
    sign_in(page, world.patron_a)
    page.get_by_test_id("new-titles-link").click()
    expect(page).to_have_url(re.compile(r"/new/$"))
    expect(page.locator("h1")).to_have_text(WORDS[language]["new"])
    expect(page.get_by_test_id("new-titles").locator("li")).to_have_count(25)
    everything = page.get_by_test_id("new-count").inner_text()

    page.locator("#new-library").select_option("BETA")
    page.get_by_test_id("new-filters").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"library=BETA"))
    expect(page.locator("h1")).to_contain_text("Beta")
    count = page.get_by_test_id("new-count").inner_text()
    assert count != everything
    first = page.get_by_test_id("new-titles").locator("li").first
    expect(first).to_contain_text("Beta")

    feed_link = page.get_by_test_id("feed-link")
    href = feed_link.get_attribute("href")
    assert href == "/new/feed/?library=BETA"
    expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).to_have_attribute(
        "href", href
    )
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo and feed.version == "atom10" and feed.entries
    assert "Beta" in feed.feed.title
    page.goto(href)  # opened in the browser, it is the same feed
    expect(page.locator("body")).to_contain_text(feed.entries[0].title[:20])


def librarian_journey(page: Page, world: World, language: str, tmp_path: Path) -> None:
    sign_in(page, world.librarian_a)
    page.get_by_test_id("serials-link").click()
    expect(page).to_have_url(re.compile(r"/serials/$"))
    expect(page.get_by_test_id("no-serials")).to_be_visible()
    page.get_by_test_id("serials-upload-link").click()
    expect(page).to_have_url(re.compile(r"/serials/upload/$"))

    form = page.get_by_test_id("serials-upload-form")
    wrong = tmp_path / "salah.csv"
    wrong.write_bytes(WRONG_CSV.encode("cp1252"))
    form.locator("input[type=file]").set_input_files(str(wrong))
    form.locator("input[value=replace]").check()
    form.get_by_role("button", name=WORDS[language]["upload"]).click()
    errors = page.get_by_test_id("upload-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("0028-0837")
    expect(errors.locator("tbody tr")).to_have_count(1)

    right = tmp_path / "langganan.csv"
    right.write_bytes(b"\xef\xbb\xbf" + SERIALS_CSV.encode("utf-8"))
    form = page.get_by_test_id("serials-upload-form")
    form.locator("input[type=file]").set_input_files(str(right))
    form.locator("input[value=replace]").check()
    form.get_by_role("button", name=WORDS[language]["upload"]).click()
    expect(page).to_have_url(re.compile(r"/serials/\?library=ALPHA$"))
    expect(page.locator(".message")).to_contain_text(WORDS[language]["updated"])
    rows = page.get_by_test_id("serials").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Internet world")
    expect(rows.nth(1)).to_contain_text("0028-0836")
    expect(rows.nth(1)).to_contain_text("ALPHA")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "id"])
def test_new_titles_and_serials_journey(
    request: pytest.FixtureRequest, two_catalogues: World, language: str, tmp_path: Path
) -> None:
    page: Page = request.getfixturevalue("page" if language == "en" else "page_id")
    patron_journey(page, two_catalogues, language)
    # The librarian works on another device: a fresh browser context, as the other journeys do.
    new_context = request.getfixturevalue("new_context")
    desk = new_context(locale="en-US" if language == "en" else "id-ID").new_page()
    librarian_journey(desk, two_catalogues, language, tmp_path)
    assert desk.evaluate("document.documentElement.lang") == language
