"""Schemathesis drives the running API from its own OpenAPI document and finds nothing wrong.

A real HTTP server on loopback (pytest-django's live_server) with the `world` network behind it.
Schemathesis's engine runs as its command line does: every operation, every phase (examples,
coverage, fuzzing), positive and negative data, and all its checks, among them
not_a_server_error, status code / content type / response schema conformance and ignored_auth.
(Its pytest plugin, `schemathesis.pytest.from_fixture`, does not run under pytest 9.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from simpul.accounts import services as account_services
from simpul.network.models import Library
from tests.conftest import World

MAX_EXAMPLES = 40


def run_schemathesis(
    base_url: str, token: str, parameters: dict[str, str] | None = None, method: str | None = None
) -> tuple[list[str], dict[str, set[int]]]:
    """Problems found (empty when all is well), and the statuses each operation answered with."""
    config = schemathesis.Config.from_dict(
        {
            "seed": 2026,
            # A new connection per request: Django's test server otherwise stalls ~40 ms on each.
            "headers": {"Authorization": f"Bearer {token}", "Connection": "close"},
            "generation": {"max-examples": MAX_EXAMPLES},
            "parameters": parameters or {},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    if method:
        schema = schema.include(method=method)
    problems: list[str] = []
    statuses: dict[str, set[int]] = defaultdict(set)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.label:
                for interaction in event.recorder.interactions.values():
                    if interaction.response is not None:
                        statuses[event.label].add(interaction.response.status_code)
            if event.status in (Status.FAILURE, Status.ERROR):
                problems.extend(_describe(event))
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            problems.append(f"schemathesis itself failed: {event.exception!r}")
    return problems, statuses


def _describe(event: Any) -> list[str]:
    found = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                info = check.failure_info
                found.append(
                    f"{event.label} [{check.name}]: {info.failure.title}\n"
                    f"{info.failure.message}\n{info.code_sample}"
                )
    return found or [f"{event.label}: {event.status}"]


@pytest.fixture
def base_url(transactional_db: None, live_server: Any) -> str:
    return str(live_server.url)


def test_every_operation_keeps_its_promises(base_url: str, world: World) -> None:
    _token, raw = account_services.create_api_token(world.librarian_a, "schemathesis")
    problems, statuses = run_schemathesis(base_url, raw)
    assert problems == [], "\n\n".join(problems)
    # Each operation was reached, answered, and refused what it should.
    assert {200, 422} <= statuses["GET /api/v1/libraries"]
    assert 422 in statuses["GET /api/v1/libraries/{code}"]
    assert {200, 404} & statuses["GET /api/v1/libraries/{code}"]
    assert {200, 401} <= statuses["GET /api/v1/me"]  # with the token, and without
    assert {401, 422} <= statuses["PATCH /api/v1/libraries/{code}"]


def test_changes_to_a_library_staff_may_edit_keep_their_promises(
    base_url: str, world: World
) -> None:
    # The code pinned to the librarian's own library: valid bodies are saved, invalid refused.
    _token, raw = account_services.create_api_token(world.librarian_a, "schemathesis")
    problems, statuses = run_schemathesis(base_url, raw, {"path.code": "ALPHA"}, "PATCH")
    assert problems == [], "\n\n".join(problems)
    assert {200, 401, 422} <= statuses["PATCH /api/v1/libraries/{code}"]


def test_a_library_others_may_not_edit_is_refused_whatever_is_sent(
    base_url: str, world: World
) -> None:
    before = Library.objects.filter(code="BETA").values().get()
    _token, raw = account_services.create_api_token(world.librarian_a, "schemathesis")
    problems, statuses = run_schemathesis(base_url, raw, {"path.code": "BETA"}, "PATCH")
    assert problems == [], "\n\n".join(problems)
    assert 200 not in statuses["PATCH /api/v1/libraries/{code}"]
    assert 403 in statuses["PATCH /api/v1/libraries/{code}"]
    assert Library.objects.filter(code="BETA").values().get() == before
