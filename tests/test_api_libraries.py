"""The library directory through the JSON API: what an integrator reads and what staff change."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.validators import EmailValidator, URLValidator
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st

from simpul.accounts import services as account_services
from simpul.accounts.models import User
from simpul.network.api import EMAIL, URL, LibraryChanges
from simpul.network.models import Library, LibraryType
from tests.conftest import World


def token_client(person: User) -> Client:
    _token, raw = account_services.create_api_token(person, "test")
    return Client(headers={"authorization": f"Bearer {raw}"})


def patch(client: Client, code: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.patch(
        f"/api/v1/libraries/{code}", data=data, content_type="application/json", **extra
    )


def row(library: Library) -> dict[str, Any]:
    return Library.objects.filter(pk=library.pk).values().get()


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


# Reading -----------------------------------------------------------------------------------


def test_the_directory_lists_active_members_by_name_without_internal_notes(world: World) -> None:
    Library.objects.create(
        code="GAMMA", name="Perpustakaan Gamma", library_type=LibraryType.PUBLIC, is_active=False
    )
    response = Client().get("/api/v1/libraries")
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    assert [lib["code"] for lib in page["results"]] == ["BETA", "ALPHA"]  # by name: STIE < Univ.
    alpha = page["results"][1]
    assert alpha["name_en"] == "Alpha University Library"
    assert alpha["library_type"] == "university"
    assert alpha["latitude"] == -6.9 and alpha["url"] == "/libraries/ALPHA/"
    assert "Rahasia" not in response.content.decode()
    assert "internal_notes" not in alpha


FILTERS = [
    ({"q": "alpha"}, ["ALPHA"]),
    ({"q": "semarang stie"}, ["BETA"]),
    ({"type": "college"}, ["BETA"]),
    ({"province": "Jawa Barat"}, ["ALPHA"]),
    ({"q": "tidak ada"}, []),
]


def test_the_directory_filters(world: World) -> None:
    for query, codes in FILTERS:
        page = Client().get("/api/v1/libraries", query).json()
        assert [lib["code"] for lib in page["results"]] == codes, query
        assert page["count"] == len(codes)


def test_the_directory_pages_with_offset_and_limit(world: World) -> None:
    for number in range(5):
        Library.objects.create(
            code=f"CABANG-{number}", name=f"Perpustakaan Cabang {number}", library_type="public"
        )
    first = Client().get("/api/v1/libraries", {"q": "cabang", "limit": 2}).json()
    assert first["count"] == 5 and first["offset"] == 0 and first["limit"] == 2
    assert [lib["code"] for lib in first["results"]] == ["CABANG-0", "CABANG-1"]
    assert first["previous"] is None
    second = Client().get(first["next"]).json()
    assert [lib["code"] for lib in second["results"]] == ["CABANG-2", "CABANG-3"]
    last = Client().get(second["next"]).json()
    assert [lib["code"] for lib in last["results"]] == ["CABANG-4"]
    assert last["next"] is None
    assert Client().get(last["previous"]).json()["results"] == second["results"]


def test_one_library_by_its_code_in_any_case(world: World) -> None:
    response = Client().get("/api/v1/libraries/alpha")
    assert response.status_code == 200
    assert response.json()["code"] == "ALPHA"
    assert response.json()["is_active"] is True


def test_an_unknown_code_is_a_translated_404(world: World) -> None:
    english = Client().get("/api/v1/libraries/NOPE", headers={"accept-language": "en"})
    indonesian = Client().get("/api/v1/libraries/NOPE", headers={"accept-language": "id"})
    assert english.status_code == indonesian.status_code == 404
    assert english.json() == {
        "error": {"code": "not_found", "message": "No member library has the code NOPE."}
    }
    assert indonesian.json()["error"]["message"] == (
        in_language("id", "No member library has the code %(code)s.") % {"code": "NOPE"}
    )


# Changing ----------------------------------------------------------------------------------


def test_staff_change_their_own_library_through_the_api(world: World) -> None:
    response = patch(
        token_client(world.librarian_a),
        "alpha",
        {
            "phone": "022-123456",
            "website": "https://lib.alpha.ac.id/?lang=en",
            "latitude": -6.891234567,
            "collection_size": 12000.0,
            "library_system": "SLiMS 9",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "022-123456"
    assert response.json()["latitude"] == -6.891235
    world.library_a.refresh_from_db()
    assert world.library_a.website == "https://lib.alpha.ac.id/?lang=en"
    assert world.library_a.latitude == Decimal("-6.891235")
    assert world.library_a.collection_size == 12000
    # What was not sent stays as it was.
    assert world.library_a.name == "Perpustakaan Universitas Alpha"
    assert world.library_a.internal_notes.startswith("Rahasia Alpha")


def test_the_coordinator_changes_any_library_and_coordinates_can_be_cleared(world: World) -> None:
    response = patch(
        token_client(world.coordinator), "ALPHA", {"latitude": None, "city": "Bandung"}
    )
    assert response.status_code == 200
    world.library_a.refresh_from_db()
    assert world.library_a.latitude is None and world.library_a.city == "Bandung"


def test_others_are_refused_with_403_and_nothing_changes(world: World) -> None:
    before = row(world.library_a)
    for other in (world.librarian_b, world.patron_a):
        response = patch(token_client(other), "ALPHA", {"phone": "0800"})
        assert response.status_code == 403
        assert response.json() == {
            "error": {
                "code": "forbidden",
                "message": in_language("id", "Only staff of %(library)s can change its details.")
                % {"library": "ALPHA"},
            }
        }
    assert row(world.library_a) == before


def test_changing_without_credentials_is_401(world: World) -> None:
    before = row(world.library_a)
    response = patch(Client(), "ALPHA", {"phone": "0800"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert row(world.library_a) == before


def test_a_browser_session_changes_only_with_its_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.librarian_a)
    refused = patch(browser, "ALPHA", {"phone": "0800"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert row(world.library_a)["phone"] == ""

    browser.get("/accounts/tokens/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = patch(browser, "ALPHA", {"phone": "0800"}, headers={"x-csrftoken": csrf})
    assert accepted.status_code == 200
    assert row(world.library_a)["phone"] == "0800"


INVALID_CHANGES = [
    ({"code": "OMEGA"}, "code"),  # not changeable here, and not known to this body
    ({"internal_notes": "x"}, "internal_notes"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"city": "Ban\x00dung"}, "city"),
    ({"phone": 8123}, "phone"),
    ({"collection_size": "12"}, "collection_size"),
    ({"collection_size": True}, "collection_size"),
    ({"collection_size": -1}, "collection_size"),
    ({"collection_size": 1.5}, "collection_size"),
    ({"latitude": 91}, "latitude"),
    ({"latitude": "-6.9"}, "latitude"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"website": "lib.alpha.ac.id"}, "website"),
    ({"email": "not an address"}, "email"),
    ({"oai_pmh_url": "ftp://x"}, "oai_pmh_url"),
]


def test_invalid_values_are_refused_with_details_and_change_nothing(world: World) -> None:
    before = row(world.library_a)
    client = token_client(world.librarian_a)
    for body, field in INVALID_CHANGES:
        response = patch(client, "ALPHA", body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["message"] == in_language("id", "The request has invalid values.")
        assert field in [detail["field"] for detail in error["details"]], body
        assert all(detail["message"] for detail in error["details"])
    assert row(world.library_a) == before


def test_a_body_that_is_not_an_object_or_not_json_is_refused(world: World) -> None:
    before = row(world.library_a)
    client = token_client(world.librarian_a)
    for body in ("[1, 2]", '"text"', "null", "42", ""):
        response = patch(client, "ALPHA", body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid"
    for raw in ("{", "not json", b"\xff\xfe"):
        response = patch(client, "ALPHA", raw, headers={"accept-language": "en"})
        assert response.status_code == 400, raw
        assert response.json() == {
            "error": {"code": "bad_request", "message": "The request body is not valid JSON."}
        }
    assert row(world.library_a) == before


def test_one_bad_value_among_good_ones_changes_nothing(world: World) -> None:
    before = row(world.library_a)
    response = patch(
        token_client(world.librarian_a), "ALPHA", {"phone": "0800", "website": "nonsense"}
    )
    assert response.status_code == 422
    assert row(world.library_a) == before


def test_details_are_in_the_language_asked_for(world: World) -> None:
    client = token_client(world.librarian_a)
    english = patch(client, "ALPHA", {"colour": "red"}, headers={"accept-language": "en"})
    assert english["Content-Language"] == "en"
    assert english.json()["error"] == {
        "code": "invalid",
        "message": "The request has invalid values.",
        "details": [{"field": "colour", "message": "This field is not known here."}],
    }
    indonesian = patch(client, "ALPHA", {"colour": "red"}, headers={"accept-language": "id"})
    assert indonesian.json()["error"]["message"] == in_language(
        "id", "The request has invalid values."
    )
    assert indonesian.json()["error"]["details"][0]["message"] == in_language(
        "id", "This field is not known here."
    )


def test_a_token_owner_is_answered_in_their_chosen_language(world: World) -> None:
    world.patron_a.preferred_language = "en"
    world.patron_a.save()
    client = token_client(world.patron_a)
    chosen = patch(client, "ALPHA", {"phone": "0800"})
    assert chosen["Content-Language"] == "en"
    assert chosen.json()["error"]["message"] == "Only staff of ALPHA can change its details."
    asked = patch(client, "ALPHA", {"phone": "0800"}, headers={"accept-language": "id"})
    assert asked.json()["error"]["message"] == in_language(
        "id", "Only staff of %(library)s can change its details."
    ) % {"library": "ALPHA"}


# The body schema promises what the model accepts ----------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.from_regex(URL, fullmatch=True).filter(lambda value: len(value) <= 200))
def test_every_url_the_schema_allows_is_one_django_accepts(value: str) -> None:
    LibraryChanges.model_validate({"website": value})
    if value:
        URLValidator()(value)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(EMAIL, fullmatch=True).filter(lambda value: len(value) <= 254))
def test_every_email_address_the_schema_allows_is_one_django_accepts(value: str) -> None:
    LibraryChanges.model_validate({"email": value})
    if value:
        EmailValidator()(value)
