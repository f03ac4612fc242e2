"""Finding the API, its documentation, and who is calling: tokens, sessions, and the 401."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from simpul.accounts import services as account_services
from simpul.accounts.models import ApiToken
from tests.conftest import World


def test_api_leads_to_the_documentation(db: None) -> None:
    for address in ("/api/", "/api/v1/"):
        response = Client().get(address)
        assert response.status_code == 302
        assert response["Location"] == "/api/v1/docs"


def test_the_documentation_uses_only_files_served_here(db: None) -> None:
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"):
        served = Client().get(asset)
        assert served.status_code == 200
        b"".join(served.streaming_content)  # type: ignore[attr-defined]


def test_the_openapi_document_is_valid_and_declares_auth_and_errors(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    assert document["info"]["version"] == "1"
    assert set(document["components"]["securitySchemes"]) == {
        "BearerToken",
        "TokenHeader",
        "BrowserSession",
    }
    paths = document["paths"]
    assert {"/api/v1/libraries", "/api/v1/libraries/{code}", "/api/v1/me"} <= set(paths)
    assert {"/api/v1/catalogue/search", "/api/v1/catalogue/clusters/{id}"} <= set(paths)
    assert set(paths["/api/v1/me"]["get"]["responses"]) == {"200", "401"}
    assert set(paths["/api/v1/libraries"]["get"]["responses"]) == {"200", "422"}
    assert set(paths["/api/v1/libraries/{code}"]["get"]["responses"]) == {"200", "404", "422"}
    assert set(paths["/api/v1/libraries/{code}"]["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "422",
    }
    assert "security" not in paths["/api/v1/libraries"]["get"]
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_me_with_a_personal_token_in_either_header(world: World) -> None:
    _token, raw = account_services.create_api_token(world.librarian_a, "katalog")
    for headers in ({"authorization": f"Bearer {raw}"}, {"x-api-token": raw}):
        response = Client().get("/api/v1/me", headers=headers)
        assert response.status_code == 200
        assert response.json() == {
            "username": "pustakawan.alpha",
            "first_name": "Pustakawan",
            "last_name": "Uji",
            "email": "pustakawan.alpha@example.org",
            "role": "librarian",
            "library": "ALPHA",
            "preferred_language": "",
        }
    assert ApiToken.objects.get(user=world.librarian_a).last_used_at is not None


def test_me_with_a_browser_session(world: World) -> None:
    response = world.client_for(world.coordinator).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "coordinator"
    assert response.json()["library"] == "ALPHA"


def expected_401(language: str) -> dict[str, dict[str, str]]:
    with translation.override(language):
        message = gettext("Sign in or send a valid API token.")
    return {"error": {"code": "unauthenticated", "message": message}}


def test_me_without_credentials_is_a_translated_401(db: None) -> None:
    for language in ("id", "en"):
        response = Client().get("/api/v1/me", headers={"accept-language": language})
        assert response.status_code == 401
        assert response.json() == expected_401(language)
        assert response["WWW-Authenticate"].startswith("Bearer")
    english = Client().get("/api/v1/me", headers={"accept-language": "en"})
    assert english.json()["error"]["message"] == "Sign in or send a valid API token."


def test_a_wrong_revoked_or_disabled_token_is_a_401(world: World) -> None:
    token, raw = account_services.create_api_token(world.patron_a, "app")
    for header in ("Bearer smp_wrong", "Basic dXNlcjpwYXNz", "Bearer", ""):
        assert Client().get("/api/v1/me", headers={"authorization": header}).status_code == 401
    account_services.revoke_api_token(world.patron_a, token.pk)
    assert Client().get("/api/v1/me", headers={"x-api-token": raw}).status_code == 401

    _token, raw = account_services.create_api_token(world.patron_b, "app")
    world.patron_b.is_active = False
    world.patron_b.save()
    response = Client().get("/api/v1/me", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json() == expected_401("id")


def test_an_unknown_api_address_answers_in_the_error_format(db: None) -> None:
    response = Client().get("/api/v1/books", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "This address is not part of the API."}
    }


def test_a_method_an_operation_lacks_is_405_with_allow(db: None) -> None:
    response = Client().delete("/api/v1/libraries")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "lima"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"type": "museum"}, "type"),
        ({"q": "a\x00b"}, "q"),
        ({"province": "x" * 101}, "province"),
    ],
)
def test_invalid_query_values_are_a_translated_422(
    db: None, query: dict[str, str], field: str
) -> None:
    response = Client().get("/api/v1/libraries", query, headers={"accept-language": "en"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The request has invalid values."
    assert [detail["field"] for detail in error["details"]] == [field]


@pytest.mark.parametrize("code", ["A", "AB%00C", "-AB", "x" * 21, "%C3%A9cole"])
def test_a_code_that_cannot_exist_is_a_422(db: None, code: str) -> None:
    response = Client().get(f"/api/v1/libraries/{code}")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "code"


def test_a_wrong_choice_names_the_right_ones(db: None) -> None:
    response = Client().get(
        "/api/v1/libraries", {"type": "museum"}, headers={"accept-language": "en"}
    )
    assert response.json()["error"]["details"] == [
        {
            "field": "type",
            "message": "Choose one of: university, institute, college, polytechnic, academy, "
            "public, special, corner.",
        }
    ]
