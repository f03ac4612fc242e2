"""SRU over plain HTTP: what a client relies on in 1.2 and 2.0 responses, and the diagnostics."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lxml import etree

from simpul.catalog.models import Cluster
from simpul.protocols.schemas import marcxml_schema
from tests.catalog.catalogue_world import shared_cluster
from tests.protocols.conftest import NS


def sru(version: str = "2.0", **params: Any) -> etree._Element:
    params.setdefault("operation", "searchRetrieve")
    response = Client().get("/sru", {"version": version, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


def p(version: str) -> str:
    return "sru" if version == "2.0" else "srw"


def diagnostics(root: etree._Element) -> list[str]:
    return [
        uri.rsplit("/", 1)[1]
        for uri in root.xpath(".//diag:uri/text() | .//diag2:uri/text()", namespaces=NS)
    ]


def hits(root: etree._Element) -> int:
    return int(root.xpath("string(//*[local-name()='numberOfRecords'])"))


def cluster_ids(root: etree._Element) -> list[int]:
    return [
        int(value)
        for value in root.xpath("//marc:record/marc:controlfield[@tag='001']/text()", namespaces=NS)
    ]


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_search_retrieve_returns_marcxml_records_with_positions(catalogue, version):
    root = sru(version, query="dc.title=hukum", maximumRecords=5)
    q = p(version)
    assert root.tag == f"{{{NS[q]}}}searchRetrieveResponse"
    if version == "1.2":
        assert root.findtext("srw:version", namespaces=NS) == "1.2"
    assert hits(root) == 12
    records = root.findall(f"{q}:records/{q}:record", NS)
    assert len(records) == 5
    assert [r.findtext(f"{q}:recordPosition", namespaces=NS) for r in records] == list(
        map(str, range(1, 6))
    )
    assert root.findtext(f"{q}:nextRecordPosition", namespaces=NS) == "6"
    for record in root.iterfind(".//marc:record", NS):
        assert marcxml_schema().validate(etree.ElementTree(record)), marcxml_schema().error_log
    page2 = sru(version, query="dc.title=hukum", maximumRecords=5, startRecord=6)
    assert not set(cluster_ids(root)) & set(cluster_ids(page2))
    last = sru(version, query="dc.title=hukum", maximumRecords=5, startRecord=11)
    assert len(cluster_ids(last)) == 2
    assert last.find(f"{q}:nextRecordPosition", NS) is None


def test_record_schemas_and_packing(catalogue):
    pk = Cluster.objects.order_by("pk").values_list("pk", flat=True).first()
    root = sru(query=f"rec.id={pk}", recordSchema="dc")
    assert root.findtext(".//sru:recordSchema", namespaces=NS) == "info:srw/schema/1/dc-v1.1"
    assert root.find(".//{info:srw/schema/1/dc-schema}dc/dc:title", NS) is not None
    root = sru(query=f"rec.id={pk}", recordSchema="info:srw/schema/1/marcxml-v1.1")
    assert cluster_ids(root) == [pk]
    as_text = sru(query=f"rec.id={pk}", recordXMLEscaping="string")
    data = as_text.findtext(".//sru:recordData", namespaces=NS)
    assert data.startswith("<record") and "<leader>" in data
    old = sru("1.2", query=f"rec.id={pk}", recordPacking="string")
    assert old.findtext(".//srw:recordPacking", namespaces=NS) == "string"


def test_cql_indexes_booleans_and_relations_find_the_right_titles(catalogue):
    cluster = shared_cluster()
    best = cluster.best_record
    author = best.authors[0].split()[-1].strip(",.")

    def found(query: str) -> set[int]:
        ids: set[int] = set()
        start = 1
        while True:
            root = sru(query=query, maximumRecords=100, startRecord=start)
            assert not diagnostics(root), (query, diagnostics(root))
            ids |= set(cluster_ids(root))
            following = root.findtext("sru:nextRecordPosition", namespaces=NS)
            if not following:
                return ids
            start = int(following)

    total = Cluster.objects.count()
    assert len(found("cql.allRecords=1")) == total
    assert cluster.pk in found(f'dc.creator="{author}"')
    assert cluster.pk in found(f"rec.id={cluster.pk}")
    assert found(f"rec.id={cluster.pk}") == {cluster.pk}
    hukum = found("dc.title=hukum")
    assert found("dc.title=hukum and dc.title=pajak") <= hukum
    assert found("dc.title=hukum or dc.title=pajak") >= hukum
    assert not found("dc.title=hukum not dc.title=hukum")
    assert found('dc.title any "hukum pajak"') == found("dc.title=hukum or dc.title=pajak")
    assert found('dc.title all "hukum pajak"') == found("dc.title=hukum and dc.title=pajak")
    assert found("dc.title=huk*") >= hukum
    recent = found("dc.date>=2010")
    old = found("dc.date<2010")
    assert recent and old and not recent & old
    assert found('dc.date within "2000 2009"') == found("dc.date>=2000 and dc.date<=2009")
    assert found("dc.date<>2010") == found("cql.allRecords=1") - found("dc.date=2010")
    assert found("simpul.library=BETA") < found("cql.allRecords=1")
    assert found("dc.type=book")
    if best.isbns:
        assert cluster.pk in found(f"bath.isbn={best.isbns[0]}")
    phrase = " ".join(best.title.split()[:2])
    assert cluster.pk in found(f'dc.title adj "{phrase}"')
    first, second = best.title.split()[:2]
    assert cluster.pk in found(f"dc.title={first} prox/unit=word/distance<=2 dc.title={second}")


def test_sortby_orders_by_year(catalogue):
    root = sru(query="cql.allRecords=1 sortby dc.date/sort.descending", maximumRecords=20)
    years = [
        int(y)
        for y in root.xpath(
            "//marc:datafield[@tag='264' or @tag='260']/marc:subfield[@code='c'][1]/text()",
            namespaces=NS,
        )
        if y.strip("[]c. ").isdigit()
    ]
    assert years and years == sorted(years, reverse=True)


@pytest.mark.parametrize(
    ("params", "number"),
    [
        ({"query": "dc.title=(hukum"}, "10"),
        ({"query": "dc.nosuch=x"}, "16"),
        ({"query": "nosuchset.title=x"}, "15"),
        ({"query": "dc.title<hukum"}, "19"),
        ({"query": "dc.title=/fuzzy hukum"}, "20"),
        ({"query": "dc.title any/fuzzy hukum"}, "20"),
        ({"query": "dc.date=nineteen"}, "36"),
        ({"query": "dc.title=h?kum"}, "28"),
        ({"query": "dc.title=hu*"}, "29"),
        ({"query": ""}, "27"),
        ({"query": "a prox b or c prox/unit=sentence d"}, "39"),
        ({"query": "dc.title=a prox/unit=sentence dc.title=b"}, "42"),
        ({"query": "hukum sortby dc.creator"}, "88"),
        ({"operation": "searchRetrieve"}, "7"),
        ({"query": "hukum", "recordSchema": "mods"}, "66"),
        ({"query": "hukum", "startRecord": "0"}, "6"),
        ({"query": "hukum", "maximumRecords": "-1"}, "6"),
        ({"query": "hukum", "startRecord": "1000"}, "61"),
        ({"query": "hukum", "recordXMLEscaping": "json"}, "71"),
        ({"query": "hukum", "recordXPath": "/x"}, "8"),
        ({"query": "hukum", "stylesheet": "/x.xsl"}, "110"),
        ({"operation": "frobnicate"}, "4"),
        ({"query": "hukum", "version": "3.0"}, "5"),
    ],
)
def test_bad_requests_get_diagnostics(catalogue, params, number):
    version = params.pop("version", "2.0")
    root = sru(version, **params)
    assert number in diagnostics(root)


def test_the_1_2_diagnostic_is_in_the_srw_namespace(catalogue):
    root = sru("1.2", query="dc.nosuch=x")
    assert root.findtext(".//diag:details", namespaces=NS) == "dc.nosuch"
    assert root.findtext(".//diag:message", namespaces=NS) == "Unsupported index"
    assert hits(root) == 0


def test_explain_lists_indexes_schemas_and_limits(catalogue):
    for version, q in (("1.2", "srw"), ("2.0", "sru")):
        root = sru(version, operation="explain")
        assert root.tag == f"{{{NS[q]}}}explainResponse"
        explain = root.find(".//zr:explain", NS)
        names = {
            f"{n.get('set')}.{n.text}" for n in explain.iterfind(".//zr:index/zr:map/zr:name", NS)
        }
        assert {"dc.title", "dc.creator", "dc.subject", "bath.isbn", "cql.anywhere"} <= names
        schemas = {s.get("name") for s in explain.iterfind(".//zr:schema", NS)}
        assert schemas == {"marcxml", "dc"}
        assert explain.find("zr:serverInfo", NS).get("version") == version
    assert sru("2.0", operation="").find(".//zr:explain", NS) is not None  # 2.0: the default


def test_scan_lists_index_terms_in_order_with_counts(catalogue):
    for version in ("1.2", "2.0"):
        root = sru(version, operation="scan", scanClause="dc.title=hukum", maximumTerms=5)
        values = root.xpath("//*[local-name()='term']/*[local-name()='value']/text()")
        counts = root.xpath("//*[local-name()='term']/*[local-name()='numberOfRecords']/text()")
        assert values[0] == "hukum" and counts[0] == "12"
        assert values == sorted(values) and len(values) == 5
    root = sru(operation="scan", scanClause="dc.title=hukum", maximumTerms=5, responsePosition=3)
    values = root.xpath("//*[local-name()='value']/text()")
    assert values[2] == "hukum" and values[:2] == sorted(values[:2])
    root = sru(operation="scan", scanClause="dc.date=2000")
    assert "16" in diagnostics(root)
    root = sru(operation="scan")
    assert "7" in diagnostics(root)
