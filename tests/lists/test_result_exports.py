"""Whole search results exported as files (MARCXML, RIS, BibTeX, CSV), streamed in chunks."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.http import StreamingHttpResponse
from lxml import etree

from simpul.catalog import queries
from simpul.lists import exports
from simpul.protocols import schemas
from tests.conftest import World

MARC_NS = "{http://www.loc.gov/MARC21/slim}"


def download(client, fmt: str, **params: str) -> tuple[StreamingHttpResponse, bytes]:
    response = client.get(f"/catalogue/export/{fmt}/", params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return response, b"".join(response.streaming_content)


def total(**params: str) -> int:
    return queries.search_catalogue(queries.search_params(params), facets=False).total


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 7 titles, so even the sample catalogue is written over many search pages."""
    monkeypatch.setattr(exports, "CHUNK", 7)


def test_ris_holds_every_title_the_search_found(catalogue: World, en_client, small_chunks) -> None:
    expected = total()
    assert expected > 50
    response, body = download(en_client, "ris")
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".ris" in response["Content-Disposition"]
    )
    text = body.decode("utf-8")
    ids = re.findall(r"^ID  - simpul-(\d+)\r$", text, flags=re.MULTILINE)
    assert len(ids) == len(set(ids)) == expected
    assert text.count("ER  - ") == expected


def test_the_export_follows_the_search_and_its_filters(
    catalogue: World, en_client, small_chunks
) -> None:
    params = {"library": "BETA", "sort": "title"}
    _response, body = download(en_client, "bibtex", **params)
    entries = re.findall(r"^@\w+\{simpul(\d+),", body.decode("utf-8"), flags=re.MULTILINE)
    page = queries.search_catalogue(
        queries.search_params({**params, "page_size": "100"}), facets=False
    )
    assert len(entries) == page.total < total()
    assert [int(pk) for pk in entries[: len(page.hits)]] == [hit.cluster.pk for hit in page.hits]


def test_marcxml_is_one_valid_collection(catalogue: World, en_client, small_chunks) -> None:
    _response, body = download(en_client, "marcxml", library="BETA")
    schema = schemas.marcxml_schema()
    document = etree.fromstring(body)
    schema.assertValid(document)
    assert document.tag == f"{MARC_NS}collection"
    assert len(document.findall(f"{MARC_NS}record")) >= total(library="BETA") > 0


def test_csv_has_one_row_per_title_with_holdings(catalogue: World, en_client, small_chunks) -> None:
    _response, body = download(en_client, "csv", q="hukum")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == total(q="hukum") > 0
    assert all(r["url"].startswith("http://testserver/catalogue/") for r in rows)
    assert all(set(r["libraries"].split("; ")) <= {"ALPHA", "BETA"} for r in rows)


def test_an_export_stops_at_the_configured_cap(
    catalogue: World, en_client, settings, small_chunks
) -> None:
    settings.EXPORT_MAX_RESULTS = 10
    _response, body = download(en_client, "ris")
    assert body.decode().count("ER  - ") == 10
    page = en_client.get("/catalogue/")
    text = page.content.decode()
    assert "Export the first 10 of" in text


def test_the_search_page_offers_to_export_every_result(catalogue: World, en_client) -> None:
    response = en_client.get("/catalogue/", {"q": "hukum", "page": "2"})
    text = response.content.decode()
    count = response.context["page"].total
    assert f"Export all {count} results" in text
    links = re.findall(r'href="(/catalogue/export/(\w+)/\?[^"]*)"', text)
    assert {fmt for _url, fmt in links} == {"marcxml", "ris", "bibtex", "csv"}
    assert all("q=hukum" in url and "page=" not in url for url, _fmt in links)


def test_an_unknown_format_is_not_found(catalogue: World, en_client) -> None:
    assert en_client.get("/catalogue/export/pdf/").status_code == 404


def test_memory_stays_flat_while_streaming(catalogue: World, small_chunks) -> None:
    """The generator holds one chunk: after the first chunk nothing else is loaded ahead."""
    params = queries.search_params({})
    stream = exports.stream_results(params, exports.RESULT_FORMATS["ris"], lambda pk: f"/c/{pk}/")
    head = next(stream)
    first = next(stream)
    assert head == b"" and first.count(b"ER  - ") == 7
