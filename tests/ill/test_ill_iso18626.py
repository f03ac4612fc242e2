"""ISO 18626 messages against the published schema, and the /iso18626 endpoint: a partner's
request arrives at our lender, our answers are queued back, bad XML is refused with an
ISO 18626 error confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from lxml import etree

from simpul.ill import iso18626, services
from simpul.ill.models import IllRequest, IsoPeer, ServiceType, Status
from simpul.network.models import Library, LibraryType
from tests.ill.conftest import Ill

pytestmark = pytest.mark.django_db


def post(xml: bytes) -> iso18626.Message:
    response = Client().post("/iso18626", xml, content_type="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return iso18626.parse(response.content)


@pytest.fixture
def partner(ill: Ill) -> IsoPeer:
    library = Library.objects.create(
        code="DELTA", name="Perpustakaan Delta (sistem lain)", library_type=LibraryType.UNIVERSITY
    )
    return IsoPeer.objects.create(
        name="Delta ILL",
        agency_id="ID-DELTA",
        endpoint="http://127.0.0.1:9/iso18626",
        library=library,
    )


def partner_request(**extra) -> bytes:
    values = {
        "requesting_agency": "ID-DELTA",
        "supplying_agency": "BETA",
        "request_id": "DELTA-77",
        "service_type": "Copy",
        "title": "Jurnal Pustakawan Indonesia",
        "title_of_component": "Standar katalogisasi",
        "pages": "10-18",
        "identifiers": {"ISSN": "1693-2110"},
        "need_before": dt.date(2026, 12, 31),
        **extra,
    }
    return iso18626.build_request(iso18626.Request(**values))


def test_every_message_we_build_is_valid_iso18626():
    schema = iso18626.schema()
    messages = [
        partner_request(),
        iso18626.build_supplying_message(
            "BETA", "ALPHA", "ILL-000001", "ILL-000002", "Loaned", due=dt.date(2026, 12, 1)
        ),
        iso18626.build_supplying_message(
            "BETA", "ALPHA", "ILL-000001", "ILL-000002", "Unfilled", reason_unfilled="NotOnShelf"
        ),
        iso18626.build_requesting_message("BETA", "ALPHA", "ILL-000001", "", "ShippedReturn"),
        iso18626.build_confirmation("request", {"request_id": "X"}),
        iso18626.build_confirmation("request", {}, iso18626.MessageError("bad")),
    ]
    for message in messages:
        assert schema.validate(etree.fromstring(message)), schema.error_log


def test_a_partner_request_reaches_our_lending_desk(partner: IsoPeer, ill: Ill):
    answer = post(partner_request())
    assert (answer.kind, answer.message_status) == ("requestConfirmation", "OK")
    request = IllRequest.objects.get(remote_id="DELTA-77")
    assert request.supplier == ill.world.library_b
    assert request.requesting_library == partner.library
    assert (request.service, request.status) == (ServiceType.COPY, Status.REQUEST_RECEIVED)
    assert request.pages == "10-18" and request.issn == "1693-2110"
    post(partner_request())
    assert IllRequest.objects.filter(remote_id="DELTA-77").count() == 1, "a resend is not doubled"


def test_our_answers_go_back_as_supplying_agency_messages(
    partner: IsoPeer, ill: Ill, django_capture_on_commit_callbacks
):
    post(partner_request(service_type="Loan"))
    request = IllRequest.objects.get(remote_id="DELTA-77")
    with django_capture_on_commit_callbacks(execute=True):
        services.act(ill.world.librarian_b, request, "will_supply")
        services.ship(ill.world.librarian_b, request, dt.date(2027, 1, 15))
    jobs = DBTaskResult.objects.filter(task_path__endswith="send_iso_message").order_by(
        "enqueued_at"
    )
    sent = [iso18626.parse(job.args_kwargs["args"][1].encode()) for job in jobs]
    assert [(m.status, m.request_id) for m in sent] == [
        ("WillSupply", "DELTA-77"),
        ("Loaned", "DELTA-77"),
    ]
    assert sent[1].due == dt.date(2027, 1, 15)
    post(
        iso18626.build_requesting_message(
            "BETA", "ID-DELTA", "DELTA-77", request.number, "Received"
        )
    )
    assert IllRequest.objects.get(pk=request.pk).status == Status.RECEIVED


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<not-xml", "BadlyFormedMessage"),
        (
            b'<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626"/>',
            "BadlyFormedMessage",
        ),
    ],
)
def test_bad_messages_get_an_error_confirmation(body: bytes, error: str):
    response = Client().post("/iso18626", body, content_type="application/xml")
    root = etree.fromstring(response.content)
    assert iso18626.schema().validate(root)
    assert root.findtext(".//{*}messageStatus") == "ERROR"
    assert root.findtext(".//{*}errorType") == error


def test_unknown_agencies_and_requests_are_refused(partner: IsoPeer, ill: Ill):
    stranger = post(partner_request(requesting_agency="ID-NOBODY"))
    assert stranger.message_status == "ERROR"
    nowhere = post(partner_request(supplying_agency="NOWHERE"))
    assert nowhere.message_status == "ERROR"
    lost = post(
        iso18626.build_supplying_message("ID-DELTA", "ALPHA", "ILL-999999", "D-1", "WillSupply")
    )
    assert lost.message_status == "ERROR"
    assert not IllRequest.objects.exists()


def test_a_step_the_request_cannot_take_is_an_error_not_a_change(partner: IsoPeer, ill: Ill):
    post(partner_request())
    request = IllRequest.objects.get(remote_id="DELTA-77")
    answer = post(
        iso18626.build_requesting_message(
            "BETA", "ID-DELTA", "DELTA-77", request.number, "Received"
        )
    )
    assert answer.message_status == "ERROR"
    assert IllRequest.objects.get(pk=request.pk).status == Status.REQUEST_RECEIVED
