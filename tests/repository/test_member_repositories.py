"""Members' own repositories harvested over OAI-PMH appear with the format "repository"
and link to the full text at the source."""

from __future__ import annotations

import pytest

from simpul.catalog.models import Record
from simpul.catalog.search.engine import SearchQuery
from simpul.catalog.services.indexing import search_index
from simpul.core.errors import AccessDenied
from simpul.harvest import services as harvest
from simpul.harvest.models import HarvestSource
from simpul.repository.harvested import set_member_repository
from tests.fixtures_accounts import english_client
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import Behaviour, serving


@pytest.fixture
def endpoint():
    with serving(Behaviour()) as url:
        yield url


@pytest.fixture
def eprints(world, endpoint) -> HarvestSource:
    return HarvestSource.objects.create(
        library=world.library_a, name="EPrints Alpha", base_url=endpoint, granularity="YYYY-MM-DD"
    )


def test_records_of_a_member_repository_are_format_repository_with_source_links(world, eprints):
    set_member_repository(world.librarian_a, eprints, "eprints")
    harvest.harvest(eprints, client_factory=quick_client)
    records = Record.objects.filter(origin=eprints.origin)
    assert records.count() == 100
    assert set(records.values_list("material_type", flat=True)) == {"repository"}
    first = records.get(local_id="oai:caltechcstr.library.caltech.edu:4")
    assert any(url.startswith("http://resolver.caltech.edu/") for url in first.urls)
    clusters = set(records.values_list("cluster_id", flat=True))
    found = search_index().search(SearchQuery(text="", formats=["repository"]))
    assert found.total == len(clusters)
    page = english_client().get(f"/catalogue/{first.cluster_id}/")
    assert "http://resolver.caltech.edu/" in page.text


def test_marking_after_a_harvest_changes_the_records_and_unmarking_restores_them(world, eprints):
    harvest.harvest(eprints, client_factory=quick_client)
    records = Record.objects.filter(origin=eprints.origin)
    before = set(records.values_list("material_type", flat=True))
    assert "repository" not in before
    set_member_repository(world.librarian_a, eprints, "eprints")
    assert set(records.values_list("material_type", flat=True)) == {"repository"}
    clusters = set(records.values_list("cluster_id", flat=True))
    assert search_index().search(SearchQuery(formats=["repository"])).total == len(clusters)
    set_member_repository(world.librarian_a, eprints, None)
    assert set(records.values_list("material_type", flat=True)) == before


def test_only_the_library_staff_mark_their_sources(world, eprints):
    with pytest.raises(AccessDenied):
        set_member_repository(world.librarian_b, eprints, "dspace")
    response = english_client(world.librarian_b).get("/repository/sources/")
    assert "EPrints Alpha" not in response.text
    client = english_client(world.librarian_a)
    assert "EPrints Alpha" in client.get("/repository/sources/").text
    client.post("/repository/sources/", {"source": eprints.pk, "platform": "dspace"})
    assert eprints.member_repository.platform == "dspace"
