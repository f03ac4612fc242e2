"""The language switch: an unknown language is refused with a message and changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from simpul.accounts import services
from simpul.accounts.models import User
from simpul.core.errors import InvalidInput
from tests.fixtures_accounts import english_client, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

SWITCH = "/language/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.mark.parametrize("language", ["fr", "", "../../etc", "en-XX-very-long" * 20])
def test_an_unknown_language_is_refused_and_nothing_changes(world, language):
    client = english_client(world.patron_a)
    response = client.post(SWITCH, {"language": language, "next": "/libraries/"})
    assert response.status_code == 400
    assert "Unknown language" in response.text
    assert "This language is not available." in response.text
    assert COOKIE not in response.cookies
    assert client.cookies[COOKIE].value == "en"
    assert User.objects.get(pk=world.patron_a.pk).preferred_language == ""


def test_a_missing_language_is_refused(world):
    response = english_client().post(SWITCH, {})
    assert response.status_code == 400
    assert "This language is not available." in response.text


def test_switching_to_english_sets_the_cookie_and_the_profile(world):
    client = english_client(world.patron_a)
    del client.cookies[COOKIE]
    response = client.post(SWITCH, {"language": "en", "next": "/libraries/"})
    assert response.status_code == 302
    assert response["Location"] == "/libraries/"
    assert response.cookies[COOKIE].value == "en"
    assert User.objects.get(pk=world.patron_a.pk).preferred_language == "en"
    assert '<html lang="en">' in client.get("/libraries/").text


def test_switching_is_a_post_only(world):
    response = english_client().get(SWITCH, {"language": "en"})
    assert response.status_code == 405


def test_next_never_leads_to_another_site(world):
    response = english_client().post(
        SWITCH, {"language": "id", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_service_refuses_an_unknown_language(world):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.set_preferred_language(world.patron_a, "fr")
    assert refused.value.messages == ["This language is not available."]
    assert User.objects.get(pk=world.patron_a.pk).preferred_language == ""


def test_a_browser_that_opens_a_form_only_address_gets_a_page_it_can_read(client, db):
    client.cookies["simpul_language"] = "en"
    response = client.get(SWITCH, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "does not accept a GET request" in response.content.decode()
    client.cookies["simpul_language"] = "id"
    page = client.get(SWITCH, HTTP_ACCEPT="text/html").content.decode()
    assert "tidak menerima permintaan GET" in page
    bare = client.get(SWITCH, HTTP_ACCEPT="application/json")
    assert bare.status_code == 405 and bare.content == b""
