"""Member cards in the JSON API: the public keys (anyone may check a card's signature), and
for library staff the revocation list and a verdict on a card at their library."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from simpul.accounts.api import AUTH
from simpul.accounts.models import User
from simpul.cards import services, signing
from simpul.core.errors import AccessDenied

router = Router(tags=["member cards"])

NO_NUL = r"^[^\x00]*$"


class PublicKey(Schema):
    kid: str = Field(description="Key id, named by the `k` claim of a card's token")
    alg: str = Field(description="Always Ed25519")
    key: str = Field(description="Raw 32-byte public key, base64url without padding")
    current: str = Field(description="`true` for the key that signs new tokens")


@router.get("/keys", response=list[PublicKey])
def card_keys(request: HttpRequest) -> list[dict[str, str]]:
    """Public keys that sign member-card tokens (see docs/member-cards.md for the format)."""
    return signing.published_keys()


class RevokedCard(Schema):
    number: str
    status: str = Field(description="revoked or suspended")
    since: str = Field(description="When the status was set (ISO 8601)")


class RevocationList(Schema):
    generated_at: str
    cards: list[RevokedCard]


@router.get("/revocations", response=RevocationList, auth=AUTH)
def card_revocations(request: HttpRequest) -> dict[str, object]:
    """Cards a desk must refuse although their signature is good (library staff only)."""
    return services.revocation_list(request.user)


class VerifyIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    token: str = Field("", max_length=1000, pattern=NO_NUL, description="The QR code's text")
    number: str = Field("", max_length=40, pattern=NO_NUL, description="Or the card number")


class Reason(Schema):
    code: str = Field(
        description="malformed, unknown_key, forged, unknown_card, not_issued, mismatch, "
        "not_yet_valid, expired, revoked, suspended, no_agreement, not_listed, closed_day, "
        "outside_hours, monthly_limit, no_preregistration"
    )
    message: str


class Verdict(Schema):
    valid: bool
    reasons: list[Reason]
    number: str | None = None
    holder: str | None = None
    home_library: str | None = None
    valid_until: str | None = None


@router.post("/verify", response=Verdict, auth=AUTH)
def verify_card(request: HttpRequest, body: VerifyIn) -> dict[str, object]:
    """Whether a card may be honoured at the caller's library now, and why not. Records
    nothing."""
    person = request.user
    assert isinstance(person, User)
    host = person.library
    if host is None:
        raise AccessDenied(_("This page is for library staff."))
    result = services.check_in(person, host, number=body.number, token=body.token, record=False)
    card = result.card
    return {
        "valid": result.valid,
        "reasons": [{"code": code, "message": text} for code, text in result.reasons],
        "number": card.number if card else None,
        "holder": card.holder_name if card else None,
        "home_library": card.home_library.code if card else None,
        "valid_until": card.valid_until.isoformat() if card and card.valid_until else None,
    }
