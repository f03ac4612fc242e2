"""Every bad argument gets the OAI-PMH error code a harvester expects, in a valid response."""

from __future__ import annotations

import pytest
from django.test import Client

from simpul.protocols import oai
from tests.catalog.catalogue_world import shared_cluster
from tests.protocols.conftest import OAI, error_codes, oai_get, valid_oai


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Frobnicate", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01T00:00:00", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-13-01", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2021-01-01T00:00:00Z",
            "badArgument",
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-01&until=2020-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=no%20spaces", "badArgument"),
        ("verb=ListRecords&resumptionToken=x&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListIdentifiers&metadataPrefix=mods", "cannotDisseminateFormat"),
        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
        ("verb=GetRecord&identifier=oai:simpul.localhost:title/1", "badArgument"),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere:title/1", "idDoesNotExist"),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:simpul.localhost:title/999999",
            "idDoesNotExist",
        ),
        ("verb=ListMetadataFormats&identifier=oai:simpul.localhost:title/x", "idDoesNotExist"),
        ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=anything", "badResumptionToken"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=library:NOSUCH", "noRecordsMatch"),
        ("verb=ListRecords&metadataPrefix=oai_dc&set=colour:red", "noRecordsMatch"),
        ("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
        ("verb=ListIdentifiers&metadataPrefix=oai_dc&until=1999-01-01", "noRecordsMatch"),
    ],
)
def test_bad_requests_get_the_right_error_code(catalogue, query, code):
    response = Client().get(f"/oai?{query}")
    assert response.status_code == 200
    root = valid_oai(response.content)
    assert error_codes(root) == [code]
    request = root.find(f"{OAI}request")
    assert request.text == "http://testserver/oai"
    if code in {"badVerb", "badArgument"}:
        assert dict(request.attrib) == {}  # the protocol forbids echoing a bad request


def test_get_record_with_unknown_format_is_cannot_disseminate(catalogue):
    cluster = shared_cluster()
    root = oai_get(
        Client(), verb="GetRecord", metadataPrefix="mods", identifier=oai.oai_identifier(cluster.pk)
    )
    assert error_codes(root) == ["cannotDisseminateFormat"]


def test_a_token_cannot_be_forged(catalogue, small_pages):
    root = oai_get(Client(), verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.findtext(f".//{OAI}resumptionToken")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    root = oai_get(Client(), verb="ListIdentifiers", resumptionToken=forged)
    assert error_codes(root) == ["badResumptionToken"]


def test_an_empty_catalogue_answers_no_records_match(world):
    root = oai_get(Client(), verb="ListRecords", metadataPrefix="oai_dc")
    assert error_codes(root) == ["noRecordsMatch"]
    root = oai_get(Client(), verb="Identify")
    assert root.find(f"{OAI}Identify") is not None
