"""The repository's main journey in a real browser, in both languages: a librarian
deposits a thesis under embargo → a reviewer approves and publishes it → the public sees
the description but not the file → on the embargo date (the repository's clock moved) the
file downloads and the download count rises."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from simpul.repository.models import StoredFile
from tests.browser.conftest import sign_in, sign_out
from tests.conftest import World
from tests.repository.conftest import make_pdf, repository_dir  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TEXTS = {
    "en": {"embargo": "under embargo until", "submitted": "submitted for review"},
    "id": {"embargo": "diembargo sampai", "submitted": "diserahkan untuk diperiksa"},
}


def journey(page: Page, world: World, settings: Any, language: str) -> None:
    texts = TEXTS[language]
    until = dt.date.today() + dt.timedelta(days=60)
    title = f"Literasi informasi mahasiswa ({language})"

    sign_in(page, world.librarian_a)
    page.goto("/repository/")
    page.get_by_test_id("deposit-ALPHA").click()
    form = page.get_by_test_id("deposit-form")
    form.locator("#id_item_type").select_option("skripsi")
    form.locator("#id_title").fill(title)
    form.locator("#id_author_name").fill("Sari, Dewi")
    form.locator("#id_author_identifier").fill("1901234")
    form.locator("#id_advisors").fill("Wibowo, Agus; 0412345678")
    form.locator("#id_faculty").fill("Fakultas Ilmu Komunikasi")
    form.locator("#id_programme").fill("Ilmu Perpustakaan")
    form.locator("#id_year").fill("2025")
    form.locator("#id_abstract_id").fill("Penelitian tentang literasi informasi.")
    form.locator("#id_abstract_en").fill("A study of information literacy.")
    form.locator("#id_keywords").fill("literasi informasi; mahasiswa")
    form.locator("#id_licence").select_option("CC-BY-4.0")
    form.locator("#id_access_level").select_option("embargoed")
    form.locator("#id_embargo_until").fill(until.isoformat())
    form.locator("#id_attachments").set_input_files(
        [{"name": "skripsi.pdf", "mimeType": "application/pdf", "buffer": make_pdf("Bab I")}]
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(texts["submitted"])
    item_url = page.url
    assert re.search(r"/repository/items/\d+/$", item_url)
    sign_out(page)

    sign_in(page, world.admin_a)
    page.goto(item_url)
    page.get_by_test_id("approve").click()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("item-status")).to_have_count(0)  # published
    sign_out(page)

    page.goto(item_url)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.get_by_test_id("authors")).to_contain_text("Sari, Dewi")
    expect(page.get_by_test_id("no-files")).to_contain_text(texts["embargo"])
    expect(page.get_by_test_id("file-link")).to_have_count(0)
    expect(page.get_by_test_id("download-count")).to_have_text("0")
    stored = StoredFile.objects.get(item__title=title)
    file_url = item_url + f"files/{stored.pk}/skripsi.pdf"
    assert page.request.get(file_url).status == 403

    settings.REPOSITORY_TODAY = until.isoformat()  # the embargo date has come
    page.reload()
    link = page.get_by_test_id("file-link")
    expect(link).to_have_count(1)
    response = page.request.get(link.get_attribute("href") or "")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    page.reload()
    expect(page.get_by_test_id("download-count")).to_have_text("1")


@pytest.mark.usefixtures("repository_dir")
def test_repository_journey_in_english(page: Page, world: World, settings: Any) -> None:
    journey(page, world, settings, "en")


@pytest.mark.usefixtures("repository_dir")
def test_repository_journey_in_indonesian(page_id: Page, world: World, settings: Any) -> None:
    journey(page_id, world, settings, "id")
