"""Every export of a title parses back: RIS lines, a BibTeX entry with escaped TeX, CSL-JSON,
MARCXML in the MARC 21 slim structure and ISO 2709 that pymarc reads."""

from __future__ import annotations

import io
import json
import re

import pymarc
import pytest
from lxml import etree

from simpul.catalog import queries
from simpul.catalog.exports import bibtex, csl_json, marc, marcxml, ris
from simpul.catalog.models import Cluster, Record
from tests.catalog.catalogue_world import shared_cluster

pytestmark = pytest.mark.django_db
MARC_NS = "http://www.loc.gov/MARC21/slim"
URL = "https://simpul.example/catalogue/1/"


def marc_title_view() -> queries.ClusterView:
    record = Record.objects.filter(source_format="marc21", cluster__library_count=2).first()
    assert record is not None and record.cluster_id is not None
    return queries.get_cluster(record.cluster_id)


def test_ris_is_tagged_lines(catalogue):
    view = queries.get_cluster(shared_cluster().pk)
    text = ris.render(view, URL).decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "TY  - BOOK"
    assert lines[-2] == "ER  - " and lines[-1] == ""
    for line in lines[:-1]:
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
    assert f"TI  - {view.best.title}" in lines
    assert f"AU  - {view.authors[0]}" in lines
    assert f"UR  - {URL}" in lines


def test_bibtex_escapes_tex_and_keeps_one_entry(catalogue):
    view = queries.get_cluster(shared_cluster().pk)
    view.best.title = "50% of R&D {costs} in C_2 #1 ~ $5 ^ \\ end"
    view.best.authors = ["Departemen Pendidikan dan Kebudayaan", "Sari, Reni"]
    view.records = [view.best]
    text = bibtex.render(view, URL).decode("utf-8")
    assert re.match(r"@book\{simpul\d+,\n", text) and text.endswith("}\n")
    assert (
        r"title = {50\% of R\&D \{costs\} in C\_2 \#1 \textasciitilde{} \$5 "
        r"\textasciicircum{} \textbackslash{} end}"
    ) in text
    assert "author = {{Departemen Pendidikan dan Kebudayaan} and Sari, Reni}" in text
    # Braces balance, so a BibTeX parser reads one entry to its end.
    body = re.sub(r"\\[{}]", "", text)
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_csl_json_has_the_standard_keys(catalogue):
    view = marc_title_view()
    items = json.loads(csl_json.render(view, URL))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["type"] == "book" and item["title"].startswith(view.best.title)
    assert item["id"] == f"simpul-{view.cluster.pk}"
    assert item["issued"] == {"date-parts": [[view.best.year]]}
    assert {"family", "given"} <= set(item["author"][0]) or "literal" in item["author"][0]
    assert item["URL"] == URL


def test_marcxml_is_marc21_slim(catalogue):
    view = marc_title_view()
    root = etree.fromstring(marcxml.render(view, URL))
    assert root.tag == f"{{{MARC_NS}}}collection"
    records = root.findall(f"{{{MARC_NS}}}record")
    assert len(records) == len(view.records) == 2
    for record in records:
        children = list(record)
        assert children[0].tag == f"{{{MARC_NS}}}leader" and len(children[0].text or "") == 24
        for child in children[1:]:
            assert child.tag in {f"{{{MARC_NS}}}controlfield", f"{{{MARC_NS}}}datafield"}
            assert re.fullmatch(r"[0-9A-Za-z]{3}", child.get("tag"))
            if child.tag.endswith("datafield"):
                assert len(child.get("ind1")) == 1 and len(child.get("ind2")) == 1
                assert all(s.tag == f"{{{MARC_NS}}}subfield" for s in child)
                assert all(len(s.get("code")) == 1 for s in child)
    # pymarc, a third-party reader, reads it back.
    parsed = pymarc.parse_xml_to_array(io.BytesIO(marcxml.render(view, URL)))
    assert parsed[0]["245"]["a"].startswith(view.best.title.split(" ")[0])


def test_non_marc_sources_get_a_minimal_marc_record(catalogue):
    view = queries.get_cluster(shared_cluster().pk)
    assert {r.source_format for r in view.records} == {"csv"}
    parsed = pymarc.parse_xml_to_array(io.BytesIO(marcxml.render(view, URL)))
    assert len(parsed) == 2
    assert parsed[0]["245"]["a"].startswith(view.best.title)
    assert parsed[0]["001"].data == view.best.local_id
    assert parsed[0]["100"]["a"] == view.best.authors[0]


def test_iso2709_reads_back(catalogue):
    view = marc_title_view()
    data = marc.render(view, URL)
    records = list(pymarc.MARCReader(data, to_unicode=True, force_utf8=True))
    assert len(records) == 2 and all(r is not None for r in records)
    assert records[0].leader[9] == "a"  # UTF-8
    assert records[0]["245"]["a"].startswith(view.best.title.split(" ")[0])


def test_download_links_give_files_with_names_and_types(catalogue, en_client):
    cluster = Cluster.objects.get(pk=marc_title_view().cluster.pk)
    expected = {
        "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
        "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
        "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
        "marcxml": ("application/marcxml+xml; charset=utf-8", "xml"),
        "marc": ("application/marc", "mrc"),
    }
    for key, (mime, extension) in expected.items():
        response = en_client.get(f"/catalogue/{cluster.pk}/export/{key}/")
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert response["Content-Disposition"] == (
            f'attachment; filename="simpul-{cluster.pk}.{extension}"'
        )
    assert en_client.get(f"/catalogue/{cluster.pk}/export/docx/").status_code == 404
