"""Resumption tokens: complete lists in pages, counted, and stable while titles change."""

from __future__ import annotations

from django.test import Client

from simpul.catalog.models import Cluster, DeletedCluster, Record, RecordStatus
from simpul.catalog.services import clustering
from simpul.core.bulk import update_rows
from simpul.protocols import oai
from tests.protocols.conftest import NS, OAI, error_codes, oai_get


def harvest(client: Client, verb: str = "ListIdentifiers", **arguments: str):
    """Every page of a list: (identifiers, [(cursor, completeListSize, token)] per page)."""
    root = oai_get(client, verb=verb, metadataPrefix="oai_dc", **arguments)
    ids, tokens = [], []
    while True:
        ids += root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = root.find(f".//{OAI}resumptionToken")
        if token is None:
            return ids, tokens
        tokens.append((int(token.get("cursor")), int(token.get("completeListSize")), token.text))
        if not token.text:
            return ids, tokens
        root = oai_get(client, verb=verb, resumptionToken=token.text)


def test_a_list_comes_in_pages_with_cursor_and_complete_size(catalogue, small_pages):
    total = Cluster.objects.exclude(best_record=None).count()
    ids, tokens = harvest(Client())
    assert len(ids) == len(set(ids)) == total
    assert [cursor for cursor, _size, _text in tokens] == list(range(0, total, small_pages))
    assert {size for _cursor, size, _text in tokens} == {total}
    assert tokens[-1][2] is None  # the last page ends with an empty token
    assert all(text for _c, _s, text in tokens[:-1])


def test_list_records_pages_like_list_identifiers(catalogue, small_pages):
    ids, _tokens = harvest(Client(), verb="ListRecords")
    assert len(ids) == Cluster.objects.exclude(best_record=None).count()


def test_titles_changed_or_removed_during_a_harvest_shift_nothing(catalogue, small_pages):
    client = Client()
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = first.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
    token = first.find(f".//{OAI}resumptionToken").text
    expected = {oai.oai_identifier(pk) for pk in Cluster.objects.values_list("pk", flat=True)}
    # Meanwhile: a title already sent leaves the catalogue, another one sent changes.
    gone_id = oai.cluster_id_of(seen[0])
    changed_id = oai.cluster_id_of(seen[1])
    withdrawn = list(Record.objects.filter(cluster_id=gone_id))
    for record in withdrawn:
        record.status = RecordStatus.WITHDRAWN
    update_rows(Record, withdrawn, ["status"])
    clustering.recluster(withdrawn)
    clustering.refresh_clusters([changed_id])
    rest = []
    root = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
    while True:
        rest += root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token_element = root.find(f".//{OAI}resumptionToken")
        if token_element is None or not token_element.text:
            break
        root = oai_get(client, verb="ListIdentifiers", resumptionToken=token_element.text)
    # Nothing that was there at the start is skipped; the change and the deletion come again.
    assert expected - set(seen) <= set(rest)
    assert oai.oai_identifier(changed_id) in rest
    assert oai.oai_identifier(gone_id) in rest
    assert DeletedCluster.objects.filter(cluster_id=gone_id).exists()


def test_a_token_from_a_finished_list_of_removed_titles_says_no_records(catalogue, small_pages):
    root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", set="format:book")
    token = root.find(f".//{OAI}resumptionToken")
    if token is None or not token.text:
        return
    Cluster.objects.filter(material_type="book").update(material_type="other")
    DeletedCluster.objects.all().delete()
    root = oai_get(Client(), verb="ListIdentifiers", resumptionToken=token.text)
    assert error_codes(root) == ["noRecordsMatch"]
