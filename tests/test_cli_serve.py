"""`simpul serve` really serves: pages, static files and uploaded files, then stops cleanly."""

from __future__ import annotations

import contextlib
import http.cookiejar
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_cli_support import free_port, new_site

STATIC_CSS = Path(__file__).resolve().parent.parent / "simpul/web/static/simpul/simpul.css"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with new_site(tmp_path_factory.mktemp("serve")) as site:
        yield site


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None, **kwargs):
    request = urllib.request.Request(url, **kwargs)  # noqa: S310 (our own http:// server)
    with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@dataclass
class Server:
    base: str
    returncode: int | None = None
    output: str = ""


@contextlib.contextmanager
def serving(site, *extra: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simpul.cli", "serve", "--port", str(port), *extra],
        env={**site.env, **(env or {})},
        cwd=site.folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}")
    base = server.base
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(base + "/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
        server.output, server.returncode = output, process.returncode


def test_serve_answers_pages_static_and_uploaded_files_then_stops(site):
    logo = site.data_dir / "media" / "logos" / "uniba.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"logo" * 100)

    with serving(site, "--workers", "2", "--threads", "2") as server:
        base = server.base
        status, headers, body = fetch(base + "/healthz")
        assert (status, body) == (200, b"ok")
        status, headers, body = fetch(base + "/")
        assert status == 200
        assert headers.get_content_type() == "text/html"
        assert b"<html" in body
        status, headers, body = fetch(base + "/static/simpul/simpul.css")
        assert status == 200
        assert headers.get_content_type() == "text/css"
        assert body == STATIC_CSS.read_bytes()
        status, headers, body = fetch(base + "/media/logos/uniba.png")
        assert status == 200
        assert body == logo.read_bytes()

    assert server.returncode == 0, server.output
    assert f"Serving on {base}/" in server.output
    assert "Traceback" not in server.output


def test_a_port_in_use_is_said_in_words(site):
    with serving(site, "--workers", "1") as server:
        port = server.base.rsplit(":", 1)[1]
        done = site.run("serve", "--port", port, timeout=30)
    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_behind_a_proxy_the_visitor_address_is_the_forwarded_one(site):
    """Sign-in throttling by address must see visitors, not nginx's 127.0.0.1."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with serving(site, "--workers", "1", env={"SIMPUL_BEHIND_PROXY": "true"}) as server:
        base = server.base
        _status, _headers, page = fetch(base + "/accounts/sign-in/", opener)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": "tamu",
                "password": "salah-sekali-123",
            }
        ).encode()
        status, _headers, _body = fetch(
            base + "/accounts/sign-in/",
            opener,
            data=form,
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        assert status == 200
    recorded = site.python(
        "from simpul.accounts.models import FailedLogin\n"
        "print(list(FailedLogin.objects.values_list('ip_address', flat=True)))"
    )
    assert recorded == "['203.0.113.7']"
