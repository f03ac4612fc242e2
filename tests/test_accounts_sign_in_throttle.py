"""Sign-in throttling: after SIMPUL_LOGIN_ATTEMPTS failures, even the right password waits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from simpul import config
from simpul.accounts.models import FailedLogin
from tests.conftest import PASSWORD
from tests.fixtures_accounts import english_client, quick_argon2, signed_in_as  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick_argon2")]

WRONG = "Please enter a correct username and password."
THROTTLED = "Too many failed sign-ins. Wait a few minutes, or reset your password."


def sign_in(client, username: str, password: str):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_after_too_many_failures_even_the_right_password_is_refused(world, settings):
    attempts = settings.LOGIN_ATTEMPTS
    client = english_client()
    for _attempt in range(attempts):
        response = sign_in(client, "pustakawan.alpha", "tebak-tebakan")
        assert WRONG in response.text
    response = sign_in(client, "pustakawan.alpha", PASSWORD)
    assert response.status_code == 200
    assert THROTTLED in response.text
    assert signed_in_as(client) is None
    # The throttle is on the name: another person at the same desk still signs in.
    assert sign_in(client, "admin.alpha", PASSWORD).status_code == 302


def test_the_default_limit_is_five_failures(world, settings, monkeypatch, tmp_path):
    monkeypatch.delenv("SIMPUL_LOGIN_ATTEMPTS", raising=False)
    assert config.load(env_file=tmp_path / "no.env").login_attempts == 5
    settings.LOGIN_ATTEMPTS = 5
    client = english_client()
    for _attempt in range(4):
        sign_in(client, "PUSTAKAWAN.ALPHA", "tebak-tebakan")
    # Four failures, then the right password: still allowed, and the count starts again.
    assert sign_in(client, "pustakawan.alpha", PASSWORD).status_code == 302
    assert not FailedLogin.objects.filter(username__iexact="pustakawan.alpha").exists()


def test_the_limit_follows_the_setting(world, settings):
    settings.LOGIN_ATTEMPTS = 2
    client = english_client()
    sign_in(client, "pustakawan.alpha", "tebak-1")
    sign_in(client, "Pustakawan.Alpha", "tebak-2")
    response = sign_in(client, "pustakawan.alpha", PASSWORD)
    assert THROTTLED in response.text


def test_failures_older_than_the_window_no_longer_count(world, settings):
    client = english_client()
    for _attempt in range(settings.LOGIN_ATTEMPTS):
        sign_in(client, "pustakawan.alpha", "tebak-tebakan")
    assert THROTTLED in sign_in(client, "pustakawan.alpha", PASSWORD).text
    long_ago = timezone.now() - dt.timedelta(minutes=settings.LOGIN_WINDOW_MINUTES + 1)
    FailedLogin.objects.update(attempted_at=long_ago)
    assert sign_in(client, "pustakawan.alpha", PASSWORD).status_code == 302


def test_throttled_names_cannot_be_guessed_through_other_entry_points(world, settings):
    from django.test import Client

    for _attempt in range(settings.LOGIN_ATTEMPTS):
        sign_in(english_client(), "koordinator", "tebak-tebakan")
    # Django's own admin sign-in and client.login both go through the same backend.
    assert not Client().login(username="koordinator", password=PASSWORD)
    admin = Client()
    response = admin.post(
        "/admin/login/?next=/admin/", {"username": "koordinator", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in admin.session


def test_guessing_many_names_from_one_address_is_throttled_too(world, settings):
    # Password spraying: one failure per name, many names, one address. After the per-address
    # limit, that address may not sign in at all until the window passes.
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 8
    client = english_client()
    for number in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS):
        sign_in(client, f"tebak.{number}", "tebak-tebakan")
    assert THROTTLED in sign_in(client, "admin.alpha", PASSWORD).text
    elsewhere = english_client()
    response = elsewhere.post(
        "/accounts/sign-in/",
        {"username": "admin.alpha", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302


def test_a_campus_behind_one_address_is_not_locked_out_by_its_students_typos(world, settings):
    # Thirty students behind the campus NAT each mistype their password once.
    client = english_client()
    for number in range(30):
        sign_in(client, f"mahasiswa.{number}", "salah-ketik")
    response = client.post("/accounts/sign-in/", {"username": "admin.alpha", "password": PASSWORD})
    assert response.status_code == 302
