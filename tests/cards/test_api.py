"""The cards API: public keys for anyone, the revocation list and verdicts for library staff."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from simpul.agreements.models import Agreement
from simpul.cards import services, signing
from simpul.cards.models import CardStatus, MemberCard, Visit
from tests.cards.conftest import open_all_week
from tests.conftest import World
from tests.fixtures_accounts import english_client


def test_anyone_can_fetch_the_public_keys_and_check_a_signature(
    world: World, card_a: MemberCard
) -> None:
    token = services.token_for(card_a)
    keys = english_client().get("/api/v1/cards/keys").json()
    [key] = keys
    prefix, body, signature = token.split(".")
    public = Ed25519PublicKey.from_public_bytes(signing.b64decode(key["key"]))
    public.verify(signing.b64decode(signature), f"{prefix}.{body}".encode())


def test_the_revocation_list_is_for_library_staff(world: World, card_a: MemberCard) -> None:
    card_a.status = CardStatus.SUSPENDED
    card_a.save()
    assert english_client().get("/api/v1/cards/revocations").status_code == 401
    assert english_client(world.patron_b).get("/api/v1/cards/revocations").status_code == 403
    data = english_client(world.librarian_b).get("/api/v1/cards/revocations").json()
    assert data["cards"][0]["number"] == card_a.number
    assert data["cards"][0]["status"] == "suspended"


def test_verify_gives_the_verdict_and_records_nothing(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    open_all_week(world.library_b)
    client = english_client(world.librarian_b)
    good = client.post(
        "/api/v1/cards/verify",
        {"token": services.token_for(card_a)},
        content_type="application/json",
    ).json()
    assert good["valid"] is True and good["home_library"] == "ALPHA"
    bad = client.post(
        "/api/v1/cards/verify", {"token": "SMP1.rusak"}, content_type="application/json"
    ).json()
    assert bad["valid"] is False and bad["reasons"][0]["code"] == "malformed"
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["patron_a", "patron_b"])
def test_patrons_cannot_use_the_desk_verdict(
    world: World, reciprocal: Agreement, card_a: MemberCard, who: str
) -> None:
    response = english_client(getattr(world, who)).post(
        "/api/v1/cards/verify",
        {"number": card_a.number},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_verify_refuses_a_body_that_is_not_an_object(world: World, card_a: MemberCard) -> None:
    client = english_client(world.librarian_b)
    for body in ("[null, null]", '{"number": 5}', '{"number": "x", "extra": 1}'):
        response = client.post("/api/v1/cards/verify", body, content_type="application/json")
        assert response.status_code == 422, body
