"""A page's envelope (error, resumption token, response date) tells the harvest whether
and where to go on. A page of usual size is parsed whole and a very large one as it is
read; both must find the same envelope in the same page, broken pages included."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from simpul.catalog.readers import _xml
from simpul.harvest import oai

OAI = "http://www.openarchives.org/OAI/2.0/"
ERROR_PAGE = (
    f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}">'
    "<responseDate>2026-12-07T08:00:00Z</responseDate><request>http://x/oai</request>"
    '<error code="badResumptionToken">The token has   expired.</error></OAI-PMH>'
).encode()


def pages(shared_data: Path) -> dict[str, bytes]:
    found = {p.name: p.read_bytes() for p in sorted((shared_data / "oai_pmh").glob("*.xml"))}
    sample = found["traject-sample-oai-pmh.xml"]
    found["error"] = ERROR_PAGE
    found["cut short"] = sample[: len(sample) * 2 // 3]  # a connection that broke off
    found["iso8859-1"] = sample.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    return found


def envelope(data: bytes) -> oai.Envelope:
    body = tempfile.SpooledTemporaryFile()
    body.write(data)
    body.seek(0)
    page = oai.Page(body, len(data))
    found = oai.read_envelope(page)
    assert page.body.tell() == 0, "the page is left for the records to be read"
    return found


def test_a_page_read_whole_or_as_it_comes_has_the_same_envelope(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = pages(shared_data)
    whole = {name: envelope(data) for name, data in samples.items()}
    monkeypatch.setattr(_xml, "WHOLE_DOCUMENT_BYTES", 0)
    streamed = {name: envelope(data) for name, data in samples.items()}
    assert streamed == whole
    tokens = [e.token for e in whole.values() if e.token]
    assert len(tokens) >= 4, "the real samples carry resumption tokens"
    error = whole["error"]
    assert (error.error_code, error.error_text) == ("badResumptionToken", "The token has expired.")
    assert error.response_date is not None and error.response_date.year == 2026
    assert not whole["cut short"].well_formed and whole["cut short"].syntax_error
    assert all(e.well_formed for name, e in whole.items() if name != "cut short")


def test_a_page_with_a_doctype_is_refused_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><OAI-PMH>&a;</OAI-PMH>'
    for size in (_xml.WHOLE_DOCUMENT_BYTES, 0):
        monkeypatch.setattr(_xml, "WHOLE_DOCUMENT_BYTES", size)
        with pytest.raises(oai.HarvestError):
            envelope(bomb)
