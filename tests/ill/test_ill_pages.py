"""The pages of interlibrary loan as patrons and staff use them: asking from a title page,
the review and lending queues, each step by form, copies by time-limited link, privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from simpul.ill import services
from simpul.ill.models import (
    CopyDelivery,
    IllRequest,
    LendingClosure,
    LendingPolicy,
    ServiceType,
    Status,
)
from tests.fixtures_accounts import english_client
from tests.ill.conftest import Ill

pytestmark = pytest.mark.django_db


def post_step(client, request: IllRequest, action: str, **data):
    return client.post(f"/ill/{request.pk}/step/", {"action": action, **data}, follow=True)


def status_of(request: IllRequest) -> str:
    return IllRequest.objects.get(pk=request.pk).status


def test_a_patron_asks_for_a_copy_from_the_title_page(ill: Ill):
    w = ill.world
    client = english_client(w.patron_a)
    page = client.get(f"/catalogue/{ill.cluster.pk}/")
    assert b'data-testid="ill-request"' in page.content
    assert b'data-testid="ill-held-here"' not in page.content  # ALPHA does not hold it
    form = client.get(f"/ill/new/?cluster={ill.cluster.pk}")
    assert "Pengantar Ilmu Perpustakaan" in form.content.decode()
    data = {
        "cluster": ill.cluster.pk,
        "service": "copy",
        "title": "Pengantar Ilmu Perpustakaan",
        "article_title": "Bab 3: Katalogisasi",
        "pages": "45-80",
    }
    refused = client.post("/ill/new/", data)
    assert refused.status_code == 200
    assert "copyright declaration" in refused.content.decode()
    assert "Bab 3: Katalogisasi" in refused.content.decode(), "nothing typed is lost"
    assert not IllRequest.objects.exists()
    made = client.post("/ill/new/", {**data, "copyright": "on"}, follow=True)
    request = IllRequest.objects.get()
    assert request.service == ServiceType.COPY and request.copyright_accepted_at
    assert request.patron == w.patron_a and request.cluster == ill.cluster
    assert request.number in made.content.decode()
    mine = client.get("/ill/mine/").content.decode()
    assert request.number in mine and "Awaiting review" in mine


def test_the_whole_loan_through_the_pages(ill: Ill):
    w = ill.world
    request = ill.request()
    home = english_client(w.librarian_a)
    lender = english_client(w.librarian_b)
    patron = english_client(w.patron_a)
    assert request.number in home.get("/ill/").content.decode()
    assert request.number not in lender.get("/ill/").content.decode()
    assert lender.get(f"/ill/{request.pk}/").status_code == 404, "not asked yet"
    post_step(home, request, "approve")
    queue = lender.get("/ill/").content.decode()
    assert request.number in queue
    page = lender.get(f"/ill/{request.pk}/").content.decode()
    assert "Putri" not in page and "A-001" not in page, "the lender does not see who asked"
    post_step(lender, request, "will_supply")
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    post_step(lender, request, "ship", due_on=due)
    assert status_of(request) == Status.LOANED
    post_step(home, request, "receive")
    post_step(patron, request, "request_renewal")
    post_step(lender, request, "answer_renewal", renew="0", note="Ada antrean")
    post_step(home, request, "ship_return")
    post_step(lender, request, "check_in")
    assert status_of(request) == Status.LOAN_COMPLETED
    history = patron.get(f"/ill/{request.pk}/").content.decode()
    for text in ("Shipped", "Received", "Return shipped", "Return received", "Ada antrean"):
        assert text in history


def test_a_stale_button_tells_what_happened(ill: Ill):
    w = ill.world
    request = ill.request()
    services.approve(w.librarian_a, request)
    services.act(w.librarian_b, request, "will_supply")
    page = post_step(english_client(w.librarian_b), request, "expect_to_supply")
    assert "no longer possible" in page.content.decode()
    assert status_of(request) == Status.WILL_SUPPLY


def test_reject_needs_a_reason_and_the_patron_reads_it(
    ill: Ill, django_capture_on_commit_callbacks
):
    w = ill.world
    w.patron_a.preferred_language = "en"
    w.patron_a.save()
    request = ill.request()
    home = english_client(w.librarian_a)
    page = post_step(home, request, "reject", note="")
    assert "Say why" in page.content.decode()
    assert status_of(request) == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        post_step(home, request, "reject", note="Tersedia di perpustakaan kita, rak 020")
    assert status_of(request) == Status.REJECTED
    mail = DBTaskResult.objects.filter(task_path__endswith="send_email").get()
    subject, body, recipients = mail.args_kwargs["args"]
    assert recipients == [w.patron_a.email]
    assert subject.startswith("Your interlibrary request") and "rak 020" in body


def test_email_goes_out_in_indonesian_for_an_indonesian_patron(
    ill: Ill, django_capture_on_commit_callbacks
):
    w = ill.world
    w.patron_a.preferred_language = "id"
    w.patron_a.save()
    request = ill.request()
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_info(w.librarian_a, request, "Edisi berapa?")
    subject = DBTaskResult.objects.get().args_kwargs["args"][0]
    assert "Your" not in subject and request.number in subject


def test_other_patrons_and_other_libraries_see_nothing(ill: Ill):
    w = ill.world
    request = ill.request()
    assert english_client(w.patron_a2).get(f"/ill/{request.pk}/").status_code == 404
    assert english_client(w.patron_b).get(f"/ill/{request.pk}/").status_code == 404
    assert english_client(ill.librarian_c).get(f"/ill/{request.pk}/").status_code == 404
    assert request.number not in english_client(w.patron_a2).get("/ill/mine/").content.decode()
    response = post_step(english_client(w.patron_a2), request, "cancel")
    assert response.status_code == 404
    assert status_of(request) == Status.SUBMITTED


def test_a_scanned_copy_is_delivered_by_a_link_that_wears_out(ill: Ill, settings, tmp_path):
    settings.ILL_COPY_DIR = tmp_path / "copies"
    settings.ILL_COPY_MAX_DOWNLOADS = 2
    w = ill.world
    request = ill.request(ServiceType.COPY)
    services.approve(w.librarian_a, request)
    services.act(w.librarian_b, request, "will_supply")
    lender = english_client(w.librarian_b)
    scan = SimpleUploadedFile("bab3.pdf", b"%PDF-1.4 salinan bab 3", "application/pdf")
    post_step(lender, request, "deliver_copy", file=scan)
    assert status_of(request) == Status.COPY_COMPLETED
    delivery = CopyDelivery.objects.get(request=request)
    assert str(settings.MEDIA_ROOT) not in delivery.file.path, "never under public media"
    page = english_client(w.patron_a).get(f"/ill/{request.pk}/").content.decode()
    assert f"/ill/copy/{delivery.token}/" in page
    assert delivery.token not in lender.get(f"/ill/{request.pk}/").content.decode()
    anyone = english_client()
    for _ in range(2):
        got = anyone.get(f"/ill/copy/{delivery.token}/")
        assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert anyone.get(f"/ill/copy/{delivery.token}/").status_code == 410
    assert services.expire_copies() == 1
    delivery.refresh_from_db()
    assert delivery.deleted_at and not delivery.file
    assert not list((tmp_path / "copies").rglob("*.bin"))


def test_an_expired_copy_link_is_gone(ill: Ill, settings, tmp_path):
    settings.ILL_COPY_DIR = tmp_path / "copies"
    w = ill.world
    request = ill.request(ServiceType.COPY)
    services.approve(w.librarian_a, request)
    services.act(w.librarian_b, request, "will_supply")
    services.deliver_copy(w.librarian_b, request, SimpleUploadedFile("a.pdf", b"x"))
    delivery = CopyDelivery.objects.get(request=request)
    CopyDelivery.objects.filter(pk=delivery.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert english_client().get(f"/ill/copy/{delivery.token}/").status_code == 410


def test_staff_set_their_own_lending_policy(ill: Ill):
    w = ill.world
    client = english_client(w.librarian_b)
    assert client.get("/ill/policy/").status_code == 200
    response = client.post(
        "/ill/policy/",
        {
            "save_policy": "1",
            "offers_loans": "",
            "offers_copies": "on",
            "audience": "all",
            "loan_days": "14",
            "answer_days": "2",
            "max_open_per_patron": "5",
            "max_open_per_library": "10",
            "loan_fee": "0",
            "copy_fee": "5000",
            "fee_payer": "library",
        },
    )
    assert response.status_code == 302
    policy = LendingPolicy.objects.get(library=w.library_b)
    assert not policy.offers_loans and policy.copy_fee == 5000
    client.post(
        "/ill/policy/",
        {"add_closure": "1", "starts_on": "2026-12-24", "ends_on": "2026-12-20", "reason": "x"},
    )
    assert not LendingClosure.objects.exists(), "an end before the start is refused"
    client.post(
        "/ill/policy/",
        {"add_closure": "1", "starts_on": "2026-12-24", "ends_on": "2027-01-02", "reason": "Libur"},
    )
    assert LendingClosure.objects.get().library == w.library_b
    assert english_client(w.patron_a).get("/ill/policy/").status_code == 403


def test_staff_request_an_item_not_in_the_catalogue(ill: Ill):
    w = ill.world
    client = english_client(w.librarian_a)
    response = client.post(
        "/ill/new/",
        {
            "service": "loan",
            "title": "Sejarah Perpustakaan di Nusantara",
            "author": "Sulistyo-Basuki",
            "member_number": "A-002",
        },
        follow=True,
    )
    request = IllRequest.objects.get()
    assert request.patron == w.patron_a2 and request.cluster is None
    assert request.created_by == w.librarian_a
    assert response.status_code == 200
    wrong = client.post("/ill/new/", {"service": "loan", "title": "x", "member_number": "B-001"})
    assert "No patron of your library" in wrong.content.decode()


def test_statistics_page_and_csv(ill: Ill):
    w = ill.world
    for _ in range(2):
        request = ill.request()
        services.approve(w.librarian_a, request)
        services.act(w.librarian_b, request, "will_supply")
        services.ship(w.librarian_b, request)
    unfilled = ill.request()
    services.reject(w.librarian_a, unfilled, "Tidak relevan")
    client = english_client(w.librarian_b)
    page = client.get("/ill/statistics/").content.decode()
    assert 'data-testid="ill-chart"' in page and "<svg" in page
    csv_text = client.get("/ill/statistics/?format=csv").content.decode()
    figures, matrix = csv_text.split("\r\n\r\n")
    rows = {line.split(",")[0]: line.split(",") for line in figures.splitlines()}
    assert rows["ALPHA"][1:4] == ["3", "0", "2"], "made, received, filled for us"
    assert rows["ALPHA"][6] == "66.7", "two of three filled"
    assert rows["BETA"][4] == "2", "Beta supplied two"
    lenders = {line.split(",")[0]: line.split(",")[1:] for line in matrix.splitlines()[1:]}
    header = matrix.splitlines()[0].split(",")[1:]
    assert lenders["BETA"][header.index("ALPHA")] == "2"
    assert english_client(w.patron_a).get("/ill/statistics/").status_code == 403
    bad = client.get("/ill/statistics/?start=kemarin").content.decode()
    assert "YYYY-MM-DD" in bad


def test_retention_removes_personal_data_from_old_closed_requests(ill: Ill, settings):
    settings.ILL_RETENTION_DAYS = 30
    w = ill.world
    old = ill.request()
    services.reject(w.librarian_a, old, "Tidak tersedia")
    recent_open = ill.request()
    IllRequest.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    assert services.forget_patrons() == 1
    old.refresh_from_db()
    assert old.patron is None and old.patron_note == "" and old.anonymised_at
    assert not old.messages.filter(actor__isnull=False).exists()
    assert old.title, "the bibliographic part stays for statistics"
    recent_open.refresh_from_db()
    assert recent_open.patron == w.patron_a


def test_a_patron_whose_own_library_holds_the_title_is_told_to_ask_there_first(ill: Ill):
    from tests.ill.conftest import add_title

    w = ill.world
    title = add_title("Koleksi Sendiri", {w.library_a: "available", ill.library_c: "available"})
    page = english_client(w.patron_a).get(f"/catalogue/{title.pk}/").content.decode()
    assert 'data-testid="ill-held-here"' in page and 'data-testid="ill-request"' in page
    other = english_client(w.patron_b).get(f"/catalogue/{title.pk}/").content.decode()
    assert 'data-testid="ill-held-here"' not in other
