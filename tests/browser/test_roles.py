"""Each role signs in through the form and sees what it may see, and no more."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from simpul.accounts.models import Role, User
from tests.browser.conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@dataclass(frozen=True)
class Sees:
    staff_link: bool  # "My library (staff)" in the header
    administration: bool  # "Administration" in the header
    own_staff_page: bool  # library A's staff page with its internal notes
    other_staff_page: bool  # library B's staff page
    patrons: bool  # the patron list on the staff page
    add_person: bool  # "Add a person" on the staff page


ROLES = {
    "coordinator": Sees(False, True, True, True, True, True),
    "admin_a": Sees(True, False, True, False, True, True),
    "librarian_a": Sees(True, False, True, False, True, False),
    "it_a": Sees(True, False, True, False, False, False),
    "patron_a": Sees(False, False, False, False, False, False),
}


def header(page: Page) -> Locator:
    return page.locator("header nav")


def expect_refused(page: Page, url: str, message: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 403
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text("Access refused")
    expect(alert).to_contain_text(message)
    expect(page.locator("body")).not_to_contain_text("Rahasia")


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_its_own_menu_and_pages(page: Page, world, role: str) -> None:
    person: User = getattr(world, role)
    sees = ROLES[role]
    sign_in(page, person)
    nav = header(page)
    expect(nav.get_by_test_id("profile-link")).to_have_text(f"{person.first_name} Uji")

    expect(nav.get_by_role("link", name="My library (staff)")).to_have_count(int(sees.staff_link))
    expect(nav.get_by_role("link", name="Administration")).to_have_count(int(sees.administration))
    if not sees.staff_link:
        expect(nav.get_by_role("link", name="My library", exact=True)).to_have_attribute(
            "href", "/libraries/ALPHA/"
        )

    if sees.own_staff_page:
        if sees.staff_link:
            nav.get_by_role("link", name="My library (staff)").click()
        else:
            page.goto("/libraries/ALPHA/staff/")
        expect(page).to_have_url(re.compile(r"/libraries/ALPHA/staff/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha University Library")
        expect(page.get_by_test_id("internal-notes")).to_contain_text("Rahasia Alpha")
        expect(page.get_by_test_id("patrons")).to_have_count(int(sees.patrons))
        expect(page.get_by_role("link", name="Add a person")).to_have_count(int(sees.add_person))
    else:
        expect_refused(page, "/libraries/ALPHA/staff/", "This page is for staff of ALPHA only.")

    if sees.other_staff_page:
        page.goto("/libraries/BETA/staff/")
        expect(page.get_by_test_id("internal-notes")).to_contain_text("Rahasia Beta")
    else:
        expect_refused(page, "/libraries/BETA/staff/", "This page is for staff of BETA only.")
        response = page.goto("/libraries/BETA/edit/")
        assert response is not None and response.status == 403

    if sees.administration:
        nav.get_by_role("link", name="Administration").click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.locator("#user-tools")).to_contain_text(person.first_name)


def test_patron_sees_own_profile_but_no_other_patron(page: Page, world) -> None:
    sign_in(page, world.patron_a)
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    facts = page.get_by_test_id("profile-facts")
    expect(facts).to_contain_text("putri.alpha")
    expect(facts).to_contain_text("A-001")
    expect(facts.locator("dt", has_text="Home library")).to_have_count(1)
    expect(facts.get_by_role("link", name="Alpha University Library")).to_have_attribute(
        "href", "/libraries/ALPHA/"
    )
    expect(page.locator("main")).not_to_contain_text("bayu.alpha")
    # The only page listing a library's patrons is its staff page: refused to a patron.
    expect_refused(page, "/libraries/ALPHA/staff/", "This page is for staff of ALPHA only.")
    expect(page.locator("body")).not_to_contain_text("A-002")
    response = page.goto("/accounts/libraries/ALPHA/people/new/")
    assert response is not None and response.status == 403


def test_library_admin_adds_a_person_through_the_form(page: Page, world) -> None:
    sign_in(page, world.admin_a)
    header(page).get_by_role("link", name="My library (staff)").click()
    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a person to Alpha University Library"
    )
    form = page.locator("main form")
    form.locator("#id_username").fill("dewi.alpha")
    form.locator("#id_first_name").fill("Dewi")
    form.locator("#id_last_name").fill("Lestari")
    form.locator("#id_email").fill("dewi.alpha@example.org")
    form.locator("#id_role").select_option(Role.LIBRARIAN.value)
    form.locator("#id_password").fill("sandi-awal-Dewi-2026")
    form.get_by_role("button", name="Create the account").click()

    expect(page).to_have_url(re.compile(r"/libraries/ALPHA/staff/$"))
    expect(page.get_by_role("status")).to_contain_text("The account dewi.alpha was created.")
    expect(page.get_by_role("row", name=re.compile("Dewi Lestari"))).to_contain_text("Librarian")
    dewi = User.objects.get(username="dewi.alpha")
    assert (dewi.library_id, dewi.role) == (world.library_a.pk, Role.LIBRARIAN)


def test_library_admin_sees_form_errors_and_nothing_is_created(page: Page, world) -> None:
    sign_in(page, world.admin_a)
    page.goto("/accounts/libraries/ALPHA/people/new/")
    form = page.locator("main form")
    form.locator("#id_username").fill("putri.alpha")  # already taken
    form.locator("#id_email").fill("someone@example.org")
    form.locator("#id_password").fill("sandi-awal-Dewi-2026")
    form.get_by_role("button", name="Create the account").click()
    expect(form.get_by_role("alert")).to_contain_text("This user name is already taken.")
    assert User.objects.filter(username__iexact="putri.alpha").count() == 1


def test_librarian_edits_opening_hours_and_sees_them_on_the_public_page(page: Page, world) -> None:
    sign_in(page, world.librarian_a)
    page.goto("/libraries/ALPHA/")
    page.get_by_role("link", name="Edit this library").click()
    expect(page).to_have_url(re.compile(r"/libraries/ALPHA/edit/$"))
    hours = page.locator("fieldset", has_text="Opening hours")
    expect(hours.get_by_label("Opens 1", exact=True)).to_have_value("08:00")
    hours.get_by_label("Closes 1", exact=True).fill("17:00")  # Monday closes later
    hours.get_by_label("Day 2", exact=True).select_option("Saturday")  # a new period
    hours.get_by_label("Opens 2", exact=True).fill("09:00")
    hours.get_by_label("Closes 2", exact=True).fill("12:30")
    # The third row stays untouched: it must be skipped, not refused as incomplete.
    expect(hours.get_by_label("Day 3", exact=True)).to_have_value("")
    page.locator("main form").get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/libraries/ALPHA/$"))
    expect(page.get_by_role("status")).to_contain_text("The library's details were saved.")
    sign_out(page)
    page.goto("/libraries/ALPHA/")
    table = page.locator("table.hours")
    expect(table.get_by_role("row", name=re.compile("Monday"))).to_contain_text(
        "08.00\N{EN DASH}17.00"
    )
    expect(table.get_by_role("row", name=re.compile("Saturday"))).to_contain_text(
        "09.00\N{EN DASH}12.30"
    )
    expect(page.get_by_role("link", name="Edit this library")).to_have_count(0)
