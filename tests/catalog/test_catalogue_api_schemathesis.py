"""Schemathesis drives the catalogue part of the API over a catalogue with real records in it.

The whole-API run (tests/test_api_schemathesis.py) sees an empty catalogue; this one imports
sample records for two libraries first, so that searches find titles, cluster numbers and
member identifiers exist and exports are made from real MARC and CSV records.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from simpul.accounts import services as account_services
from simpul.catalog.models import ImportJob, Record
from tests.catalog.catalogue_world import shared_cluster
from tests.conftest import World
from tests.test_api_schemathesis import _describe

MAX_EXAMPLES = 25


@pytest.fixture
def base_url(transactional_db: None, live_server: Any) -> str:
    return str(live_server.url)


def run(base_url: str, token: str, parameters: dict[str, Any]) -> tuple[list[str], dict]:
    config = schemathesis.Config.from_dict(
        {
            "seed": 2026,
            "headers": {"Authorization": f"Bearer {token}", "Connection": "close"},
            "generation": {"max-examples": MAX_EXAMPLES},
            "parameters": parameters,
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    schema = schema.include(path_regex="^/api/v1/catalogue/")
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


def test_the_catalogue_api_keeps_its_promises(base_url: str, catalogue: World) -> None:
    record = Record.objects.filter(library__code="BETA").exclude(cluster=None).first()
    job = ImportJob.objects.filter(library__code="BETA").first()
    assert record is not None and job is not None
    _token, raw = account_services.create_api_token(catalogue.librarian_b, "schemathesis")
    problems, statuses = run(
        base_url,
        raw,
        {
            # Real values where the schema alone cannot guess one (generated ones still run).
            "path.id": shared_cluster().pk,
            "path.library_code": "BETA",
            "path.local_id": record.local_id,
        },
    )
    assert problems == [], "\n\n".join(problems)
    assert {200, 422} <= statuses["GET /api/v1/catalogue/search"]
    assert 200 in statuses["GET /api/v1/catalogue/clusters/{id}"]
    assert 200 in statuses["GET /api/v1/catalogue/clusters/{id}/export/{format}"]
    assert 200 in statuses["GET /api/v1/catalogue/records/{library_code}/{local_id}"]
    assert statuses["GET /api/v1/catalogue/imports/{id}"]
