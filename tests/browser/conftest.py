"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

One browser per test session; every test gets a fresh context (no cookies, no storage) and
page. `sign_in` goes through the real sign-in form, as a person would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("SIMPUL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A page of this app renders in well under a second; fail within seconds rather than hang the
# suite, with room for a CI machine whose two cores run both test processes.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
DESKTOP = {"width": 1280, "height": 800}

ContextFactory = Callable[..., BrowserContext]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright per test process: it runs an event loop, and a second would clash."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium).")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.2 s a hash and `world` makes eight accounts per test; the browser
    tests are about pages, not hashing (the rest of the suite keeps Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_context(browser: Browser, live_server: Any) -> Iterator[ContextFactory]:
    """Open fresh browser contexts (like separate devices) on the live server; closed after."""
    opened: list[BrowserContext] = []

    def factory(locale: str = "en-US", **options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield factory
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A page in a fresh context whose browser asks for English (Accept-Language: en-US)."""
    return new_context().new_page()


@pytest.fixture
def page_id(new_context: ContextFactory) -> Page:
    """A page in a fresh context whose browser asks for Indonesian (Accept-Language: id-ID)."""
    return new_context(locale="id-ID").new_page()


@pytest.fixture
def files_apart(settings: Any, tmp_path: Path) -> None:
    """The demo repository's files go to this test's folder, not the worker's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "repository": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "repository"), "base_url": None},
        },
    }


def sign_in(page: Page, user: Any, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait until the header shows the person's name."""
    page.goto("/accounts/sign-in/")
    form = page.locator("main form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_test_id("profile-link")).to_have_text(user.get_full_name() or user.username)


def begin_as(page: Page, base_url: str, language: str, user: Any | None, password: str) -> None:
    """Start afresh in a language: signed out, and signed in as `user` unless it is None."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "simpul_language", "value": language, "url": base_url}])
    if user is not None:
        sign_in(page, user, password)


def sign_out(page: Page) -> None:
    page.locator("header form[action$='/sign-out/'] button").click()
    expect(page.get_by_test_id("profile-link")).to_have_count(0)
