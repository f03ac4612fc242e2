"""A patron sees their own data and no other patron's, whatever the entry point."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from simpul.accounts import queries as account_queries
from simpul.core.errors import AccessDenied
from tests.fixtures_accounts import english_client, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]


def test_a_patron_gets_their_own_record(world):
    assert account_queries.get_person_for(world.patron_a, world.patron_a.pk) == world.patron_a


@pytest.mark.parametrize("other", ["patron_a2", "patron_b", "librarian_a", "coordinator"])
def test_a_patron_cannot_get_anyone_elses_record(world, other):
    with pytest.raises(AccessDenied):
        account_queries.get_person_for(world.patron_a, getattr(world, other).pk)


def test_an_unknown_id_is_refused_like_a_forbidden_one(world):
    # The same answer for "does not exist" and "not yours": ids cannot be probed.
    with pytest.raises(AccessDenied) as unknown:
        account_queries.get_person_for(world.patron_a, 999_999)
    with pytest.raises(AccessDenied) as forbidden:
        account_queries.get_person_for(world.patron_a, world.patron_a2.pk)
    assert unknown.value.message == forbidden.value.message


def test_an_anonymous_visitor_gets_nobodys_record(world):
    with pytest.raises(AccessDenied):
        account_queries.get_person_for(AnonymousUser(), world.patron_a.pk)
    with pytest.raises(AccessDenied):
        account_queries.patrons_of(AnonymousUser(), world.library_a)


@pytest.mark.parametrize("library", ["library_a", "library_b"])
def test_a_patron_cannot_list_patrons_or_staff_even_of_their_home_library(world, library):
    with pytest.raises(AccessDenied):
        account_queries.patrons_of(world.patron_a, getattr(world, library))
    with pytest.raises(AccessDenied):
        account_queries.staff_of(world.patron_a, getattr(world, library))


def test_the_librarys_librarian_and_the_coordinator_may_see_a_patron(world):
    assert account_queries.get_person_for(world.librarian_a, world.patron_a.pk) == world.patron_a
    assert account_queries.get_person_for(world.admin_a, world.patron_a.pk) == world.patron_a
    assert account_queries.get_person_for(world.coordinator, world.patron_b.pk) == world.patron_b


@pytest.mark.parametrize("code", ["ALPHA", "BETA"])
def test_a_patron_cannot_open_a_staff_page(world, code):
    response = english_client(world.patron_a).get(f"/libraries/{code}/staff/")
    assert response.status_code == 403
    assert f"This page is for staff of {code} only." in response.text
    for private in ("bayu.alpha", "A-002", "fajar.beta", "B-001", "Rahasia"):
        assert private not in response.text


def test_a_patrons_pages_show_nothing_of_other_patrons(world):
    client = english_client(world.patron_a)
    for url in ("/accounts/profile/", "/accounts/tokens/", "/libraries/ALPHA/", "/api/v1/me"):
        response = client.get(url)
        assert response.status_code == 200, url
        for private in ("bayu.alpha", "A-002", "fajar.beta", "B-001"):
            assert private not in response.text, (url, private)


def test_a_patron_is_offered_no_staff_links(world):
    page = english_client(world.patron_a).get("/libraries/ALPHA/").text
    assert "/libraries/ALPHA/staff/" not in page
    assert "/libraries/ALPHA/edit/" not in page


def test_a_patron_cannot_edit_their_home_library(world):
    client = english_client(world.patron_a)
    assert client.get("/libraries/ALPHA/edit/").status_code == 403
    response = client.post("/libraries/ALPHA/edit/", {"name": "Diubah", "internal_notes": ""})
    assert response.status_code == 403
    world.library_a.refresh_from_db()
    assert world.library_a.name == "Perpustakaan Universitas Alpha"
    assert world.library_a.internal_notes.startswith("Rahasia Alpha")
