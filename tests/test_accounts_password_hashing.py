"""Passwords are stored as Argon2id hashes, with the installation's real settings."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

from simpul.accounts import services
from simpul.accounts.models import Role, User
from simpul.network.models import Library, LibraryType

pytestmark = [pytest.mark.django_db, pytest.mark.real_password_hashing]

PASSWORD = "kata-sandi-yang-panjang-7"


@pytest.fixture
def library() -> Library:
    return Library.objects.create(
        code="GAMMA", name="Perpustakaan Gamma", library_type=LibraryType.PUBLIC
    )


def test_argon2_is_the_first_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_new_account_stores_an_argon2id_hash_and_never_the_password(library):
    person = services.create_person(
        None,
        username="sari.gamma",
        email="sari@example.org",
        password=PASSWORD,
        role=Role.PATRON,
        library=library,
    )
    stored = User.objects.get(pk=person.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert PASSWORD not in stored
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(library):
    person = User.objects.create(
        username="lama.gamma",
        email="lama@example.org",
        role=Role.LIBRARIAN,
        library=library,
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
    )
    assert person.password.startswith("pbkdf2_sha256$")
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": "lama.gamma", "password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).password.startswith("argon2$argon2id$")
