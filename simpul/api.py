"""The JSON API (version 1). Each app contributes a router from its own api.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from simpul import __version__
from simpul.accounts import services as account_services
from simpul.accounts.api import router as accounts_router
from simpul.core.errors import AccessDenied
from simpul.network.api import router as network_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = account_services.user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


class TokenHeader(APIKeyHeader):
    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = account_services.user_for_api_token(key) if key else None
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Simpul API",
    version=f"1 ({__version__})",
    description=(
        "JSON API of a Simpul library cooperation network. Public reads need no "
        "authentication; personal data needs a personal API token "
        "(`Authorization: Bearer smp_…`) or a signed-in browser session."
    ),
    urls_namespace="api-v1",
)
api.add_router("/libraries", network_router)
api.add_router("/me", accounts_router, auth=[BearerToken(), TokenHeader(), django_auth])


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, **extra}}, status=status
    )


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(
        request,
        422,
        "invalid",
        _("The request has invalid values."),
        details=[{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors],
    )


@api.exception_handler(ValidationError)
def on_invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 422, "invalid", _("The request has invalid values."), details=details)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(AccessDenied)
def on_access_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", exc.message)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))
