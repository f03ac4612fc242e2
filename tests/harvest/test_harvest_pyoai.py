"""The harvester against a third-party OAI-PMH server: pyoai's server on loopback, serving
the real Caltech Dublin Core records, with its own resumption tokens and date handling."""

from __future__ import annotations

import cgi
import datetime as dt
import threading
import urllib.parse
from collections.abc import Iterator
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from lxml import etree
from oaipmh import common, error, metadata
from oaipmh import server as pyoai_server

from simpul.catalog.models import JobStatus, Record
from simpul.harvest import services
from simpul.harvest.models import HarvestSource, RunMode
from tests.harvest.conftest import quick_client
from tests.harvest.oai_server import OAI, SAMPLE

pytestmark = pytest.mark.django_db
DC = "http://purl.org/dc/elements/1.1/"


class CaltechRepository:
    """pyoai's IOAI interface over the sample records (a plain repository, as pyoai expects)."""

    def __init__(self) -> None:
        root = etree.parse(str(SAMPLE)).getroot()
        self.records = []
        for record in root.iter(f"{{{OAI}}}record"):
            identifier = record.findtext(f"{{{OAI}}}header/{{{OAI}}}identifier")
            stamp = record.findtext(f"{{{OAI}}}header/{{{OAI}}}datestamp") or ""
            fields: dict[str, list[str]] = {}
            for element in record.iter(f"{{{DC}}}*"):
                fields.setdefault(etree.QName(element).localname, []).append(element.text or "")
            header = common.Header(
                None, identifier, dt.datetime.strptime(stamp, "%Y-%m-%d"), [], False
            )
            self.records.append((header, common.Metadata(None, fields), None))

    def identify(self):
        return common.Identify(
            "Caltech CS technical reports (pyoai)", "http://127.0.0.1/oai", "2.0",
            ["it@example.org"], dt.datetime(2001, 1, 1), "no", "YYYY-MM-DD", [],
            toolkit_description=False,
        )  # fmt: skip

    def listMetadataFormats(self, identifier=None):
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                 "http://www.openarchives.org/OAI/2.0/oai_dc/")]  # fmt: skip

    def listSets(self):
        raise error.NoSetHierarchyError("no sets")

    def _selected(self, from_=None, until=None):
        return [
            r for r in self.records
            if (from_ is None or r[0].datestamp() >= from_)
            and (until is None or r[0].datestamp() <= until)
        ]  # fmt: skip

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None):
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        found = self._selected(from_, until)
        if not found:
            raise error.NoRecordsMatchError("nothing")
        return found

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None):
        return [r[0] for r in self.listRecords(metadataPrefix, set, from_, until)]

    def getRecord(self, metadataPrefix, identifier):
        for record in self.records:
            if record[0].identifier() == identifier:
                return record
        raise error.IdDoesNotExistError(identifier)


@pytest.fixture
def pyoai_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # pyoai decodes its tokens with cgi.parse_qs, gone from the standard library since
    # Python 3.8; the same function lives on in urllib.parse.
    monkeypatch.setattr(cgi, "parse_qs", urllib.parse.parse_qs, raising=False)
    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", pyoai_server.oai_dc_writer)
    oai = pyoai_server.Server(CaltechRepository(), registry, resumption_batch_size=25)

    def application(environ, start_response):
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body = oai.handleRequest(query)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            return

    httpd = make_server("127.0.0.1", 0, application, handler_class=Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/oai"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_pyoai_repository_is_harvested_completely(world, pyoai_endpoint: str):
    description = services.test_source(pyoai_endpoint, quick_client)
    assert description.repository_name == "Caltech CS technical reports (pyoai)"
    assert description.formats == ["oai_dc"]
    assert description.sets == []
    source = HarvestSource(library=world.library_a, name="pyoai", base_url=pyoai_endpoint)
    services.apply_description(source, description)
    source.save()
    run = services.harvest(source, client_factory=quick_client)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.message
    assert run.pages == 4  # pyoai's own tokens, 25 records a page
    assert run.job.added == 100
    titles = set(Record.objects.filter(origin=source.origin).values_list("title", flat=True))
    assert "A Language Processor and a Sample Language" in titles


def test_a_pyoai_repository_answers_changes_since_a_date(world, pyoai_endpoint: str):
    source = HarvestSource.objects.create(
        library=world.library_a, name="pyoai", base_url=pyoai_endpoint, granularity="YYYY-MM-DD"
    )
    services.harvest(source, client_factory=quick_client)
    source.refresh_from_db()
    source.harvested_until = dt.datetime(2001, 4, 25, 12, 0, tzinfo=dt.UTC)  # from=2001-04-25
    source.full_every_days = 0
    source.save()
    run = services.harvest(source, client_factory=quick_client)
    assert run.mode == RunMode.INCREMENTAL
    assert run.job.records_seen == 56  # those stamped 2001-04-25 or later
    assert run.job.unchanged == 56
