"""Helpers for the accounts, permissions and forms tests: English browsers and page forms."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from pytest_django.fixtures import Settings

from simpul.accounts.models import User


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at its lowest cost: the same algorithm and format, milliseconds per hash."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


@pytest.fixture
def quick_argon2(settings: Settings) -> None:
    """Hash with cheap Argon2 so that `world` (eight accounts) is quick to build.

    `tests/test_accounts_password_hashing.py` checks the real settings without it."""
    settings.PASSWORD_HASHERS = [
        "tests.fixtures_accounts.QuickArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def english_client(person: User | None = None) -> Client:
    """A browser that asked for English (by the language cookie), signed in as `person`."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if person is not None:
        client.force_login(person)
    return client


def signed_in_as(client: Client) -> str | None:
    """The user name the profile page shows to this browser, or None when it is not signed in."""
    response = client.get("/accounts/profile/")
    if response.status_code != 200:
        return None
    found = re.search(r"<dt>[^<]*</dt><dd>([^<]*)</dd>", response.text)
    assert found, "the profile page shows the user name first"
    return found.group(1)


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's forms (buttons and files left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
                return
            self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self.values.setdefault(self._select, value)
            if "selected" in a:
                self.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # A browser drops the one newline that follows <textarea>.
            self.values[self._textarea] += (
                data.removeprefix("\n") if not self.values[self._textarea] else data
            )


def form_values(html: str) -> dict[str, str]:
    """Every field of the page's forms with the value the page shows, as a browser posts it."""
    parser = _FormFields()
    parser.feed(html)
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values
