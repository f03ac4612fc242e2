"""The catalogue in the JSON API: search with facets, a title, a member's record by its own
identifier, exports, and import status for the importing library's staff only."""

from __future__ import annotations

import pytest
from django.test import Client

from simpul.catalog.models import Cluster, ImportJob, Record
from tests.catalog.catalogue_world import shared_cluster

pytestmark = pytest.mark.django_db
API = "/api/v1/catalogue"


def test_search_returns_hits_facets_and_totals(catalogue, en_client):
    body = en_client.get(f"{API}/search", {"q": "informatika", "page_size": 5}).json()
    assert body["total"] >= 1 and len(body["hits"]) <= 5
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "authors", "year", "format", "libraries", "url"}
    assert hit["url"] == f"/catalogue/{hit['id']}/"
    assert set(body["facets"]) >= {"library", "format", "language", "year", "subject"}
    assert body["warnings"] == [] and body["spelling"] == []


def test_filters_narrow_to_the_facet_count(catalogue, en_client):
    everything = en_client.get(f"{API}/search").json()
    beta = {f["value"]: f["count"] for f in everything["facets"]["library"]}["BETA"]
    narrowed = en_client.get(f"{API}/search", {"library": "BETA"}).json()
    assert narrowed["total"] == beta
    assert all("BETA" in hit["libraries"] for hit in narrowed["hits"])
    both = en_client.get(f"{API}/search", {"library": ["BETA", "ALPHA"]}).json()
    assert both["total"] == everything["total"]


def test_nothing_found_offers_spelling(catalogue, en_client):
    body = en_client.get(f"{API}/search", {"q": "informatka"}).json()
    assert body["total"] == 0 and any("informatika" in s.lower() for s in body["spelling"])


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "abc"},
        {"page_size": "1000"},
        {"sort": "sideways"},
        {"year": "last year"},
        {"q": "a\x00b"},
        {"q": "x" * 600},
    ],
)
def test_bad_parameters_are_refused_clearly(catalogue, en_client, params):
    response = en_client.get(f"{API}/search", params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["details"][0]["field"] in params


def test_unknown_filter_values_and_broken_queries_are_not_errors(catalogue, en_client):
    assert en_client.get(f"{API}/search", {"format": "spaceship"}).json()["total"] == 0
    body = en_client.get(f"{API}/search", {"q": '"teknik informatika'}).json()
    assert body["warnings"] and body["total"] >= 1


def test_a_title_with_holdings_records_and_exports(catalogue, en_client):
    cluster = shared_cluster()
    body = en_client.get(f"{API}/clusters/{cluster.pk}").json()
    assert body["id"] == cluster.pk and body["title"]
    assert {h["library"] for h in body["holdings"]} == {"ALPHA", "BETA"}
    assert {r["library"] for r in body["records"]} == {"ALPHA", "BETA"}
    assert {e["format"] for e in body["exports"]} == {
        "ris",
        "bibtex",
        "csl-json",
        "marcxml",
        "marc",
    }
    ris = en_client.get(f"{API}/clusters/{cluster.pk}/export/ris")
    assert ris.status_code == 200 and ris.content.startswith(b"TY  - ")
    assert ris["Content-Type"] == "application/x-research-info-systems"


def test_a_missing_title_is_a_404_in_the_api_format(catalogue, en_client):
    cluster = shared_cluster()
    Record.objects.filter(cluster=cluster).update(status="withdrawn")
    response = en_client.get(f"{API}/clusters/{cluster.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "no longer in the catalogue" in response.json()["error"]["message"]
    never_used = (Cluster.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert en_client.get(f"{API}/clusters/{never_used}").status_code == 404


def test_a_member_record_by_an_identifier_with_slashes_and_colons(catalogue, en_client):
    record = Record.objects.filter(library__code="ALPHA").exclude(cluster=None).first()
    assert record is not None
    record.local_id = "oai:repo.example.ac.id:koleksi/123"
    record.save(update_fields=["local_id"])
    body = en_client.get(f"{API}/records/alpha/oai:repo.example.ac.id:koleksi/123").json()
    assert body["local_id"] == record.local_id and body["library"] == "ALPHA"
    assert body["cluster_id"] == record.cluster_id
    assert body["cluster_url"] == f"/catalogue/{record.cluster_id}/"
    missing = en_client.get(f"{API}/records/ALPHA/no/such/record")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_import_status_is_for_the_importing_library_and_the_coordinator(catalogue):
    job = ImportJob.objects.filter(library=catalogue.library_b).first()
    assert job is not None
    url = f"{API}/imports/{job.pk}"
    assert Client().get(url).status_code == 401
    for person in (catalogue.librarian_b, catalogue.coordinator):
        body = catalogue.client_for(person).get(url).json()
        assert body["library"] == "BETA" and body["status"] == "succeeded"
        assert body["added"] > 0 and body["progress_percent"] == 100
    for person in (catalogue.librarian_a, catalogue.patron_b):
        response = catalogue.client_for(person).get(url)
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert (
        catalogue.client_for(catalogue.coordinator).get(f"{API}/imports/999999").status_code == 404
    )
