"""Staff act only for their own library: B's staff-only data is closed to A's staff, and back.

Checked on the pages and, because a new entry point must not be able to forget it, in the
services and queries themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from simpul.accounts import queries as account_queries
from simpul.core.errors import AccessDenied
from simpul.network import permissions, queries, services
from simpul.network.models import Library, OpeningHours
from tests.fixtures_accounts import english_client, form_values, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

SECRET_A = "Rahasia Alpha"
SECRET_B = "Rahasia Beta"


def stored(library: Library) -> dict[str, object]:
    fresh = Library.objects.get(pk=library.pk)
    fields = {f.name: getattr(fresh, f.name) for f in Library._meta.fields}
    fields["hours"] = list(
        OpeningHours.objects.filter(library=fresh).values_list("weekday", "opens", "closes")
    )
    return fields


# --- pages ---------------------------------------------------------------------------------


def test_staff_of_a_library_see_its_staff_page(world):
    response = english_client(world.librarian_a).get("/libraries/ALPHA/staff/")
    assert response.status_code == 200
    assert SECRET_A in response.text
    assert "admin.alpha@example.org" in response.text
    assert "putri.alpha@example.org" in response.text
    assert SECRET_B not in response.text


@pytest.mark.parametrize("actor", ["librarian_a", "admin_a", "it_a"])
def test_staff_of_a_cannot_open_the_staff_page_of_b(world, actor):
    response = english_client(getattr(world, actor)).get("/libraries/BETA/staff/")
    assert response.status_code == 403
    assert "This page is for staff of BETA only." in response.text
    assert SECRET_B not in response.text
    assert "pustakawan.beta" not in response.text
    assert "fajar.beta" not in response.text


def test_staff_of_b_cannot_open_the_staff_page_of_a(world):
    response = english_client(world.librarian_b).get("/libraries/ALPHA/staff/")
    assert response.status_code == 403
    assert SECRET_A not in response.text
    assert "putri.alpha" not in response.text


def test_the_public_member_page_and_api_never_show_internal_notes(world):
    for client in (english_client(), english_client(world.librarian_a)):
        assert SECRET_B not in client.get("/libraries/BETA/").text
        assert SECRET_B not in client.get("/api/v1/libraries/BETA").text
        assert SECRET_B not in client.get("/api/v1/libraries").text


def test_the_member_page_offers_staff_links_only_to_that_librarys_staff(world):
    own = english_client(world.librarian_a).get("/libraries/ALPHA/").text
    other = english_client(world.librarian_a).get("/libraries/BETA/").text
    assert 'href="/libraries/ALPHA/staff/"' in own
    assert 'href="/libraries/ALPHA/edit/"' in own
    assert "/libraries/BETA/staff/" not in other
    assert "/libraries/BETA/edit/" not in other


def test_anonymous_visitors_are_sent_to_sign_in(world):
    client = english_client()
    for url in ("/libraries/BETA/staff/", "/libraries/BETA/edit/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/?next=")


def test_staff_of_a_cannot_open_the_edit_form_of_b(world):
    response = english_client(world.librarian_a).get("/libraries/BETA/edit/")
    assert response.status_code == 403
    assert "Only staff of BETA can change its details." in response.text
    assert SECRET_B not in response.text


def test_staff_of_a_cannot_post_changes_to_b(world):
    before = stored(world.library_b)
    # The whole form of B as its own librarian would post it, with the notes and site changed.
    data = form_values(english_client(world.librarian_b).get("/libraries/BETA/edit/").text)
    data.update({"internal_notes": "diubah oleh Alpha", "website": "https://alpha.example.org/"})
    for actor in (world.librarian_a, world.admin_a, world.it_a, world.patron_b):
        response = english_client(actor).post("/libraries/BETA/edit/", data)
        assert response.status_code == 403
    assert stored(world.library_b) == before


# --- services and queries ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["librarian_a", "admin_a", "it_a", "patron_b"])
def test_update_library_refuses_anyone_but_the_librarys_staff(world, actor):
    before = stored(world.library_b)
    with translation.override("en"), pytest.raises(AccessDenied) as refused:
        services.update_library(
            getattr(world, actor), world.library_b, {"internal_notes": "diubah"}
        )
    assert refused.value.message == "Only staff of BETA can change its details."
    with pytest.raises(AccessDenied):
        services.set_opening_hours(
            getattr(world, actor), world.library_b, [(0, dt.time(7), dt.time(8))]
        )
    assert stored(world.library_b) == before


def test_update_library_lets_own_staff_and_the_coordinator_in(world):
    services.update_library(world.librarian_b, world.library_b, {"internal_notes": "dari Beta"})
    services.update_library(world.coordinator, world.library_b, {"phone": "024-123"})
    library = Library.objects.get(pk=world.library_b.pk)
    assert (library.internal_notes, library.phone) == ("dari Beta", "024-123")


def test_update_library_refuses_an_anonymous_visitor(world):
    from django.contrib.auth.models import AnonymousUser

    before = stored(world.library_b)
    with pytest.raises(AccessDenied):
        services.update_library(AnonymousUser(), world.library_b, {"phone": "000"})
    assert stored(world.library_b) == before


def test_a_deactivated_librarian_loses_access(world):
    world.librarian_b.is_active = False
    world.librarian_b.save()
    assert not permissions.can_view_staff_data(world.librarian_b, world.library_b)
    with pytest.raises(AccessDenied):
        services.update_library(world.librarian_b, world.library_b, {"phone": "000"})


@pytest.mark.parametrize("actor", ["librarian_a", "admin_a", "it_a", "patron_b"])
def test_staff_and_patron_lists_of_b_are_closed_to_others(world, actor):
    person = getattr(world, actor)
    with pytest.raises(AccessDenied):
        account_queries.staff_of(person, world.library_b)
    with pytest.raises(AccessDenied):
        account_queries.patrons_of(person, world.library_b)
    with pytest.raises(AccessDenied):
        queries.get_library_staff_view(person, "BETA")
    for someone in {world.librarian_b, world.patron_b} - {person}:
        with pytest.raises(AccessDenied):
            account_queries.get_person_for(person, someone.pk)


def test_own_staff_get_their_lists(world):
    staff = set(account_queries.staff_of(world.it_a, world.library_a))
    assert staff == {world.admin_a, world.librarian_a, world.it_a}
    patrons = set(account_queries.patrons_of(world.librarian_a, world.library_a))
    assert patrons == {world.patron_a, world.patron_a2}
    assert set(account_queries.patrons_of(world.coordinator, world.library_b)) == {world.patron_b}


def test_it_staff_see_the_staff_page_but_not_the_patrons(world):
    with pytest.raises(AccessDenied):
        account_queries.patrons_of(world.it_a, world.library_a)
    with pytest.raises(AccessDenied):
        account_queries.get_person_for(world.it_a, world.patron_a.pk)
    response = english_client(world.it_a).get("/libraries/ALPHA/staff/")
    assert response.status_code == 200
    assert SECRET_A in response.text
    assert 'data-testid="patrons"' not in response.text
    assert "putri.alpha@example.org" not in response.text


def test_the_coordinator_sees_every_librarys_staff_page(world):
    response = english_client(world.coordinator).get("/libraries/BETA/staff/")
    assert response.status_code == 200
    assert SECRET_B in response.text
    assert "fajar.beta@example.org" in response.text
