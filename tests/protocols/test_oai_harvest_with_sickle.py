"""A third-party harvester (Sickle) harvests /oai completely over real HTTP on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from sickle import Sickle

from simpul.catalog.models import Cluster, DeletedCluster, Record, RecordStatus
from simpul.catalog.services import clustering
from simpul.core.bulk import update_rows
from simpul.protocols import oai
from simpul.protocols.schemas import marcxml_schema
from tests.catalog.catalogue_world import shared_cluster
from tests.protocols.conftest import NS


@pytest.fixture
def harvester(transactional_db: None, live_server: Any, catalogue, small_pages) -> Sickle:
    return Sickle(f"{live_server.url}/oai", max_retries=0, timeout=30)


def test_sickle_harvests_everything_including_deletions(harvester: Sickle) -> None:
    gone = shared_cluster()
    records = list(Record.objects.filter(cluster=gone))
    for record in records:
        record.status = RecordStatus.WITHDRAWN
    update_rows(Record, records, ["status"])
    clustering.recluster(records)
    identify = harvester.Identify()
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats()]
    assert formats == ["oai_dc", "marcxml"]
    sets = [s.setSpec for s in harvester.ListSets()]
    assert "library:ALPHA" in sets

    harvested = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    live = {oai.oai_identifier(pk) for pk in Cluster.objects.values_list("pk", flat=True)}
    deleted = {
        oai.oai_identifier(pk) for pk in DeletedCluster.objects.values_list("cluster_id", flat=True)
    }
    ids = [r.header.identifier for r in harvested]
    assert len(ids) == len(set(ids))
    assert set(ids) == live | deleted
    assert {r.header.identifier for r in harvested if r.header.deleted} == deleted
    some = next(r for r in harvested if not r.header.deleted)
    assert some.metadata["title"][0]

    marc = list(harvester.ListRecords(metadataPrefix="marcxml", set="library:BETA"))
    beta = {
        oai.oai_identifier(pk)
        for pk in Cluster.objects.filter(
            records__library__code="BETA", records__status=RecordStatus.ACTIVE
        ).values_list("pk", flat=True)
    }
    assert {r.header.identifier for r in marc if not r.header.deleted} == beta
    for record in marc:
        if record.header.deleted:
            continue
        element = record.xml.find(".//marc:record", NS)
        assert marcxml_schema().validate(etree.ElementTree(element)), marcxml_schema().error_log
        assert "BETA" in element.xpath(
            "marc:datafield[@tag='852']/marc:subfield[@code='a']/text()", namespaces=NS
        )

    single = harvester.GetRecord(identifier=ids[0], metadataPrefix="oai_dc")
    assert single.header.identifier == ids[0]
