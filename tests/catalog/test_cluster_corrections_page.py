"""Librarians correct the grouping of records into titles from the title page; their decision
outranks the matcher and survives re-imports."""

from __future__ import annotations

from pathlib import Path

from simpul.catalog.models import Cluster, ClusterDecision, Record
from simpul.catalog.search import SearchQuery
from simpul.catalog.services import clustering, indexing
from tests.catalog.catalogue_world import ALPHA_ONLY_FILE, SHARED_FILES, import_file, shared_cluster
from tests.conftest import World
from tests.fixtures_accounts import english_client


def _alpha_record(cluster: Cluster) -> Record:
    return Record.objects.get(cluster=cluster, library__code="ALPHA")


def _titles_found(words: str) -> set[int]:
    """Titles a patron's search finds now (the index as the search page reads it)."""
    index = indexing.search_index()
    index.reload()
    return {hit.cluster_id for hit in index.search(SearchQuery(text=words, page_size=100)).hits}


def test_staff_see_the_grouping_forms_and_patrons_do_not(catalogue: World):
    cluster = shared_cluster()
    page = english_client(catalogue.librarian_a).get(f"/catalogue/{cluster.pk}/")
    assert "Keep apart" in page.text and "Move the record there" in page.text
    patron = english_client(catalogue.patron_a).get(f"/catalogue/{cluster.pk}/")
    assert "Keep apart" not in patron.text and "Source records" not in patron.text


def test_a_librarian_splits_a_record_out_and_it_stays_apart_after_reimport(
    catalogue: World, shared_data: Path
):
    cluster = shared_cluster()
    record = _alpha_record(cluster)
    client = english_client(catalogue.librarian_a)
    response = client.post(
        f"/catalogue/records/{record.pk}/split/", {"note": "Cetakan lain, halaman beda"}
    )
    record.refresh_from_db()
    assert record.cluster_id != cluster.pk
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/{record.cluster_id}/"
    page = client.get(response["Location"])
    assert "now stands apart" in page.text
    assert "Cetakan lain, halaman beda" in page.text and "Different: keep apart" in page.text
    assert ClusterDecision.objects.filter(decided_by=catalogue.librarian_a).count() >= 1
    # Searching finds both titles at once, not after the next import.
    assert {cluster.pk, record.cluster_id} <= _titles_found(f'"{record.title}"')
    assert indexing.pending_changes() == 0

    # A changed re-import places both records again: the decision still holds.
    beta = Record.objects.get(cluster=cluster, library__code="BETA")
    clustering.recluster([record, beta])
    import_file(catalogue.librarian_a, catalogue.library_a, shared_data / SHARED_FILES[1])
    import_file(catalogue.librarian_a, catalogue.library_a, shared_data / SHARED_FILES[0])
    record.refresh_from_db()
    beta.refresh_from_db()
    assert record.cluster_id != beta.cluster_id


def test_a_librarian_merges_a_record_into_another_title_by_its_address(catalogue: World):
    alone = (
        Cluster.objects.filter(library_count=1, record_count=1, records__library__code="ALPHA")
        .order_by("pk")
        .first()
    )
    target = shared_cluster()
    assert alone is not None
    record = Record.objects.get(cluster=alone)
    client = english_client(catalogue.librarian_a)
    response = client.post(
        f"/catalogue/records/{record.pk}/merge/",
        {"target": f"http://testserver/catalogue/{target.pk}/", "note": "sama"},
    )
    record.refresh_from_db()
    assert record.cluster_id == target.pk
    assert response["Location"] == f"/catalogue/{target.pk}/"
    assert "now belongs to this title" in client.get(response["Location"]).text
    assert not Cluster.objects.filter(pk=alone.pk).exists()  # the empty title is gone
    found = _titles_found(f'"{record.title}"')
    assert target.pk in found and alone.pk not in found, "search shows the merge at once"

    clustering.recluster([record])  # as a changed re-import would
    record.refresh_from_db()
    assert record.cluster_id == target.pk


def test_a_wrong_merge_target_is_refused_and_changes_nothing(catalogue: World):
    cluster = shared_cluster()
    record = _alpha_record(cluster)
    client = english_client(catalogue.librarian_a)
    for target, message in [
        ("bukan nomor", "No title has the number or address bukan nomor."),
        ("99999999", "No title has the number or address 99999999."),
        (str(cluster.pk), "The record is already in that title."),
    ]:
        response = client.post(f"/catalogue/records/{record.pk}/merge/", {"target": target})
        assert response["Location"] == f"/catalogue/{cluster.pk}/"
        assert message in client.get(response["Location"]).text
    record.refresh_from_db()
    assert record.cluster_id == cluster.pk
    assert not ClusterDecision.objects.exists()


def test_staff_of_another_library_cannot_regroup_records_they_do_not_hold(
    catalogue: World, shared_data: Path
):
    alpha_only = list(
        Cluster.objects.filter(library_count=1, records__library__code="ALPHA")
        .exclude(records__library__code="BETA")
        .order_by("pk")[:2]
    )
    record = Record.objects.filter(cluster=alpha_only[0]).first()
    assert record is not None and ALPHA_ONLY_FILE
    outsider = english_client(catalogue.librarian_b)
    response = outsider.post(
        f"/catalogue/records/{record.pk}/merge/", {"target": str(alpha_only[1].pk)}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.cluster_id == alpha_only[0].pk
    assert outsider.get(f"/catalogue/records/{record.pk}/split/").status_code == 405
    assert english_client().post(f"/catalogue/records/{record.pk}/split/").status_code == 302
