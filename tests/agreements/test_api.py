"""The agreements API: the service switch other systems ask, the network's links, and the
agreements a person may read (a librarian only their own library's, a patron none)."""

from __future__ import annotations

import pytest
from django.test import Client

from simpul.accounts import services as account_services
from simpul.agreements.models import Kind, Service, Status
from simpul.agreements.services import network_today
from tests.agreements.conftest import make_agreement, make_library

pytestmark = pytest.mark.django_db


def bearer(person) -> dict[str, str]:
    _token, raw = account_services.create_api_token(person, "uji")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_allowed_answers_the_switch(world, client: Client):
    make_agreement([world.library_a, world.library_b], [Service.ILL_LOAN])
    url = "/api/v1/agreements/allowed"
    yes = client.get(url, {"service": "ill_loan", "from_library": "alpha", "to_library": "BETA"})
    assert yes.status_code == 200
    assert yes.json() == {
        "allowed": True,
        "service": "ill_loan",
        "from_library": "ALPHA",
        "to_library": "BETA",
        "on_date": network_today().isoformat(),
    }
    no = client.get(url, {"service": "ill_copy", "from_library": "ALPHA", "to_library": "BETA"})
    assert no.json()["allowed"] is False
    past = client.get(
        url,
        {
            "service": "ill_loan",
            "from_library": "ALPHA",
            "to_library": "BETA",
            "on_date": "2019-12-31",
        },
    )
    assert past.json()["allowed"] is False


def test_allowed_explains_bad_parameters(world, client: Client):
    url = "/api/v1/agreements/allowed"
    unknown = client.get(
        url,
        {"service": "ill_loan", "from_library": "NOPE", "to_library": "BETA"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "No member library has the code NOPE."
    bad = client.get(
        url,
        {
            "service": "lending",
            "from_library": "ALPHA",
            "to_library": "BETA",
            "on_date": "2026-02-30",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422
    fields = {detail["field"] for detail in bad.json()["error"]["details"]}
    assert fields == {"service", "on_date"}


def test_network_links(world, client: Client):
    gamma = make_library("GAMMA")
    make_agreement([world.library_a, world.library_b, gamma], [Service.RECIPROCAL_ACCESS])
    body = client.get("/api/v1/agreements/network").json()
    assert body["members"] == 3 and body["links"] == 3 and body["possible_links"] == 3
    assert body["shape"] == "mesh"
    assert {"libraries": ["ALPHA", "BETA"], "services": ["reciprocal_access"]} in body["link_list"]


def test_agreements_list_is_per_person(world, client: Client):
    gamma = make_library("GAMMA")
    ours = make_agreement([world.library_a, world.library_b, "Pojok Baca"], kind=Kind.MOU)
    theirs = make_agreement([world.library_b, gamma], status=Status.DRAFT)
    assert client.get("/api/v1/agreements").status_code == 401
    mine = client.get("/api/v1/agreements", **bearer(world.librarian_a)).json()
    assert [row["id"] for row in mine["results"]] == [ours.pk]
    assert mine["results"][0]["parties"][2] == {
        "library": None,
        "name": "Pojok Baca",
        "signatory": "",
        "contact_name": "",
        "contact_email": "",
        "rights_and_obligations": "",
    }
    assert (
        client.get(f"/api/v1/agreements/{theirs.pk}", **bearer(world.librarian_a)).status_code
        == 404
    )
    assert client.get(f"/api/v1/agreements/{ours.pk}", **bearer(world.librarian_a)).json()[
        "services"
    ] == ["ill_loan"]
    assert client.get("/api/v1/agreements", **bearer(world.patron_a)).json()["count"] == 0
    everything = client.get("/api/v1/agreements?status=draft", **bearer(world.coordinator)).json()
    assert [row["id"] for row in everything["results"]] == [theirs.pk]
    unknown = client.get("/api/v1/agreements?library=NOPE", **bearer(world.coordinator))
    assert unknown.status_code == 404
