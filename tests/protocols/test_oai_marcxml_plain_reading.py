"""MARCXML served from plainly read records equals MARCXML served through pymarc.

Serving reads each title's stored MARC record again. Records that need no repair are read
without pymarc (`plain_bibliographic`), the rest through the full readers. Every MARC
record of the real samples in shared/data (ISO 2709 clean and broken, MARC-8, MARCXML)
is imported, and the whole ListRecords harvest is made both ways: the bytes must be the
same, and every record must be valid MARC21slim.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client
from lxml import etree

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


def test_every_sample_record_is_served_the_same_read_plainly_or_fully(
    world: World, shared_data: Path, monkeypatch: Any, settings: Any
) -> None:
    settings.OAI_PAGE_SIZE = 100
    files = [
        *sorted((shared_data / "marc21").glob("*.mrc")),
        *sorted((shared_data / "broken").glob("*.mrc")),
        *sorted((shared_data / "marcxml").glob("*.xml")),
    ]
    for path in files:
        import_file(world.librarian_a, world.library_a, path)
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
