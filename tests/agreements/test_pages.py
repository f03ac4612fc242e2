"""The agreement pages as their users meet them: the coordinator records an agreement on the
form (with its signed PDF), staff of a party library read it, other libraries' staff and
patrons are refused, bad input is explained and loses nothing, and the network view counts
the links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from simpul.agreements import services
from simpul.agreements.models import Agreement, Kind, Service, Status
from tests.agreements.conftest import make_agreement, make_library, minimal_pdf
from tests.fixtures_accounts import english_client

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def form_data(world, **changes):
    data = {
        "kind": Kind.MOU,
        "title": "Nota Kesepahaman Jaringan Uji",
        "reference": "001/MoU/JU/2026",
        "status": Status.ACTIVE,
        "start_date": "2026-01-01",
        "end_date": "2030-12-31",
        "background": "Berbagi sumber daya.",
        "scope": "Semua layanan.",
        "division_of_work": "Koordinator mengelola sistem.",
        "financing": "Iuran anggota.",
        "implementation": "Rapat tahunan.",
        "services": [Service.ILL_LOAN, Service.RECIPROCAL_ACCESS],
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "60",
        "party-0-library": str(world.library_a.pk),
        "party-0-signatory": "Kepala Perpustakaan Alpha",
        "party-0-contact_email": "alpha@example.org",
        "party-0-rights_and_obligations": "Menyediakan server.",
        "party-1-library": str(world.library_b.pk),
        "party-2-partner_name": "Pojok Baca Kedutaan",
    }
    data.update(changes)
    return data


def test_coordinator_records_an_agreement_on_the_form(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = english_client(world.coordinator)
    page = client.get("/agreements/new/")
    assert page.status_code == 200
    assert b"Record an agreement" in page.content
    data = form_data(world)
    data["signed_document"] = SimpleUploadedFile("mou.pdf", minimal_pdf(), "application/pdf")
    done = client.post("/agreements/new/", data)
    agreement = Agreement.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/agreements/{agreement.pk}/"
    detail = client.get(done["Location"]).content.decode()
    for text in [
        "Nota Kesepahaman Jaringan Uji",
        "Pojok Baca Kedutaan",
        "Iuran anggota.",
        "Interlibrary loan",
        "Download the signed PDF",
        "Recorded",
    ]:
        assert text in detail
    pdf = client.get(f"/agreements/{agreement.pk}/document/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert services.is_service_allowed(Service.RECIPROCAL_ACCESS, world.library_b, world.library_a)


def test_a_non_pdf_upload_is_explained_and_the_form_keeps_what_was_typed(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = english_client(world.coordinator)
    data = form_data(world)
    data["signed_document"] = SimpleUploadedFile(
        "mou.pdf", b"\xff\xd8\xff\xe0JFIF", "application/pdf"
    )
    page = client.post("/agreements/new/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "This file is not a complete PDF document." in html
    assert "Nota Kesepahaman Jaringan Uji" in html and "Pojok Baca Kedutaan" in html
    assert not Agreement.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_bad_dates_are_explained(world):
    client = english_client(world.coordinator)
    page = client.post("/agreements/new/", form_data(world, end_date="2025-01-01"))
    assert "The end date is before the start date." in page.content.decode()
    page = client.post("/agreements/new/", form_data(world, start_date="31/02/2026"))
    assert "Enter a valid date." in page.content.decode()
    assert not Agreement.objects.exists()


def test_the_form_speaks_indonesian(world, client):
    client.force_login(world.coordinator)
    page = client.post(
        "/agreements/new/", form_data(world, end_date="2025-01-01"), HTTP_ACCEPT_LANGUAGE="id"
    )
    assert "Tanggal berakhir lebih awal dari tanggal mulai." in page.content.decode()


def test_a_party_row_needs_a_library_or_a_partner_name(world):
    client = english_client(world.coordinator)
    data = form_data(world)
    data["party-2-partner_name"] = ""
    data["party-2-contact_name"] = "Seseorang"
    page = client.post("/agreements/new/", data)
    assert "Choose a library or name the outside partner." in page.content.decode()
    assert not Agreement.objects.exists()


def test_editing_keeps_history_and_removes_a_party(world):
    gamma = make_library("GAMMA")
    client = english_client(world.coordinator)
    data = form_data(world)
    data["party-2-library"] = str(gamma.pk)
    data["party-2-partner_name"] = ""
    client.post("/agreements/new/", data)
    agreement = Agreement.objects.get()
    edit = client.get(f"/agreements/{agreement.pk}/edit/")
    assert edit.status_code == 200
    data = form_data(world, end_date="2031-06-30")
    data.update(
        {
            "party-TOTAL_FORMS": "3",
            "party-INITIAL_FORMS": "3",
            "party-2-library": str(gamma.pk),
            "party-2-partner_name": "",
            "party-2-DELETE": "on",
        }
    )
    done = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert done.status_code == 302
    assert not services.is_service_allowed(Service.ILL_LOAN, world.library_a, gamma)
    html = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Changed" in html and "koordinator" in html.lower()
    assert "2031" in html


def test_staff_of_a_party_read_but_other_libraries_and_patrons_are_refused(world):
    gamma = make_library("GAMMA")
    theirs = make_agreement([world.library_b, gamma], title="Rahasia Beta Gamma")
    ours = make_agreement([world.library_a, world.library_b], title="Alpha dan Beta")
    librarian = english_client(world.librarian_a)
    assert librarian.get(f"/agreements/{ours.pk}/").status_code == 200
    assert librarian.get(f"/agreements/{theirs.pk}/").status_code == 404
    assert librarian.get(f"/agreements/{theirs.pk}/document/").status_code == 404
    listing = librarian.get("/agreements/").content.decode()
    assert "Alpha dan Beta" in listing and "Rahasia Beta Gamma" not in listing
    assert librarian.get(f"/agreements/{ours.pk}/edit/").status_code == 403
    assert librarian.get("/agreements/new/").status_code == 403
    patron = english_client(world.patron_a)
    assert patron.get("/agreements/").status_code == 403
    assert patron.get(f"/agreements/{ours.pk}/").status_code == 404
    assert english_client(world.librarian_b).get(f"/agreements/{theirs.pk}/").status_code == 200


def test_list_filters(world):
    make_agreement([world.library_a, world.library_b], [Service.ILL_COPY], title="Salinan")
    make_agreement(
        [world.library_a, world.library_b],
        [Service.ILL_LOAN],
        title="Pinjam",
        status=Status.DRAFT,
        kind=Kind.MOA,
    )
    client = english_client(world.coordinator)
    html = client.get("/agreements/?service=ill_copy").content.decode()
    assert "Salinan" in html and "Pinjam" not in html
    html = client.get("/agreements/?status=draft&kind=moa&library=BETA").content.decode()
    assert "Pinjam" in html and "Salinan" not in html
    html = client.get("/agreements/?q=salin").content.decode()
    assert "Salinan" in html and "Pinjam" not in html
    bad = client.get("/agreements/?status=nonsense")
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_expiring_page(world):
    today = services.network_today()
    make_agreement([world.library_a, world.library_b], end=today + 10 * DAY, title="Segera")
    make_agreement([world.library_a, world.library_b], end=today + 150 * DAY, title="Nanti")
    client = english_client(world.librarian_b)
    html = client.get("/agreements/expiring/").content.decode()
    assert "Segera" in html and "Nanti" not in html
    assert "Nanti" in client.get("/agreements/expiring/?days=180").content.decode()
    assert client.get("/agreements/expiring/?days=abc").status_code == 200


def test_network_view_star_then_mesh(world, client):
    gamma = make_library("GAMMA")
    page = client.get("/agreements/network/")
    assert page.status_code == 200  # public
    assert 'data-shape="none"' in page.content.decode()
    make_agreement([world.library_a, world.library_b], [Service.ILL_LOAN])
    make_agreement([world.library_a, gamma], [Service.ILL_LOAN, Service.ILL_COPY])
    html = english_client(world.patron_a).get("/agreements/network/").content.decode()
    assert 'data-shape="star"' in html
    assert "<svg" in html and 'data-link="ALPHA-BETA"' in html and 'data-link="ALPHA-GAMMA"' in html
    assert "of 3 possible links between 3 members" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    make_agreement([world.library_b, gamma], [Service.RECIPROCAL_ACCESS])
    html = english_client(world.patron_a).get("/agreements/network/").content.decode()
    assert 'data-shape="mesh"' in html and 'data-link="BETA-GAMMA"' in html
    only_copies = client.get("/agreements/network/?service=ill_copy").content.decode()
    assert 'data-link="ALPHA-GAMMA"' in only_copies and 'data-link="ALPHA-BETA"' not in only_copies


def test_network_view_leaves_out_drafts_and_ended_agreements(world, client):
    make_agreement([world.library_a, world.library_b], status=Status.DRAFT)
    make_agreement([world.library_a, world.library_b], end=services.network_today() - DAY)
    assert 'data-shape="none"' in client.get("/agreements/network/").content.decode()


def test_an_mou_of_the_whole_network_takes_every_member_at_once(world):
    gamma = make_library("GAMMA")
    client = english_client(world.coordinator)
    data = form_data(world, all_members="on")
    data["party-1-library"] = ""  # only ALPHA (with its details) and the outside partner typed
    done = client.post("/agreements/new/", data)
    assert done.status_code == 302
    agreement = Agreement.objects.get()
    codes = sorted(agreement.parties.exclude(library=None).values_list("library__code", flat=True))
    assert codes == ["ALPHA", "BETA", "GAMMA"]
    assert agreement.parties.get(library=world.library_a).signatory == "Kepala Perpustakaan Alpha"
    assert services.is_service_allowed(Service.ILL_LOAN, gamma, world.library_b)


def test_the_public_network_page_links_to_the_network_view(world, client):
    html = client.get("/network/").content.decode()
    assert 'href="/agreements/network/"' in html


def test_an_moa_under_an_expired_mou_says_its_services_are_off(world):
    today = services.network_today()
    mou = make_agreement([world.library_a, world.library_b], [], title="MoU lama", end=today - DAY)
    make_agreement(
        [world.library_a, world.library_b], kind=Kind.MOA, parent=mou, title="MoA layanan"
    )
    client = english_client(world.coordinator)
    listing = client.get("/agreements/?q=layanan").content.decode()
    assert "MoA layanan" in listing
    assert "services off: its MoU is not in force" in listing
    moa = Agreement.objects.get(title="MoA layanan")
    assert "services off" in client.get(f"/agreements/{moa.pk}/").content.decode()
    mou.end_date = today + 30 * DAY
    mou.save()
    assert "services off" not in client.get("/agreements/?q=layanan").content.decode()
