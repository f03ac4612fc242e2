"""Interlibrary loan in a real browser, in both languages: the patron requests a title from
its catalogue page → the home library approves → the lender says it will supply and ships
→ the home library receives it for the patron → return shipped → the lender checks it in,
and the patron's list shows the loan completed with its history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from simpul.agreements.models import Service
from simpul.catalog.bibliographic import ItemStatus
from simpul.ill.models import IllRequest, Status
from tests.agreements.conftest import make_agreement
from tests.browser.conftest import ContextFactory, sign_in
from tests.conftest import World
from tests.ill.conftest import add_title

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def take_step(page: Page, number_url: str, action: str, expected: str) -> None:
    page.goto(number_url)
    form = page.locator(f'form[data-action="{action}"]')
    form.locator("button[type=submit]").first.click()
    expect(page.get_by_test_id("ill-status")).to_have_attribute("data-status", expected)


def journey(new_context: ContextFactory, world: World, locale: str) -> None:
    make_agreement([world.library_a, world.library_b], [Service.ILL_LOAN, Service.ILL_COPY])
    cluster = add_title(
        "Manajemen Perpustakaan Perguruan Tinggi", {world.library_b: ItemStatus.AVAILABLE}
    )
    patron = new_context(locale=locale).new_page()
    sign_in(patron, world.patron_a)
    patron.goto(f"/catalogue/{cluster.pk}/")
    patron.get_by_test_id("ill-request").click()
    expect(patron).to_have_url(re.compile(r"/ill/new/\?cluster=\d+"))
    form = patron.get_by_test_id("ill-form")
    expect(form.locator("#id_title")).to_have_value(cluster.title)
    form.locator("#id_note").fill("Untuk skripsi bab 2")
    form.locator("button[name=send]").click()
    expect(patron.get_by_test_id("ill-status")).to_have_attribute("data-status", Status.SUBMITTED)
    url = patron.url
    request = IllRequest.objects.get()
    assert url.endswith(f"/ill/{request.pk}/")

    home = new_context(locale=locale).new_page()
    sign_in(home, world.librarian_a)
    home.get_by_test_id("ill-link").click()
    home.get_by_test_id("ill-review").get_by_role("link", name=request.number).click()
    expect(home.get_by_test_id("ill-patron")).to_contain_text("A-001")
    take_step(home, url, "approve", Status.REQUEST_RECEIVED)

    lender = new_context(locale=locale).new_page()
    sign_in(lender, world.librarian_b)
    lender.get_by_test_id("ill-link").click()
    lender.get_by_test_id("ill-incoming").get_by_role("link", name=request.number).click()
    expect(lender.get_by_test_id("ill-patron")).not_to_contain_text("A-001")
    expect(lender.get_by_test_id("ill-patron")).not_to_contain_text("Putri")
    take_step(lender, url, "will_supply", Status.WILL_SUPPLY)
    take_step(lender, url, "ship", Status.LOANED)
    expect(lender.get_by_test_id("ill-due")).to_be_visible()

    take_step(home, url, "receive", Status.RECEIVED)
    patron.goto(url)
    expect(patron.get_by_test_id("ill-status")).to_have_attribute("data-status", Status.RECEIVED)
    take_step(home, url, "ship_return", Status.RETURN_SHIPPED)
    take_step(lender, url, "check_in", Status.LOAN_COMPLETED)

    patron.get_by_test_id("ill-link").click()
    expect(patron.get_by_test_id("ill-mine")).to_contain_text(request.number)
    patron.get_by_test_id("ill-mine").get_by_role("link", name=request.number).click()
    expect(patron.get_by_test_id("ill-history").locator("li")).to_have_count(7)
    assert patron.locator("html").get_attribute("lang") == locale[:2]


def test_the_interlibrary_loan_journey_in_english(
    new_context: ContextFactory, world: World
) -> None:
    journey(new_context, world, "en-US")


def test_the_interlibrary_loan_journey_in_indonesian(
    new_context: ContextFactory, world: World
) -> None:
    journey(new_context, world, "id-ID")
