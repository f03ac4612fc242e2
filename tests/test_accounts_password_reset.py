"""Resetting a forgotten password by e-mail, from the request to signing in with the new one."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from simpul.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixtures_accounts import english_client, quick_argon2, signed_in_as  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "buku-baru-di-rak-tujuh"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    return mail.outbox


def request_reset(client, email: str):
    return client.post(RESET, {"email": email})


def link_in(message: mail.EmailMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def set_new_password(client, link: str, password1: str, password2: str | None = None):
    """Open the link from the e-mail and submit the new password, as a browser does."""
    response = client.get(link)
    assert response.status_code == 302  # Django hides the token from the address bar.
    form_url = response["Location"]
    return client.post(
        form_url,
        {"new_password1": password1, "new_password2": password2 or password1},
    )


def test_the_whole_reset_ends_with_signing_in_with_the_new_password(world, mailbox):
    client = english_client()
    response = request_reset(client, "putri.alpha@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"

    assert len(mailbox) == 1
    message = mailbox[0]
    assert message.to == ["putri.alpha@example.org"]
    assert message.subject == "Reset your password at testserver"
    assert "putri.alpha" in message.body
    link = link_in(message)

    response = set_new_password(client, link, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert "You can sign in with it now." in client.get(response["Location"]).text

    fresh = english_client()
    refused = fresh.post("/accounts/sign-in/", {"username": "putri.alpha", "password": PASSWORD})
    assert "Please enter a correct username and password." in refused.text
    response = fresh.post(
        "/accounts/sign-in/", {"username": "putri.alpha", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in_as(fresh) == "putri.alpha"


def test_a_link_works_only_once(world, mailbox):
    client = english_client()
    request_reset(client, "putri.alpha@example.org")
    link = link_in(mailbox[0])
    assert set_new_password(client, link, NEW_PASSWORD).status_code == 302

    again = english_client()
    response = again.get(link, follow=True)
    assert "This link is no longer valid" in response.text
    assert "new_password1" not in response.text


def test_a_forged_link_is_not_valid(world):
    client = english_client()
    response = client.get("/accounts/password/reset/MQ/abc-123/", follow=True)
    assert response.status_code == 200
    assert "This link is no longer valid" in response.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world, mailbox):
    client = english_client()
    response = request_reset(client, "siapa@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mailbox == []


def test_a_deactivated_account_gets_no_mail(world, mailbox):
    world.patron_a.is_active = False
    world.patron_a.save()
    request_reset(english_client(), "putri.alpha@example.org")
    assert mailbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "This field is required."), ("putri.alpha@", "Enter a valid email address.")],
)
def test_a_bad_address_is_refused_with_a_message(world, mailbox, email, message):
    response = request_reset(english_client(), email)
    assert response.status_code == 200
    assert message in response.text
    assert mailbox == []


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two password fields didn\u2019t match."),
        ("pendek-1", None, "This password is too short. It must contain at least 10 characters."),
        ("password123", None, "This password is too common."),
        ("2026123456789", None, "This password is entirely numeric."),
        ("putri.alpha1", None, "The password is too similar to the username."),
    ],
)
def test_a_bad_new_password_is_refused_and_the_old_one_still_works(
    world, mailbox, password1, password2, message
):
    client = english_client()
    request_reset(client, "putri.alpha@example.org")
    response = set_new_password(client, link_in(mailbox[0]), password1, password2)
    assert response.status_code == 200
    assert message in response.text
    person = User.objects.get(pk=world.patron_a.pk)
    assert person.check_password(PASSWORD)
    assert not person.check_password(password1)


def test_a_reset_lifts_the_sign_in_throttle(world, mailbox, settings):
    client = english_client()
    for _attempt in range(settings.LOGIN_ATTEMPTS):
        client.post("/accounts/sign-in/", {"username": "putri.alpha", "password": "lupa-lagi"})
    refused = client.post("/accounts/sign-in/", {"username": "putri.alpha", "password": PASSWORD})
    assert "Wait a few minutes, or reset your password." in refused.text

    request_reset(client, "putri.alpha@example.org")
    assert set_new_password(client, link_in(mailbox[0]), NEW_PASSWORD).status_code == 302
    response = client.post(
        "/accounts/sign-in/", {"username": "putri.alpha", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_a_mailbox_gets_at_most_three_reset_mails_an_hour(world, mailbox):
    client = english_client()
    for _attempt in range(5):
        response = client.post("/accounts/password/reset/", {"email": world.patron_a.email})
        assert response.status_code == 302, "the answer is the same every time"
    assert len(mailbox) == 3
    other = client.post("/accounts/password/reset/", {"email": world.patron_b.email})
    assert other.status_code == 302
    assert len(mailbox) == 4, "another mailbox is not affected"
