"""MARCXML of every real sample record: served by OAI-PMH and exported, always valid.

Every MARC record of the samples in shared/data (ISO 2709 clean and broken, MARC-8,
MARCXML) is imported. Serving reads each title's stored record again: records that need
no repair are read without pymarc (`plain_bibliographic`), the rest through the full
readers; the whole ListRecords harvest is made both ways and the bytes must be the same.
Every served and every exported record must be valid MARC21slim (a record with a control
character in a tag once made the export fail).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from simpul.catalog.exports import FORMATS
from simpul.catalog.models import Cluster, Record
from simpul.catalog.readers.marc import plain_fields
from simpul.protocols import records
from simpul.protocols.schemas import marcxml_schema
from tests.catalog.catalogue_world import import_file
from tests.conftest import World
from tests.protocols.conftest import NS, valid_oai

_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_VOLATILE = re.compile(rb"<responseDate>[^<]*</responseDate>|resumptionToken[^<]*<")


def _harvest(client: Client) -> list[bytes]:
    pages = []
    params = {"verb": "ListRecords", "metadataPrefix": "marcxml"}
    while True:
        body = client.get("/oai", params).content
        pages.append(body)
        found = _TOKEN.search(body)
        if not found:
            return pages
        params = {"verb": "ListRecords", "resumptionToken": found.group(1).decode()}


@pytest.fixture
def sample_records(world: World, shared_data: Path) -> World:
    files = [
        *sorted((shared_data / "marc21").glob("*.mrc")),
        *sorted((shared_data / "broken").glob("*.mrc")),
        *sorted((shared_data / "marcxml").glob("*.xml")),
    ]
    for path in files:
        import_file(world.librarian_a, world.library_a, path)
    return world


def test_every_sample_record_is_served_the_same_read_plainly_or_fully(
    sample_records: World, monkeypatch: Any, settings: Any
) -> None:
    settings.OAI_PAGE_SIZE = 100
    marc = [
        bytes(raw)
        for raw in Record.objects.filter(source_format="marc21").values_list("raw", flat=True)
    ]
    plain = sum(plain_fields(raw[: raw.find(b"\x1d") + 1]) is not None for raw in marc)
    assert plain > 100  # the fast route is taken for most records...
    assert len(marc) - plain > 20  # ...and the full readers for MARC-8 and repaired ones

    client = Client()
    fast = _harvest(client)
    monkeypatch.setattr(records, "plain_bibliographic", lambda raw, source_format: None)
    full = _harvest(client)

    assert [_VOLATILE.sub(b"", page) for page in fast] == [
        _VOLATILE.sub(b"", page) for page in full
    ]
    schema = marcxml_schema()
    served = 0
    for page in fast:
        for element in valid_oai(page).iterfind(".//marc:record", NS):
            assert schema.validate(etree.ElementTree(element)), schema.error_log
            served += 1
    assert served == Cluster.objects.filter(best_record__isnull=False).count() > 200


def test_every_sample_title_exports_as_valid_marcxml(sample_records: World) -> None:
    schema = marcxml_schema()
    client = Client()
    bad = []
    for pk in Cluster.objects.values_list("pk", flat=True):
        body = client.get(f"/catalogue/{pk}/export/marcxml/").content
        if not schema.validate(etree.fromstring(body)):
            bad.append((pk, str(schema.error_log)[:200]))
    assert bad == []


def test_every_sample_title_exports_in_every_format(sample_records: World) -> None:
    client = Client()
    failed = []
    for pk in Cluster.objects.values_list("pk", flat=True):
        for key in FORMATS:
            response = client.get(f"/catalogue/{pk}/export/{key}/")
            if response.status_code != 200 or not response.content:
                failed.append((pk, key, response.status_code))
    assert failed == []


@pytest.fixture
def built_samples(world: World, shared_data: Path) -> World:
    """Records that did not come as MARC (CSV, Dublin Core): served as MARC built from
    their columns."""
    for path in [
        shared_data / "indonesian" / "ucm_perpustakaan_buku-sample.csv",
        *sorted((shared_data / "oai_pmh").glob("*.xml")),
    ]:
        import_file(world.librarian_a, world.library_a, path)
    return world


def _subfields(record: etree._Element, tag: str, code: str) -> list[str]:
    path = f"marc:datafield[@tag='{tag}']/marc:subfield[@code='{code}']"
    return [sub.text or "" for sub in record.iterfind(path, NS)]


def test_titles_built_from_columns_are_served_with_their_columns(
    built_samples: World, settings: Any
) -> None:
    settings.OAI_PAGE_SIZE = 100
    best = {
        cluster.pk: cluster.best_record
        for cluster in Cluster.objects.filter(best_record__isnull=False).select_related(
            "best_record__library"
        )
    }
    assert sum(r.source_format not in {"marc21", "marcxml"} for r in best.values()) > 50
    schema = marcxml_schema()
    checked = 0
    for page in _harvest(Client()):
        for element in valid_oai(page).iterfind(".//marc:record", NS):
            assert schema.validate(etree.ElementTree(element)), schema.error_log
            number = int(element.findtext("marc:controlfield[@tag='001']", namespaces=NS))
            record = best[number]
            if record.source_format in {"marc21", "marcxml"}:
                continue
            title = _subfields(element, "245", "a")
            assert title and title[0].startswith(record.title[:20])
            assert _subfields(element, "035", "a") == [f"({record.library.code}){record.local_id}"]
            assert _subfields(element, "020", "a") == list(record.isbns)
            assert _subfields(element, "100", "a") == list(record.authors[:1])
            assert _subfields(element, "700", "a") == list(record.authors[1:])
            assert _subfields(element, "653", "a") == list(record.subjects)
            year = _subfields(element, "264", "c")
            assert year == ([str(record.year)] if record.year else [])
            checked += 1
    assert checked > 50
