"""Signing in and out: the form's messages and safe redirects (the throttle has its own file)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.fixtures_accounts import english_client, quick_argon2, signed_in_as  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

SIGN_IN = "/accounts/sign-in/"
WRONG = "Please enter a correct username and password."


def sign_in(client, username: str, password: str, **extra: str):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_the_right_password_signs_in_and_goes_to_the_profile(world):
    client = english_client()
    response = sign_in(client, "pustakawan.alpha", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_as(client) == "pustakawan.alpha"


def test_a_wrong_password_is_refused_with_a_message(world):
    client = english_client()
    response = sign_in(client, "pustakawan.alpha", "bukan-kata-sandinya")
    assert response.status_code == 200
    assert WRONG in response.text
    assert signed_in_as(client) is None


def test_an_unknown_name_gets_the_same_message(world):
    client = english_client()
    response = sign_in(client, "tidak.ada", PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.text


def test_empty_fields_are_required(world):
    client = english_client()
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2
    assert signed_in_as(client) is None


def test_a_deactivated_account_cannot_sign_in(world):
    world.librarian_a.is_active = False
    world.librarian_a.save()
    client = english_client()
    response = sign_in(client, "pustakawan.alpha", PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.text
    assert signed_in_as(client) is None


def test_next_goes_back_to_the_page_but_never_to_another_site(world):
    client = english_client()
    response = sign_in(client, "admin.alpha", PASSWORD, next="/libraries/ALPHA/staff/")
    assert response["Location"] == "/libraries/ALPHA/staff/"
    client = english_client()
    response = sign_in(client, "admin.alpha", PASSWORD, next="https://evil.example/steal")
    assert response["Location"] == "/accounts/profile/"


def test_sign_out_needs_a_post_and_ends_the_session(world):
    client = english_client(world.patron_a)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert signed_in_as(client) == "putri.alpha"
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) is None


def test_a_signed_in_person_visiting_sign_in_is_sent_on(world):
    client = english_client(world.patron_a)
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
