"""Fixtures of the protocol tests: the shared catalogue world, and OAI-PMH/SRU helpers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lxml import etree

from simpul.protocols.schemas import oai_pmh_schema
from tests.catalog.catalogue_world import catalogue, en_client  # noqa: F401

OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "marc": "http://www.loc.gov/MARC21/slim",
    "srw": "http://www.loc.gov/zing/srw/",
    "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "diag": "http://www.loc.gov/zing/srw/diagnostic/",
    "diag2": "http://docs.oasis-open.org/ns/search-ws/diagnostic",
    "scan": "http://docs.oasis-open.org/ns/search-ws/scan",
    "zr": "http://explain.z3950.org/dtd/2.0/",
}


def valid_oai(body: bytes) -> etree._Element:
    """The parsed response, after checking it against the official OAI-PMH schemas."""
    root = etree.fromstring(body)
    schema = oai_pmh_schema()
    if not schema.validate(root):
        raise AssertionError(f"not valid OAI-PMH: {schema.error_log}")
    return root


def oai_get(client: Client, **params: Any) -> etree._Element:
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return valid_oai(response.content)


def error_codes(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall(f"{OAI}error")]


@pytest.fixture
def small_pages(settings: Any) -> int:
    """OAI-PMH lists of 7 items a page, so the sample catalogue needs several pages."""
    settings.OAI_PAGE_SIZE = 7
    return 7
