"""Personal API tokens: named, shown once, stored as a hash, revoked only by their owner."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from simpul.accounts import services
from simpul.accounts.models import ApiToken, hash_token
from simpul.core.errors import InvalidInput
from tests.fixtures_accounts import english_client, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

TOKENS = "/accounts/tokens/"
NEW_TOKEN = re.compile(r'<code data-testid="new-token">(smp_[^<]+)</code>')


def me_with(token: str):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_token_page_needs_a_signed_in_person(world):
    response = english_client().get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_new_token_is_shown_once_stored_as_a_hash_and_works(world):
    client = english_client(world.librarian_a)
    response = client.post(TOKENS, {"name": "Skrip impor SLiMS"})
    assert response.status_code == 200
    raw = NEW_TOKEN.search(response.text).group(1)
    token = ApiToken.objects.get(user=world.librarian_a)
    assert token.name == "Skrip impor SLiMS"
    assert token.token_hash == hash_token(raw)
    assert raw not in (token.prefix, token.token_hash)
    assert raw not in client.get(TOKENS).text
    assert me_with(raw).json()["username"] == "pustakawan.alpha"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_a_bad_name_is_refused_and_no_token_is_made(world, name, message):
    client = english_client(world.librarian_a)
    response = client.post(TOKENS, {"name": name})
    assert response.status_code == 200
    assert message in response.text
    assert NEW_TOKEN.search(response.text) is None
    assert not ApiToken.objects.exists()


def test_the_service_refuses_a_blank_name_too(world):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.create_api_token(world.librarian_a, "  ")
    assert refused.value.message_dict == {
        "name": ["Give the token a name of at most 100 characters."]
    }
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(world):
    token, raw = services.create_api_token(world.librarian_a, "Laptop")
    client = english_client(world.librarian_a)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "The token was revoked." in response.text
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert me_with(raw).status_code == 401


def test_nobody_else_can_revoke_a_token(world):
    token, raw = services.create_api_token(world.librarian_a, "Laptop")
    for other in (world.librarian_b, world.admin_a, world.coordinator):
        response = english_client(other).post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
        assert "This token does not exist." in response.text
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert me_with(raw).status_code == 200


def test_revoking_an_unknown_token_says_so(world):
    response = english_client(world.librarian_a).post("/accounts/tokens/99999/revoke/", follow=True)
    assert "This token does not exist." in response.text


def test_revoking_needs_a_post(world):
    token, _raw = services.create_api_token(world.librarian_a, "Laptop")
    client = english_client(world.librarian_a)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_person_sees_only_their_own_tokens(world):
    services.create_api_token(world.librarian_a, "Token Alpha")
    services.create_api_token(world.librarian_b, "Token Beta")
    response = english_client(world.librarian_b).get(TOKENS)
    assert "Token Beta" in response.text
    assert "Token Alpha" not in response.text


def test_a_deactivated_persons_token_stops_working(world):
    _token, raw = services.create_api_token(world.librarian_a, "Laptop")
    world.librarian_a.is_active = False
    world.librarian_a.save()
    assert me_with(raw).status_code == 401
