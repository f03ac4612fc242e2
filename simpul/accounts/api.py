"""Who is calling the JSON API, and the signed-in person's own account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from simpul.accounts import services
from simpul.accounts.models import Role, User


def _signed_in(request: HttpRequest, user: User | None) -> User | None:
    """Make a token's owner the request's user, speaking their language unless the client asks."""
    if user is None:
        return None
    request.user = user
    asked = (
        "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    )
    if user.preferred_language and not asked:
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = user.preferred_language
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer smp_…` with a personal API token (made on /accounts/tokens/)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _signed_in(request, services.user_for_api_token(token))


class TokenHeader(APIKeyHeader):
    """`X-API-Token: smp_…`, for clients that cannot set the Authorization header."""

    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _signed_in(request, services.user_for_api_token(key) if key else None)


class BrowserSession(SessionAuth):
    """A signed-in browser session; changes then need Django's CSRF token, as forms do."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a signed-in session there is nothing to protect: say 401, not "CSRF failed".
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


# Every operation that needs a person accepts any of these, tried in this order.
AUTH = [BearerToken(), TokenHeader(), BrowserSession()]

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    role: Role
    library: str | None = Field(
        description="Code of the person's library; null for the coordinator"
    )
    preferred_language: str = Field(description="id, en, or empty for the site's default")

    @staticmethod
    def resolve_library(obj: User) -> str | None:
        return obj.library.code if obj.library else None


@router.get("", response=MeOut, summary="The person the token or session belongs to")
def me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
