"""New titles and serials in the JSON API, and schemathesis driving those operations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from schemathesis.engine import Status, events, from_schema

from simpul.accounts import services as account_services
from simpul.lists.models import Subscription
from tests.conftest import World
from tests.lists.conftest import OCTOBER
from tests.lists.test_serials_upload import GOOD, upload
from tests.test_api_schemathesis import _describe


def token_client(person) -> Client:
    _token, raw = account_services.create_api_token(person, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_new_titles_of_a_month_and_library(dated: World, en_client) -> None:
    body = en_client.get(
        "/api/v1/new-titles", {"library": "alpha", "month": "2026-10", "page_size": 5}
    ).json()
    assert body["library"] == "ALPHA" and body["month"] == "2026-10"
    assert body["total"] > 5 and len(body["titles"]) == 5 and body["page_count"] > 1
    first = body["titles"][0]
    assert first["first_appeared"].startswith("2026-10-20") and "ALPHA" in first["libraries"]
    assert body["latest_month"] == "2026-10"
    assert body["feed"] == "/new/feed/?library=ALPHA"
    subject = body["subjects"][0]
    narrowed = en_client.get(
        "/api/v1/new-titles",
        {"library": "ALPHA", "month": "2026-10", "subject": subject["subject"]},
    ).json()
    assert narrowed["total"] == subject["count"]
    assert en_client.get("/api/v1/new-titles").json()["month"] == f"{OCTOBER:%Y-%m}"


def test_bad_new_titles_parameters_get_clear_errors(dated: World, en_client) -> None:
    response = en_client.get("/api/v1/new-titles", {"month": "2026-13"})
    assert (
        response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "month"
    )
    assert en_client.get("/api/v1/new-titles", {"library": "NOPE"}).status_code == 404


def test_serials_are_listed_and_filtered(world: World, en_client) -> None:
    upload(world.librarian_a, world.library_a, GOOD)
    body = en_client.get("/api/v1/serials", {"q": "0028-0836"}).json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "library": "ALPHA",
        "issn": "0028-0836",
        "title": "Nature",
        "publisher": "Macmillan",
        "coverage_from": 1998,
        "coverage_to": None,
        "format": "online",
        "notes": "Campus network only",
    }
    page = en_client.get("/api/v1/serials", {"limit": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and "offset=2" in page["next"]
    assert (
        en_client.get("/api/v1/serials", {"year": "1993", "format": "print"}).json()["count"] == 2
    )


def test_staff_upload_their_list_through_the_api(world: World) -> None:
    client = token_client(world.librarian_a)
    file = SimpleUploadedFile("list.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/api/v1/serials/ALPHA/upload", {"file": file, "mode": "replace"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "applied": True,
        "rows_read": 3,
        "added": 3,
        "updated": 0,
        "removed": 0,
        "errors": [],
    }
    bad = SimpleUploadedFile("bad.csv", b"issn,title\n0028-0837,Nature\n", content_type="text/csv")
    response = client.post("/api/v1/serials/ALPHA/upload", {"file": bad, "mode": "replace"})
    assert response.status_code == 200 and response.json()["applied"] is False
    assert response.json()["errors"][0]["row"] == 2
    assert response.json()["errors"][0]["column"] == "issn"
    assert Subscription.objects.filter(library=world.library_a).count() == 3


def test_the_api_refuses_another_library_s_list(world: World) -> None:
    file = SimpleUploadedFile("list.csv", GOOD.encode(), content_type="text/csv")
    response = token_client(world.librarian_b).post("/api/v1/serials/ALPHA/upload", {"file": file})
    assert response.status_code == 403
    file.seek(0)
    assert Client().post("/api/v1/serials/ALPHA/upload", {"file": file}).status_code == 401
    file.seek(0)
    response = token_client(world.patron_a).post("/api/v1/serials/ALPHA/upload", {"file": file})
    assert response.status_code == 403
    assert not Subscription.objects.exists()


@pytest.fixture
def base_url(transactional_db: None, live_server: Any) -> str:
    return str(live_server.url)


def test_the_lists_api_keeps_its_promises(base_url: str, world: World) -> None:
    upload(world.librarian_a, world.library_a, GOOD)
    _token, raw = account_services.create_api_token(world.librarian_a, "schemathesis")
    config = schemathesis.Config.from_dict(
        {
            "seed": 2026,
            "headers": {"Authorization": f"Bearer {raw}", "Connection": "close"},
            "generation": {"max-examples": 25},
            "parameters": {"path.library": "ALPHA"},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    schema = schema.include(path_regex="^/api/v1/(new-titles|serials)")
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
    assert problems == [], "\n\n".join(problems)
    assert {200, 422} <= statuses["GET /api/v1/new-titles"]
    assert {200, 422} <= statuses["GET /api/v1/serials"]
    assert {200, 422} <= statuses["POST /api/v1/serials/{library}/upload"]
