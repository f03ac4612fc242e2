"""The reciprocal-access journey in both languages: a patron applies for a network card, the
home librarian issues it, the patron reports a visit, and the host librarian checks the
visitor in at the desk, first by the QR code's text (judged in the browser with WebCrypto
Ed25519), then by the card number, and sees the visit recorded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from simpul.agreements.models import Service
from simpul.cards import services, signing
from simpul.cards.models import CardStatus, MemberCard, Visit, VisitStatus
from tests.agreements.conftest import make_agreement
from tests.browser.conftest import ContextFactory, sign_in
from tests.cards.conftest import make_card, open_all_week
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(autouse=True)
def card_keys(settings: Any, tmp_path: Path) -> None:
    settings.CARD_KEY_DIR = tmp_path / "card-keys"


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("id-ID", "id")])
def test_patron_applies_librarian_issues_patron_reports_host_checks_in(
    new_context: ContextFactory, world: World, locale: str, language: str
) -> None:
    with translation.override(language):
        waiting = translation.gettext(
            "Your application is waiting for your home library to verify it."
        )
        registered = translation.gettext("Your visit is registered; the host library will answer.")
        valid_here = translation.gettext("Valid card (checked on this device)")
        visited = translation.gettext("Visited")
    make_agreement([world.library_a, world.library_b], [Service.RECIPROCAL_ACCESS])
    open_all_week(world.library_b)

    patron = new_context(locale=locale, viewport={"width": 390, "height": 844}).new_page()
    sign_in(patron, world.patron_a)
    patron.get_by_test_id("card-link").click()
    form = patron.get_by_test_id("apply-form")
    form.locator("#id_note").fill("Penelitian skripsi di STIE Beta")
    form.locator("button[type=submit]").click()
    expect(patron.get_by_test_id("card-status")).to_have_text(waiting)

    librarian = new_context(locale=locale).new_page()
    sign_in(librarian, world.librarian_a)
    librarian.goto("/cards/")
    applications = librarian.get_by_test_id("applications")
    expect(applications).to_contain_text("Penelitian skripsi di STIE Beta")
    applications.locator("button[data-action=issue]").click()
    card = MemberCard.objects.get(holder=world.patron_a)
    expect(librarian.get_by_test_id("cards")).to_contain_text(card.number or "?")

    patron.reload()
    expect(patron.get_by_test_id("card-number")).to_have_text(card.number or "?")
    expect(patron.locator(".card-qr svg")).to_be_visible()
    patron.goto("/visits/")
    visit_form = patron.get_by_test_id("visit-form")
    visit_form.locator("#id_host_library").select_option(str(world.library_b.pk))
    today = services.local_today("Asia/Jakarta").isoformat()
    visit_form.locator("#id_date").fill(today)
    visit_form.locator("#id_purpose").fill("Membaca laporan keuangan")
    visit_form.locator("button[type=submit]").click()
    expect(patron.locator(".messages")).to_contain_text(registered)
    expect(patron.get_by_test_id("my-visits")).to_contain_text("Membaca laporan keuangan")

    host = new_context(locale=locale).new_page()
    sign_in(host, world.librarian_b)
    host.get_by_test_id("visitors-link").click()
    expect(host.locator("main")).to_contain_text(world.patron_a.get_full_name())
    host.get_by_test_id("desk-link").click()
    desk = host.get_by_test_id("desk-form")
    # A hand scanner types the QR code's text: the page judges it itself (offline-capable)...
    expect(host.locator("#desk-sync")).not_to_be_empty()
    host.wait_for_function("localStorage.getItem('simpul-desk-BETA') !== null")
    desk.locator("#id_number").fill(services.token_for(card))
    desk.locator("button[type=submit]").click()
    offline = host.get_by_test_id("desk-offline-result")
    expect(offline).to_have_attribute("data-valid", "true")
    expect(offline).to_contain_text(valid_here)
    expect(host.get_by_test_id("desk-recorded")).to_be_visible()
    # ...and typing the number again says the visit is already recorded.
    desk.locator("#id_number").fill(card.number or "")
    desk.locator("button[type=submit]").click()
    expect(host.get_by_test_id("desk-visit")).to_contain_text("Membaca laporan keuangan")
    expect(host.get_by_test_id("desk-result")).to_have_attribute("data-valid", "true")
    visit = Visit.objects.get()
    assert visit.status == VisitStatus.CHECKED_IN and visit.checked_in_by == world.librarian_b

    host.get_by_test_id("visitors-link").click()
    expect(host.get_by_test_id(f"expected-{today}")).to_contain_text(visited)


def test_the_desk_judges_codes_offline_and_records_queued_visits_when_back_online(
    new_context: ContextFactory, world: World
) -> None:
    make_agreement([world.library_a, world.library_b], [Service.RECIPROCAL_ACCESS])
    open_all_week(world.library_b)
    good = make_card(world.patron_a, valid_until=services.local_today() + dt.timedelta(days=30))
    revoked = make_card(world.patron_a2, valid_until=services.local_today() + dt.timedelta(days=30))
    revoked_token = services.token_for(revoked)
    revoked.status = CardStatus.REVOKED
    revoked.save()
    prefix, body, signature = services.token_for(good).split(".")
    claims = json.loads(signing.b64decode(body))
    claims["u"] = "2099-12-31"
    tampered = f"{prefix}.{signing.b64encode(json.dumps(claims).encode())}.{signature}"

    context = new_context(viewport={"width": 390, "height": 844})
    host = context.new_page()
    sign_in(host, world.librarian_b)
    host.goto("/visitors/desk/")
    host.wait_for_function("localStorage.getItem('simpul-desk-BETA') !== null")
    context.set_offline(True)
    field = host.locator("#id_number")
    offline = host.get_by_test_id("desk-offline-result")
    for token, reason in ((tampered, "forged"), (revoked_token, "revoked")):
        field.fill(token)
        field.press("Enter")
        expect(offline).to_have_attribute("data-valid", "false")
        expect(offline.locator(f"li[data-reason={reason}]")).to_have_count(1)
    field.fill(services.token_for(good))
    field.press("Enter")
    expect(offline).to_have_attribute("data-valid", "true")
    expect(host.locator("#desk-result")).to_contain_text("recorded when the connection returns")
    assert not Visit.objects.exists()
    context.set_offline(False)
    host.evaluate("window.dispatchEvent(new Event('online'))")
    host.wait_for_function(
        "JSON.parse(localStorage.getItem('simpul-desk-BETA-queue')).length === 0"
    )
    visit = Visit.objects.get()
    assert visit.card == good and visit.status == VisitStatus.CHECKED_IN
