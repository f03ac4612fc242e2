"""A harvested page held in memory is parsed whole (`WholeDocument`), not as a stream. The
readers must find exactly what they find in the stream: the same records with the same raw
bytes, the same problems at the same positions, the same refusals."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.readers import SNIFF_BYTES, WholeDocument, _xml, read_records, sniff_format
from simpul.catalog.readers.marcxml import is_marc_record, never_marc_record
from tests.catalog.test_read_marcxml import _in_oai_page, _record, oai_page_with_a_runaway_record

XML_FOLDERS = ("marcxml", "oai_pmh", "broken")


@pytest.fixture(autouse=True)
def in_english() -> Any:
    with translation.override("en"):
        yield


def _outcome(item: BibRecord | RecordProblem) -> Any:
    if isinstance(item, RecordProblem):
        return ("problem", item.position, item.local_id, item.reason)
    return ("record", dataclasses.asdict(item))


def _both_ways(data: bytes, source_format: SourceFormat) -> tuple[list[Any], list[Any]]:
    streamed = [_outcome(i) for i in read_records(io.BytesIO(data), source_format)]
    whole = [_outcome(i) for i in read_records(WholeDocument(data), source_format)]
    return streamed, whole


def _xml_samples(shared_data: Path) -> list[Path]:
    return sorted(
        path
        for folder in XML_FOLDERS
        for path in (shared_data / folder).rglob("*")
        if path.is_file() and path.suffix == ".xml"
    )


def test_real_xml_files_read_the_same_whole_as_streamed(shared_data: Path) -> None:
    samples = _xml_samples(shared_data)
    assert len(samples) >= 20
    records = problems = 0
    for path in samples:
        data = path.read_bytes()
        source_format = sniff_format(data[:SNIFF_BYTES]) or SourceFormat.MARCXML
        streamed, whole = _both_ways(data, source_format)
        assert whole == streamed, path.name
        records += sum(1 for kind, *_ in whole if kind == "record")
        problems += sum(1 for kind, *_ in whole if kind == "problem")
    assert records > 100 and problems >= 5  # the broken files are among them


def test_an_oai_page_with_a_runaway_record_reads_the_same_whole() -> None:
    page = oai_page_with_a_runaway_record()
    streamed, whole = _both_ways(page, SourceFormat.MARCXML)
    assert whole == streamed
    assert [entry[0] for entry in whole] == ["record", "problem", "record"]
    assert "more than 50000 XML elements" in whole[1][3]


def test_a_page_cut_short_keeps_the_records_before_the_fault_either_way() -> None:
    page = _in_oai_page(
        [_record(str(n), f'<subfield code="a">Judul {n}</subfield>') for n in (1, 2, 3)]
    )
    cut = page[: page.index(b"oai:x:3") + 20]
    streamed, whole = _both_ways(cut, SourceFormat.MARCXML)
    assert whole == streamed
    assert [entry[0] for entry in whole] == ["record", "record", "problem"]
    assert "not well-formed" in whole[2][3]


def test_a_page_with_a_doctype_is_refused_unread_either_way() -> None:
    page = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + _in_oai_page([])
    streamed, whole = _both_ways(page, SourceFormat.MARCXML)
    assert whole == streamed and len(whole) == 1 and "DOCTYPE" in whole[0][3]


def test_a_page_in_memory_is_parsed_whole_and_a_large_one_streamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _in_oai_page(
        [_record(str(n), f'<subfield code="a">Judul {n}</subfield>') for n in range(1, 6)]
    )

    def earlier_records_kept(stream: io.BytesIO) -> list[int]:
        kept = []
        for unit in _xml.iter_units(stream, is_marc_record, never_marc_record):
            oai_record = unit.oai_header.getparent()
            kept.append(len(list(oai_record.itersiblings(preceding=True))))
        return kept

    assert earlier_records_kept(WholeDocument(page)) == [0, 1, 2, 3, 4]  # the tree stays whole
    assert max(earlier_records_kept(io.BytesIO(page))) <= 1  # the stream lets records go
    monkeypatch.setattr(_xml, "WHOLE_DOCUMENT_BYTES", len(page) - 1)
    assert max(earlier_records_kept(WholeDocument(page))) <= 1
