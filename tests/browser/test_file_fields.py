"""A file field speaks the page's language, not the browser's: a librarian whose browser is
in English reads "Pilih berkas" on an Indonesian page, and sees the names of what they chose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ContextFactory, begin_as
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "label", "choose", "none"),
    [
        ("id", "Berkas katalog", "Pilih berkas", "Belum ada berkas yang dipilih"),
        ("en", "Catalogue file", "Choose a file", "No file chosen"),
    ],
)
def test_the_import_file_field_is_in_the_page_language(
    new_context: ContextFactory,
    world: World,
    live_server: Any,
    tmp_path: Path,
    language: str,
    label: str,
    choose: str,
    none: str,
) -> None:
    # The browser asks for the other language than the page is shown in.
    browser_page = new_context(locale="en-US" if language == "id" else "id-ID").new_page()
    begin_as(browser_page, live_server.url, language, world.librarian_a, PASSWORD)
    browser_page.goto("/catalogue/imports/")
    form = browser_page.get_by_test_id("import-form")
    expect(form.get_by_test_id("file-button")).to_have_text(choose)
    expect(form.get_by_test_id("file-names")).to_have_text(none)

    field = form.get_by_label(label)
    expect(field).to_be_attached()
    exported = tmp_path / "ekspor-slims.csv"
    exported.write_text("title\nPengantar ilmu perpustakaan\n", encoding="utf-8")
    field.set_input_files(str(exported))
    expect(form.get_by_test_id("file-names")).to_have_text("ekspor-slims.csv")

    # Clicking the button opens the browser's file chooser for the same field.
    with browser_page.expect_file_chooser() as chooser:
        form.get_by_test_id("file-button").click()
    assert chooser.value.element.get_attribute("name") == field.get_attribute("name")


@pytest.mark.django_db(transaction=True)
def test_several_files_are_counted_in_indonesian(
    page: Page, world: World, live_server: Any
) -> None:
    begin_as(page, live_server.url, "id", world.librarian_a, PASSWORD)
    page.goto("/repository/")
    page.get_by_test_id("deposit-ALPHA").click()
    form = page.get_by_test_id("deposit-form")
    expect(form.get_by_test_id("file-button")).to_have_text("Pilih beberapa berkas")
    form.locator("#id_attachments").set_input_files(
        [
            {"name": "bab-1.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
            {"name": "bab-2.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
        ]
    )
    expect(form.get_by_test_id("file-names")).to_have_text("2 berkas dipilih")
