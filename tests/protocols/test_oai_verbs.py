"""Each OAI-PMH verb answers what a harvester relies on, valid against the official schemas."""

from __future__ import annotations

from django.test import Client

from simpul.catalog.models import Cluster, Holding
from simpul.protocols import oai
from tests.catalog.catalogue_world import shared_cluster
from tests.protocols.conftest import NS, OAI, oai_get


def test_identify_names_the_repository_its_identifiers_and_deletion_policy(catalogue):
    root = oai_get(Client(), verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == "http://testserver/oai"
    assert identify.findtext(f"{OAI}protocolVersion") == "2.0"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert "Jaringan Uji" in identify.findtext(f"{OAI}repositoryName")
    earliest = identify.findtext(f"{OAI}earliestDatestamp")
    first = Cluster.objects.order_by("updated_at").first()
    assert earliest == oai.datestamp(first.updated_at)
    sample = root.findtext(
        ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier"
    )
    assert sample == "oai:simpul.localhost:title/1"


def test_the_repository_identifier_comes_from_the_setting_or_the_site_host(catalogue, settings):
    settings.OAI_REPOSITORY_IDENTIFIER = ""
    settings.SITE_URL = "https://katalog.example.ac.id"
    assert oai.repository_identifier() == "katalog.example.ac.id"
    settings.OAI_REPOSITORY_IDENTIFIER = "jaringan.example.org"
    cluster = shared_cluster()
    root = oai_get(
        Client(),
        verb="GetRecord",
        metadataPrefix="oai_dc",
        identifier=f"oai:jaringan.example.org:title/{cluster.pk}",
    )
    assert root.findtext(".//oai:header/oai:identifier", namespaces=NS) == (
        f"oai:jaringan.example.org:title/{cluster.pk}"
    )


def test_list_metadata_formats_offers_oai_dc_and_marcxml(catalogue):
    root = oai_get(Client(), verb="ListMetadataFormats")
    prefixes = root.xpath("//oai:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "marcxml"]
    cluster = shared_cluster()
    root = oai_get(Client(), verb="ListMetadataFormats", identifier=oai.oai_identifier(cluster.pk))
    assert root.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "marcxml"]


def test_list_sets_has_every_member_library_and_material_type(catalogue):
    root = oai_get(Client(), verb="ListSets")
    specs = root.xpath("//oai:setSpec/text()", namespaces=NS)
    assert {"library", "library:ALPHA", "library:BETA", "format", "format:book"} <= set(specs)
    names = dict(zip(specs, root.xpath("//oai:setName/text()", namespaces=NS), strict=True))
    assert names["library:ALPHA"] == "Perpustakaan Universitas Alpha"


def test_get_record_in_dublin_core(catalogue):
    cluster = shared_cluster()
    best = cluster.best_record
    root = oai_get(
        Client(),
        verb="GetRecord",
        metadataPrefix="oai_dc",
        identifier=oai.oai_identifier(cluster.pk),
    )
    header = root.find(".//oai:header", NS)
    assert header.findtext("oai:datestamp", namespaces=NS) == oai.datestamp(cluster.updated_at)
    assert set(header.xpath("oai:setSpec/text()", namespaces=NS)) == {
        "library:ALPHA",
        "library:BETA",
        f"format:{cluster.material_type}",
    }
    dc = root.find(".//oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS).startswith(best.title)
    assert dc.xpath("dc:creator/text()", namespaces=NS) == best.authors
    assert dc.findtext("dc:publisher", namespaces=NS) == best.publisher
    assert f"http://127.0.0.1:8000/catalogue/{cluster.pk}/" in dc.xpath(
        "dc:identifier/text()", namespaces=NS
    )


def test_get_record_in_marcxml_carries_every_holding_library(catalogue):
    cluster = shared_cluster()
    root = oai_get(
        Client(),
        verb="GetRecord",
        metadataPrefix="marcxml",
        identifier=oai.oai_identifier(cluster.pk),
    )
    record = root.find(".//marc:record", NS)
    assert record.findtext("marc:controlfield[@tag='001']", namespaces=NS) == str(cluster.pk)
    assert record.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS)
    holders = record.xpath(
        "marc:datafield[@tag='852']/marc:subfield[@code='a']/text()", namespaces=NS
    )
    assert holders == ["ALPHA", "BETA"]
    call_numbers = set(
        Holding.objects.filter(record__cluster=cluster, library__code="ALPHA")
        .exclude(call_number="")
        .values_list("call_number", flat=True)
    )
    shown = record.xpath(
        "marc:datafield[@tag='852'][marc:subfield[@code='a']='ALPHA']"
        "/marc:subfield[@code='h']/text()",
        namespaces=NS,
    )
    assert set(shown) <= call_numbers and (shown or not call_numbers)
    own = cluster.best_record
    assert f"({own.library.code}){own.local_id}" in record.xpath(
        "marc:datafield[@tag='035']/marc:subfield[@code='a']/text()", namespaces=NS
    )


def test_list_records_and_identifiers_cover_every_title_once(catalogue):
    live = set(Cluster.objects.exclude(best_record=None).values_list("pk", flat=True))
    for verb in ("ListIdentifiers", "ListRecords"):
        root = oai_get(Client(), verb=verb, metadataPrefix="marcxml")
        ids = root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        assert sorted(ids) == sorted(oai.oai_identifier(pk) for pk in live)
        assert root.find(f".//{OAI}resumptionToken") is None  # all on one page
    root = oai_get(Client(), verb="ListRecords", metadataPrefix="marcxml")
    assert len(root.findall(".//marc:record", NS)) == len(live)


def test_requests_may_come_by_post(catalogue):
    response = Client().post("/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    assert b"<header>" in response.content


def test_marcxml_of_a_title_built_from_csv_columns_in_a_fixed_number_of_queries(
    catalogue, django_assert_max_num_queries
):
    """A member's MARC record is served from its bytes, a CSV row's from its columns; the
    columns are read for those titles only, and in one query, not one per title."""
    cluster = (
        Cluster.objects.filter(best_record__source_format="csv")
        .exclude(best_record__authors=[])
        .exclude(best_record__publisher="")
        .select_related("best_record")
        .order_by("pk")
        .first()
    )
    best = cluster.best_record
    with django_assert_max_num_queries(12):
        root = oai_get(Client(), verb="ListRecords", metadataPrefix="marcxml")
    (record,) = root.xpath(
        f"//marc:record[marc:controlfield[@tag='001']='{cluster.pk}']", namespaces=NS
    )

    def subfield(tag: str, code: str) -> str:
        return record.findtext(
            f"marc:datafield[@tag='{tag}']/marc:subfield[@code='{code}']", namespaces=NS
        )

    assert subfield("245", "a").rstrip(" :") == best.title
    assert subfield("100", "a") == best.authors[0]
    assert subfield("264", "b") == best.publisher
    assert subfield("264", "c") == (str(best.year) if best.year else None)
