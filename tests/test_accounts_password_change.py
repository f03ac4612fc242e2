"""A signed-in person changes their password; bad input is refused and changes nothing."""

from __future__ import annotations

import pytest

from simpul.accounts.models import User
from tests.conftest import PASSWORD
from tests.fixtures_accounts import english_client, quick_argon2  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

CHANGE = "/accounts/password/change/"
NEW_PASSWORD = "rak-buku-lantai-dua"


def change(client, old: str, new1: str, new2: str | None = None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    )


def test_the_page_needs_a_signed_in_person(world):
    response = english_client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


def test_a_new_password_is_saved_and_the_session_stays_signed_in(world):
    client = english_client(world.librarian_b)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    person = User.objects.get(pk=world.librarian_b.pk)
    assert person.check_password(NEW_PASSWORD)
    assert person.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("salah-tebak-123", NEW_PASSWORD, None, "Your old password was entered incorrectly."),
        (PASSWORD, NEW_PASSWORD, "lain-sekali-123", "The two password fields didn\u2019t match."),
        (PASSWORD, "pendek", None, "This password is too short."),
        (PASSWORD, "qwertyuiop", None, "This password is too common."),
        (PASSWORD, "08123456789", None, "This password is entirely numeric."),
        (PASSWORD, "pustakawan.beta", None, "The password is too similar to the username."),
        (PASSWORD, "", None, "This field is required."),
    ],
)
def test_bad_input_is_refused_and_the_old_password_still_works(world, old, new1, new2, message):
    client = english_client(world.librarian_b)
    response = change(client, old, new1, new2)
    assert response.status_code == 200
    assert message in response.text
    person = User.objects.get(pk=world.librarian_b.pk)
    assert person.check_password(PASSWORD)
