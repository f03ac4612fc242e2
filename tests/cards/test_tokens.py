"""The signed token in the QR code: only the network's own keys make a token a desk accepts."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from simpul.cards import signing

FROM, UNTIL = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def _token() -> str:
    return signing.sign("ALPHA-000001", "Putri Uji", "ALPHA", FROM, UNTIL)


def test_a_signed_token_verifies_and_carries_the_card(card_keys: Path) -> None:
    claims = signing.verify(_token())
    assert (claims.number, claims.holder, claims.library) == ("ALPHA-000001", "Putri Uji", "ALPHA")
    assert (claims.valid_from, claims.valid_until) == (FROM, UNTIL)


def test_the_private_key_is_created_on_first_use_readable_by_the_owner_only(
    card_keys: Path,
) -> None:
    _token()
    [key_file] = card_keys.glob("*.pem")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (card_keys / "current").read_text().strip() == key_file.stem


def test_a_tampered_token_is_refused_as_forged(card_keys: Path) -> None:
    prefix, body, signature = _token().split(".")
    claims = json.loads(signing.b64decode(body))
    claims["u"] = "2030-12-31"  # a longer validity
    tampered = signing.b64encode(json.dumps(claims, separators=(",", ":")).encode())
    with pytest.raises(signing.TokenError) as refused:
        signing.verify(f"{prefix}.{tampered}.{signature}")
    assert refused.value.code == "forged"


def test_a_token_signed_by_someone_else_under_our_key_id_is_refused(card_keys: Path) -> None:
    prefix, body, _signature = _token().split(".")
    stranger = Ed25519PrivateKey.generate()
    forged = signing.b64encode(stranger.sign(f"{prefix}.{body}".encode()))
    with pytest.raises(signing.TokenError) as refused:
        signing.verify(f"{prefix}.{body}.{forged}")
    assert refused.value.code == "forged"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "ALPHA-000001",
        "SMP1..",
        "SMP1.bm90IGpzb24.AAAA",
        "SMP2.e30.AAAA",
        "SMP1.e30.AAAA",  # JSON without the claims
        "SMP1." + "A" * 2000 + ".AAAA",
        "SMP1.!!!.???",
        "SMP1.eyJuIjoxfQ.x.y",
    ],
)
def test_malformed_codes_are_refused_as_malformed(card_keys: Path, garbage: str) -> None:
    with pytest.raises(signing.TokenError) as refused:
        signing.verify(garbage)
    assert refused.value.code == "malformed"


def test_rotation_keeps_old_cards_valid_until_the_old_key_is_retired(card_keys: Path) -> None:
    old = _token()
    old_kid = signing.verify(old).key_id
    new_kid = signing.new_key()
    assert new_kid != old_kid
    assert signing.verify(_token()).key_id == new_kid
    assert signing.verify(old).number == "ALPHA-000001"
    assert {key["kid"] for key in signing.published_keys()} == {old_kid, new_kid}
    assert not signing.retire_key(new_kid), "the current key cannot be retired"
    assert signing.retire_key(old_kid)
    with pytest.raises(signing.TokenError) as refused:
        signing.verify(old)
    assert refused.value.code == "unknown_key"
    assert [key["kid"] for key in signing.published_keys()] == [new_kid]


def test_the_command_rotates_and_retires_keys(
    card_keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from simpul.cards.commands import card_keys as command

    old = signing.verify(_token()).key_id
    assert command(rotate=True) == 0
    assert len(signing.published_keys()) == 2
    assert command(retire="no-such-key") == 1
    assert command(retire=old) == 0
    assert old not in capsys.readouterr().out.splitlines()[-2]
    assert len(signing.published_keys()) == 1
