"""`simpul createadmin`: the first coordinator, from a script or a terminal."""

from __future__ import annotations

import pytest

from tests.test_cli_support import new_site

PASSWORD = "Kopi-Aren-Garut-2026"

COUNT_PEOPLE = "from simpul.accounts.models import User; print(User.objects.count())"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with new_site(tmp_path_factory.mktemp("admin")) as site:
        yield site


def createadmin(site, username: str, password: str | None, email: str = "koordinator@unpad.ac.id"):
    env = {"SIMPUL_ADMIN_PASSWORD": password} if password is not None else {}
    return site.run("createadmin", "--username", username, "--email", email, env=env)


def test_creates_a_coordinator_who_can_sign_in(site):
    done = createadmin(site, "sri.koordinator", PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "Coordinator account sri.koordinator created." in done.stdout
    answer = site.python(
        "from django.contrib.auth import authenticate\n"
        f"person = authenticate(username='sri.koordinator', password='{PASSWORD}')\n"
        "print(person.role, person.is_superuser, person.library_id, "
        "person.password.split('$')[0])"
    )
    assert answer == "coordinator True None argon2"


def test_a_weak_password_is_refused_and_nothing_is_created(site):
    before = site.python(COUNT_PEOPLE)
    done = createadmin(site, "lemah", "12345678")
    assert done.returncode == 1
    assert "too short" in done.stderr
    assert "entirely numeric" in done.stderr
    assert done.stderr.strip().endswith("Nothing was changed.")
    assert "Traceback" not in done.stderr
    assert site.python(COUNT_PEOPLE) == before


def test_a_taken_user_name_is_refused_and_nothing_is_created(site):
    assert createadmin(site, "dua.kali", PASSWORD).returncode == 0
    before = site.python(COUNT_PEOPLE)
    done = createadmin(site, "Dua.Kali", PASSWORD, email="lain@unpad.ac.id")
    assert done.returncode == 1
    assert "This user name is already taken." in done.stderr
    assert "Nothing was changed." in done.stderr
    assert site.python(COUNT_PEOPLE) == before


def test_a_wrong_email_address_is_refused(site):
    done = createadmin(site, "surel", PASSWORD, email="bukan-surel")
    assert done.returncode == 1
    assert "Enter a valid e-mail address." in done.stderr


def test_without_a_password_and_without_a_terminal_it_says_how(site):
    done = createadmin(site, "tanpa.sandi", None)
    assert done.returncode == 1
    assert "Set SIMPUL_ADMIN_PASSWORD to the password" in done.stderr
    done = site.run(
        "createadmin", "--username", "x", "--email", "x@y.id", "--password-env", "MY_SECRET"
    )
    assert "Set MY_SECRET to the password" in done.stderr
