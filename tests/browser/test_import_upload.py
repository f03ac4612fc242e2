"""A librarian brings a catalogue file in through the browser, in both languages: upload →
the page follows the import by itself → the problems can be downloaded → the titles are
in the catalogue."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import World
from tests.worker import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Good records and broken ones in one file: the import goes on past the broken ones.
FILE = "broken/pymarc-bad_records.mrc"
GOOD_FILE = "marc21/traject-test_data.utf8.mrc"


def upload_and_follow(page: Page, path: Path, choose: str, finished: str) -> None:
    page.get_by_test_id("imports-link").click()
    expect(page).to_have_url(re.compile(r"/catalogue/imports/$"))
    page.get_by_label(choose).set_input_files(str(path))
    page.get_by_test_id("import-form").locator("button[type=submit]").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    page.evaluate("window.__sameDocument = true")
    run_worker()  # what `simpul worker` does beside the web server
    # The page polls by itself: no reload, the same document shows the result.
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=10_000)
    expect(progress).to_contain_text(finished)
    assert page.evaluate("window.__sameDocument") is True


@pytest.mark.django_db(transaction=True)
def test_a_librarian_imports_a_file_with_bad_records_in_english(
    page: Page, world: World, shared_data: Path
) -> None:
    sign_in(page, world.librarian_a)
    upload_and_follow(page, shared_data / FILE, "Catalogue file", "Finished")
    assert int(page.get_by_test_id("count-failed").inner_text()) >= 1
    page.reload()
    with page.expect_download() as download:
        page.get_by_test_id("problems-csv").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["position", "identifier", "byte offset", "reason"]
    assert len(rows) >= 2 and rows[1][3]
    expect(page.get_by_test_id("import-problems")).to_contain_text(rows[1][3][:30])


@pytest.mark.django_db(transaction=True)
def test_a_librarian_imports_a_file_in_indonesian_and_finds_the_titles(
    page_id: Page, world: World, shared_data: Path
) -> None:
    page = page_id
    sign_in(page, world.librarian_a)
    upload_and_follow(page, shared_data / GOOD_FILE, "Berkas katalog", "Selesai")
    page.reload()
    expect(page.get_by_test_id("no-problems")).to_be_visible()
    page.goto("/catalogue/?q=title:kazakhskoi")
    expect(page.get_by_test_id("result-count")).to_contain_text(re.compile(r"[1-9]"))
