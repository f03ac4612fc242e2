"""A title's permanent page: its description, copies in every library that holds it, other
editions, metadata for Zotero and search engines; gone titles get a clear 404."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs

import pytest

from simpul.catalog.models import Cluster, Record, RecordStatus
from simpul.catalog.services.clustering import refresh_clusters
from tests.catalog.catalogue_world import shared_cluster

pytestmark = pytest.mark.django_db


def test_the_page_shows_copies_in_each_library(catalogue, en_client):
    cluster = shared_cluster()
    html = en_client.get(f"/catalogue/{cluster.pk}/").content.decode()
    assert cluster.best_record is not None
    assert unescape(cluster.best_record.title) in unescape(html)
    holdings = html[html.index('data-testid="holdings"') :]
    assert 'data-library="ALPHA"' in holdings and 'data-library="BETA"' in holdings
    assert "Alpha University Library" in holdings and "Beta School of Economics Library" in holdings
    assert "Call number" in holdings and "Availability" in holdings


def test_the_description_is_complete(catalogue, en_client):
    cluster = None
    for candidate in Cluster.objects.select_related("best_record").order_by("pk"):
        best = candidate.best_record
        if best and best.isbns and best.subjects and best.extent and best.series:
            cluster = candidate
            break
    assert cluster is not None and cluster.best_record is not None
    best = cluster.best_record
    html = unescape(en_client.get(f"/catalogue/{cluster.pk}/").content.decode())
    for value in [best.title, best.publisher, str(best.year), best.extent, best.isbns[0]]:
        assert value in html
    assert best.subjects[0] in html and best.series[0] in html
    assert "Cite or export" in html and 'data-format="ris"' in html


def test_json_ld_and_coins_describe_the_title(catalogue, en_client):
    cluster = shared_cluster(with_holdings=False)
    html = en_client.get(f"/catalogue/{cluster.pk}/").content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert script
    data = json.loads(script.group(1))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Book"
    assert data["name"] == cluster.best_record.title  # type: ignore[union-attr]
    assert data["url"].endswith(f"/catalogue/{cluster.pk}/")
    assert data["author"][0]["name"]
    coins = re.search(r'<span class="Z3988" title="([^"]*)"', html)
    assert coins
    kev = parse_qs(unescape(coins.group(1)))
    assert kev["ctx_ver"] == ["Z39.88-2004"]
    assert kev["rft.btitle"][0].startswith(cluster.best_record.title)  # type: ignore[union-attr]


def test_other_editions_are_linked_not_merged(catalogue, en_client):
    cluster = shared_cluster()
    other = Cluster.objects.create(title="Edisi kedua", year=2030, work_key="shared-work")
    Cluster.objects.filter(pk=cluster.pk).update(work_key="shared-work")
    html = en_client.get(f"/catalogue/{cluster.pk}/").content.decode()
    editions = html[html.index('data-testid="other-editions"') :]
    assert f'href="/catalogue/{other.pk}/"' in editions and "Edisi kedua" in editions


def test_a_withdrawn_title_is_a_clear_404(catalogue, en_client):
    cluster = shared_cluster()
    Record.objects.filter(cluster=cluster).update(status=RecordStatus.WITHDRAWN)
    response = en_client.get(f"/catalogue/{cluster.pk}/")
    assert response.status_code == 404
    assert "no longer in the catalogue" in response.content.decode()
    refresh_clusters([cluster.pk])  # the cluster itself is removed
    response = en_client.get(f"/catalogue/{cluster.pk}/")
    assert response.status_code == 404
    assert "no longer in the catalogue" in response.content.decode()
    assert en_client.get(f"/catalogue/{cluster.pk}/export/ris/").status_code == 404


@pytest.mark.parametrize("pk", ["0", "99999999", "99999999999999999999999"])
def test_no_title_at_a_number_is_a_404(catalogue, en_client, pk):
    assert en_client.get(f"/catalogue/{pk}/").status_code == 404


def test_a_member_record_address_leads_to_its_title(catalogue, en_client):
    record = Record.objects.filter(library__code="BETA").exclude(cluster=None).first()
    assert record is not None
    response = en_client.get(f"/catalogue/records/beta/{record.local_id}")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/{record.cluster_id}/"
    assert en_client.get("/catalogue/records/BETA/no:such/id").status_code == 404
