"""Datestamps follow changes to a title's records; titles that leave stay as deleted records."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from simpul.catalog.models import Cluster, DeletedCluster, Record, RecordStatus
from simpul.catalog.services import clustering
from simpul.core.bulk import update_rows
from simpul.protocols import oai
from tests.catalog.catalogue_world import shared_cluster
from tests.protocols.conftest import NS, OAI, error_codes, oai_get

UTC = dt.UTC


def identifiers(root) -> set[str]:
    return set(root.xpath("//oai:header/oai:identifier/text()", namespaces=NS))


def test_changing_a_record_moves_its_title_datestamp_and_its_own(catalogue):
    cluster = shared_cluster()
    old = timezone.now() - dt.timedelta(days=3)
    Cluster.objects.filter(pk=cluster.pk).update(updated_at=old)
    Record.objects.filter(cluster=cluster).update(updated_at=old)
    record = Record.objects.filter(cluster=cluster).first()
    record.title = record.title + " (edisi revisi)"
    update_rows(Record, [record], ["title"])  # what an import does with a changed record
    clustering.recluster([record])
    record.refresh_from_db()
    assert record.updated_at > old + dt.timedelta(days=2)
    moved = Cluster.objects.get(pk=record.cluster_id)
    assert moved.updated_at > old + dt.timedelta(days=2)
    since = (old + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert oai.oai_identifier(moved.pk) in identifiers(root)


def test_from_and_until_select_by_utc_second_and_by_day(catalogue):
    pks = list(Cluster.objects.order_by("pk").values_list("pk", flat=True)[:3])
    moments = [
        dt.datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC),
        dt.datetime(2024, 5, 1, 10, 0, 1, tzinfo=UTC),
        dt.datetime(2024, 5, 2, 0, 0, 0, tzinfo=UTC),
    ]
    for pk, moment in zip(pks, moments, strict=True):
        Cluster.objects.filter(pk=pk).update(updated_at=moment)
    Cluster.objects.exclude(pk__in=pks).update(updated_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    ids = [oai.oai_identifier(pk) for pk in pks]

    def listed(**arguments: str) -> set[str]:
        root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", **arguments)
        return identifiers(root) if not error_codes(root) else set()

    assert listed(until="2024-05-01T10:00:00Z") == {ids[0]}  # the whole second is included
    assert listed(**{"from": "2024-05-01T10:00:01Z", "until": "2024-05-01T23:59:59Z"}) == {ids[1]}
    assert listed(**{"from": "2024-05-01T10:00:01Z", "until": "2024-05-01"}) == set()  # mixed
    assert listed(**{"from": "2024-05-01", "until": "2024-05-01"}) == {ids[0], ids[1]}
    assert listed(**{"from": "2024-05-02", "until": "2024-12-31"}) == {ids[2]}
    root = oai_get(Client(), verb="GetRecord", metadataPrefix="oai_dc", identifier=ids[0])
    assert root.findtext(".//oai:datestamp", namespaces=NS) == "2024-05-01T10:00:00Z"


def test_a_title_that_leaves_is_a_deleted_record_for_good(catalogue):
    cluster = shared_cluster()
    kind = cluster.material_type
    records = list(Record.objects.filter(cluster=cluster))
    for record in records:
        record.status = RecordStatus.WITHDRAWN
    update_rows(Record, records, ["status"])
    clustering.recluster(records)
    assert not Cluster.objects.filter(pk=cluster.pk).exists()
    tombstone = DeletedCluster.objects.get(cluster_id=cluster.pk)
    identifier = oai.oai_identifier(cluster.pk)
    for prefix in ("oai_dc", "marcxml"):
        root = oai_get(Client(), verb="GetRecord", metadataPrefix=prefix, identifier=identifier)
        header = root.find(".//oai:header", NS)
        assert header.get("status") == "deleted"
        assert header.findtext("oai:datestamp", namespaces=NS) == oai.datestamp(
            tombstone.deleted_at
        )
        assert root.find(".//oai:metadata", NS) is None
    root = oai_get(Client(), verb="ListRecords", metadataPrefix="oai_dc", set=f"format:{kind}")
    deleted = root.xpath("//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS)
    assert deleted == [identifier]
    root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:BETA")
    assert identifier in identifiers(root)  # a deletion reaches every library's harvesters
    since = oai.datestamp(tombstone.deleted_at)
    root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert identifier in identifiers(root)
    assert root.find(f"{OAI}error") is None
