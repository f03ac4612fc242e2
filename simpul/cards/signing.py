"""Ed25519 keys that sign member cards, and the compact token the QR code carries.

Token: ``SMP1.<payload>.<signature>``, both parts base64url without padding. The payload is
compact JSON: card number ``n``, holder ``h``, home library code ``l``, valid from ``f`` and
until ``u`` (ISO dates), key id ``k``. The signature covers the ASCII text ``SMP1.<payload>``,
so a desk can check it with nothing but the public key (offline, in the browser: desk.js).

Keys live in ``CARD_KEY_DIR`` (inside SIMPUL_DATA_DIR): ``<kid>.pem`` private keys readable by
the owner only, ``current`` naming the one that signs. Every key in that folder is published,
so tokens signed before a rotation stay valid until the old key is retired (moved to
``retired/``). Keys are never committed nor kept in the database (a database dump alone cannot
forge cards). See docs/member-cards.md, "Key rotation".
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

PREFIX = "SMP1"
MAX_TOKEN_LENGTH = 1000


class TokenError(Exception):
    """The token cannot be trusted; `code` says why (malformed, unknown_key, forged)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Claims:
    number: str
    holder: str
    library: str
    valid_from: dt.date
    valid_until: dt.date
    key_id: str


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_dir() -> Path:
    return Path(settings.CARD_KEY_DIR)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:10]


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def new_key() -> str:
    """Make a signing key and make it the current one; returns its id (rotation)."""
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    kid = key_id(key.public_key())
    _write_private(folder / f"{kid}.pem", key)
    (folder / "current").write_text(kid + "\n")
    return kid


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path} is not an Ed25519 key")
    return key


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The current key, generated on first use."""
    current = key_dir() / "current"
    kid = current.read_text().strip() if current.exists() else ""
    if not kid or not (key_dir() / f"{kid}.pem").exists():
        kid = new_key()
    return kid, _load(key_dir() / f"{kid}.pem")


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every published key by id (the current one and those not yet retired)."""
    signing_key()
    return {path.stem: _load(path).public_key() for path in sorted(key_dir().glob("*.pem"))}


def published_keys() -> list[dict[str, str]]:
    """Public keys as the desk page and the API give them: id and raw key in base64url."""
    current, _key = signing_key()
    return [
        {
            "kid": kid,
            "alg": "Ed25519",
            "key": b64encode(
                key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            ),
            "current": str(kid == current).lower(),
        }
        for kid, key in public_keys().items()
    ]


def retire_key(kid: str) -> bool:
    """Stop publishing a key (cards signed with it are then refused until shown again)."""
    path = key_dir() / f"{kid}.pem"
    current = (
        (key_dir() / "current").read_text().strip() if (key_dir() / "current").exists() else ""
    )
    if not path.exists() or kid == current:
        return False
    retired = key_dir() / "retired"
    retired.mkdir(exist_ok=True, mode=0o700)
    path.rename(retired / path.name)
    return True


def sign(number: str, holder: str, library: str, valid_from: dt.date, valid_until: dt.date) -> str:
    kid, key = signing_key()
    payload = {
        "n": number,
        "h": holder,
        "l": library,
        "f": valid_from.isoformat(),
        "u": valid_until.isoformat(),
        "k": kid,
    }
    body = b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    signed = f"{PREFIX}.{body}"
    return f"{signed}.{b64encode(key.sign(signed.encode('ascii')))}"


def verify(token: str) -> Claims:
    """The claims of a genuine token; TokenError otherwise. Dates are not judged here."""
    token = token.strip()
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3 or parts[0] != PREFIX:
        raise TokenError("malformed")
    try:
        data = json.loads(b64decode(parts[1]))
        signature = b64decode(parts[2])
        claims = Claims(
            number=str(data["n"]),
            holder=str(data["h"]),
            library=str(data["l"]),
            valid_from=dt.date.fromisoformat(data["f"]),
            valid_until=dt.date.fromisoformat(data["u"]),
            key_id=str(data["k"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise TokenError("malformed") from None
    key = public_keys().get(claims.key_id)
    if key is None:
        raise TokenError("unknown_key")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise TokenError("forged") from None
    return claims
