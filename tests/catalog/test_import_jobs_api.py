"""Other systems follow imports through the API: a library's imports and their problems."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from simpul.catalog.models import ImportJob
from tests.catalog.catalogue_world import import_file

API = "/api/v1/catalogue"


def test_staff_list_their_librarys_imports_and_the_coordinator_all(catalogue):
    own = catalogue.client_for(catalogue.librarian_b).get(f"{API}/imports").json()
    assert own["count"] == ImportJob.objects.filter(library=catalogue.library_b).count() > 0
    assert {job["library"] for job in own["results"]} == {"BETA"}
    everything = catalogue.client_for(catalogue.coordinator).get(f"{API}/imports").json()
    assert everything["count"] == ImportJob.objects.count()
    only_alpha = catalogue.client_for(catalogue.coordinator).get(f"{API}/imports?library=alpha")
    assert {job["library"] for job in only_alpha.json()["results"]} == {"ALPHA"}
    assert catalogue.client_for(catalogue.patron_a).get(f"{API}/imports").json()["count"] == 0
    assert Client().get(f"{API}/imports").status_code == 401


def test_imports_come_a_page_at_a_time_with_links(catalogue):
    client = catalogue.client_for(catalogue.coordinator)
    first = client.get(f"{API}/imports?limit=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["offset"] == 2 and second["previous"] is not None
    assert not {j["id"] for j in first["results"]} & {j["id"] for j in second["results"]}
    bad = client.get(f"{API}/imports?limit=0")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_an_imports_problems_with_position_and_reason(catalogue, shared_data: Path):
    job = import_file(
        catalogue.librarian_a, catalogue.library_a, shared_data / "broken/pymarc-bad_records.mrc"
    )
    assert job.failed > 0
    url = f"{API}/imports/{job.pk}/problems"
    body = catalogue.client_for(catalogue.librarian_a).get(url).json()
    assert body["count"] == job.failed
    first = job.problems.order_by("position").first()
    assert body["results"][0] == {
        "position": first.position,
        "local_id": first.local_id,
        "byte_offset": first.byte_offset,
        "reason": first.reason,
    }
    assert catalogue.client_for(catalogue.librarian_b).get(url).status_code == 403
