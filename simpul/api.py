"""The JSON API (version 1), served at /api/v1/. Each app contributes a router from its api.py.

Every error, whatever raised it, leaves as `{"error": {"code", "message", "details"?}}` with a
message in the reader's language. The OpenAPI document declares those error responses on every
operation that can return them (see `SimpulAPI.get_openapi_schema`), so that clients and
schemathesis can rely on them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from simpul import __version__
from simpul.accounts.api import AUTH
from simpul.accounts.api import router as accounts_router
from simpul.agreements.api import router as agreements_router
from simpul.cards.api import router as cards_router
from simpul.catalog.api import router as catalogue_router
from simpul.core.errors import AccessDenied
from simpul.lists.api import new_titles_router, serials_router
from simpul.network.api import router as network_router

logger = logging.getLogger(__name__)


class ErrorDetail(Schema):
    field: str = Field(description="The offending field or parameter; empty for the whole request")
    message: str


class ErrorBody(Schema):
    code: str = Field(
        description="Stable, for programs: invalid, bad_request, unauthenticated, forbidden, "
        "not_found, server_error"
    )
    message: str = Field(description="For people, in the language of the response")
    details: list[ErrorDetail] | None = Field(None, description="One entry per invalid value")


class Error(Schema):
    error: ErrorBody


# status: (name in components.responses, description)
ERROR_RESPONSES = {
    400: ("BadRequest", "The request body is not valid JSON."),
    401: ("Unauthenticated", "No valid API token or signed-in session."),
    403: ("Forbidden", "The signed-in person may not do this."),
    404: ("NotFound", "Nothing exists at this address."),
    422: ("Invalid", "A parameter or the body has invalid values; `details` says which."),
}


def _error_statuses(operation: dict[str, Any], method: str) -> list[int]:
    """Which errors an operation can return, from what it takes and whether it needs a person."""
    statuses = []
    has_body = "requestBody" in operation
    if has_body:
        statuses.append(400)
    if operation.get("security"):
        statuses.append(401)
        if method != "get":
            statuses.append(403)
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.append(404)
    if operation.get("parameters") or has_body:
        statuses.append(422)
    return statuses


class SimpulAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(error_schema.pop("$defs", {}))
        components["schemas"]["Error"] = error_schema
        components["responses"] = {
            name: {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for name, description in ERROR_RESPONSES.values()
        }
        for path_item in schema["paths"].values():
            for method, operation in path_item.items():
                responses = operation.setdefault("responses", {})
                for status in _error_statuses(operation, method):
                    name = ERROR_RESPONSES[status][0]
                    responses.setdefault(str(status), {"$ref": f"#/components/responses/{name}"})
        return schema


api = SimpulAPI(
    title="Simpul API",
    version="1",
    description=(
        f"JSON API of a Simpul library cooperation network (Simpul {__version__}). "
        "Public reads need no authentication; personal data and changes need a personal API "
        "token (`Authorization: Bearer smp_…` or `X-API-Token: smp_…`, made on "
        "/accounts/tokens/) or a signed-in browser session. Every error is "
        '`{"error": {"code": …, "message": …, "details": […]}}`, with the message in the '
        "language asked for by `Accept-Language` (Indonesian or English). Guide: docs/api.md."
    ),
    urls_namespace="api-v1",
)
api.add_router("/libraries", network_router)
api.add_router("/me", accounts_router, auth=AUTH)
api.add_router("/catalogue", catalogue_router)
api.add_router("/agreements", agreements_router)
api.add_router("/cards", cards_router)
api.add_router("/new-titles", new_titles_router)
api.add_router("/serials", serials_router)

# Added last, so that it only sees what no operation above claimed.
fallback = Router()


@fallback.get("", include_in_schema=False)
def api_root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{request.path.rstrip('/')}/docs")


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404(_("This address is not part of the API."))


api.add_router("", fallback)


# Error handling: one format for every failure ------------------------------------------------


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """`["body", "changes", "website"]` → `website`; `["query", "limit"]` → `limit`."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]  # the second is the name of the operation's body parameter
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts)


def pydantic_message(error: dict[str, Any]) -> str:
    """A translated sentence for one pydantic error (pydantic's own messages are English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known here.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_type", "float_parsing", "finite_number", "decimal_parsing"}:
        return _("Enter a number.")
    if kind == "string_too_long":
        return _("Use at most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("This value has a form or characters that are not allowed.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Use a value of at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Use a value of at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in {"enum", "literal_error"}:
        # pydantic lists them as "'a', 'b' or 'c'"; keep the values, drop its English "or".
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    return _("This value is not valid.")


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {"field": _field_name(error.get("loc", ())), "message": pydantic_message(error)}
        for error in exc.errors
    ]
    return error_response(request, 422, "invalid", _("The request has invalid values."), details)


@api.exception_handler(ValidationError)
def on_invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        details = [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        details = [{"field": "", "message": message} for message in exc.messages]
    return error_response(request, 422, "invalid", _("The request has invalid values."), details)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, "unauthenticated", _("Sign in or send a valid API token.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="simpul"'
    return response


@api.exception_handler(PermissionDenied)
def on_access_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if isinstance(exc, AccessDenied):
        return error_response(request, 403, "forbidden", exc.message)
    return error_response(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja raises these itself, with English messages: say it in the reader's language.
    if exc.status_code == 400:
        return error_response(request, 400, "bad_request", _("The request body is not valid JSON."))
    if exc.status_code == 403:
        return error_response(
            request,
            403,
            "forbidden",
            _(
                "The request was refused: a signed-in browser must send its CSRF token; "
                "other clients should send an API token."
            ),
        )
    return error_response(
        request, exc.status_code, "error", _("The server cannot handle this request.")
    )


@api.exception_handler(MultiPartParserError)
def on_bad_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A file upload (multipart/form-data) whose body cannot be split into its parts.
    return error_response(
        request, 400, "bad_request", _("The request body is not valid multipart form data.")
    )


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request,
        500,
        "server_error",
        _("Something went wrong on the server. It has been logged; please try again later."),
    )
