"""The coordinator records an agreement on the form, in either language, and sees the new
link on the network view (an SVG drawn on the server: star, then a direct link makes it a
partial mesh)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from simpul.agreements.models import Agreement, Service
from simpul.agreements.services import is_service_allowed
from simpul.network.models import Library, LibraryType
from tests.browser.conftest import ContextFactory, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WORDS = {
    "en-US": {
        "agreements": "Agreements",
        "record": "Record an agreement",
        "title": "Title",
        "saved": "The agreement was saved.",
        "ill": "Interlibrary loan",
        "access": "Reciprocal access (silang layan)",
        "star": "Star",
        "partial": "Partial mesh",
        "links": "of 3 possible links between 3 members",
        "not_pdf": "This file is not a complete PDF document.",
    },
    "id-ID": {
        "agreements": "Perjanjian kerja sama",
        "record": "Catat perjanjian",
        "title": "Judul",
        "saved": "Perjanjian telah disimpan.",
        "ill": "Pinjam antarperpustakaan",
        "access": "Silang layan",
        "star": "Bintang",
        "partial": "Jaring sebagian",
        "links": "dari 3 kemungkinan hubungan antara 3 anggota",
        "not_pdf": "Berkas ini bukan dokumen PDF yang utuh.",
    },
}


def record(
    page: Page, words: dict[str, str], title: str, services: list[str], codes: list[str]
) -> None:
    page.get_by_test_id("agreements-link").click()
    page.get_by_test_id("new-agreement").click()
    expect(page.locator("h1")).to_have_text(words["record"])
    form = page.get_by_test_id("agreement-form")
    form.get_by_label(words["title"], exact=True).fill(title)
    form.locator("#id_status").select_option("active")
    form.locator("#id_start_date").fill("2026-01-01")
    form.locator("#id_end_date").fill("2030-12-31")
    for service in services:
        form.get_by_label(words[service], exact=True).check()
    for index, code in enumerate(codes):
        form.locator(f"#id_party-{index}-library").select_option(
            str(Library.objects.get(code=code).pk)
        )
    form.get_by_test_id("save-agreement").click()


@pytest.mark.parametrize("locale", ["en-US", "id-ID"])
def test_coordinator_records_an_agreement_and_sees_it_on_the_network(
    new_context: ContextFactory, world, tmp_path, locale: str
) -> None:
    words = WORDS[locale]
    Library.objects.create(
        code="GAMMA", name="Perpustakaan Gamma", library_type=LibraryType.COLLEGE
    )
    page = new_context(locale=locale).new_page()
    sign_in(page, world.coordinator)

    # A file that is not a PDF is refused with a message, and nothing is recorded.
    page.get_by_test_id("agreements-link").click()
    page.get_by_test_id("new-agreement").click()
    form = page.get_by_test_id("agreement-form")
    form.get_by_label(words["title"], exact=True).fill("MoU Alpha Beta")
    form.locator("#id_start_date").fill("2026-01-01")
    form.locator("#id_party-0-library").select_option(str(world.library_a.pk))
    form.locator("#id_party-1-library").select_option(str(world.library_b.pk))
    fake = tmp_path / "mou.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    form.locator("#id_signed_document").set_input_files(str(fake))
    form.get_by_test_id("save-agreement").click()
    expect(page.get_by_role("alert").first).to_contain_text(words["not_pdf"])
    expect(page.get_by_label(words["title"], exact=True)).to_have_value("MoU Alpha Beta")
    assert not Agreement.objects.exists()

    record(page, words, "MoU Alpha Beta", ["ill"], ["ALPHA", "BETA"])
    expect(page.locator(".messages")).to_contain_text(words["saved"])
    expect(page.locator("h1")).to_have_text("MoU Alpha Beta")
    expect(page.get_by_test_id("services")).to_contain_text(words["ill"])
    assert is_service_allowed(Service.ILL_LOAN, world.library_b, world.library_a)

    page.get_by_test_id("network-graph-link").click()
    graph = page.get_by_test_id("network-graph")
    expect(graph).to_be_visible()
    expect(graph.locator('[data-link="ALPHA-BETA"]')).to_have_count(1)
    expect(page.get_by_test_id("shape")).to_contain_text(words["star"])
    expect(page.get_by_test_id("link-count")).to_contain_text(words["links"])

    # Two members dealing directly, not through the coordinator: no longer a star.
    record(page, words, "MoA Beta Gamma", ["access"], ["BETA", "GAMMA"])
    page.get_by_test_id("network-graph-link").click()
    expect(page.get_by_test_id("network-graph").locator('[data-link="BETA-GAMMA"]')).to_have_count(
        1
    )
    expect(page.get_by_test_id("shape")).to_contain_text(words["partial"])
