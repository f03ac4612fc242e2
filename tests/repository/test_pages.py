"""Public item pages, citation metadata, downloads with counts and access, tombstones,
catalogue search of full text, policies in every footer."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from simpul.catalog.models import Record, RecordStatus
from simpul.catalog.search.engine import SearchQuery
from simpul.catalog.services.indexing import search_index
from simpul.repository import services
from simpul.repository.models import DownloadEvent
from tests.fixtures_accounts import english_client
from tests.repository.conftest import deposit, make_pdf, published

pytestmark = pytest.mark.usefixtures("repository_dir")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def test_item_page_carries_highwire_tags_and_schema_org(world):
    item = published(world, ("skripsi.pdf", make_pdf("Bab I")))
    response = english_client().get(f"/repository/items/{item.pk}/")
    assert response.status_code == 200
    html = response.text
    assert f'<meta name="citation_title" content="{item.title}">' in html
    assert '<meta name="citation_author" content="Sari, Dewi">' in html
    assert '<meta name="citation_publication_date" content="2025">' in html
    pdf_url = re.search(r'<meta name="citation_pdf_url" content="([^"]+)">', html).group(1)
    assert pdf_url.endswith(f"/files/{item.files.get().pk}/skripsi.pdf")
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )
    assert data["@type"] == "Thesis" and data["name"] == item.title
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["encoding"][0]["sha256"] == item.files.get().sha256


def test_open_file_downloads_and_counts_once_per_person_not_for_robots(world):
    item = published(world, ("skripsi.pdf", make_pdf("Bab I")))
    stored = item.files.get()
    url = f"/repository/items/{item.pk}/files/{stored.pk}/skripsi.pdf"
    reader = Client(HTTP_USER_AGENT=BROWSER)
    response = reader.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    reader.get(url)  # a double click: kept, not counted
    Client(HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)").get(url)
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.9").get(url)
    assert DownloadEvent.objects.count() == 4
    assert services.download_count(item) == 2
    rows = services.download_statistics(world.librarian_a, world.library_a)
    assert [(r.library, r.downloads) for r in rows] == [("ALPHA", 2)]
    page = english_client().get(f"/repository/items/{item.pk}/")
    assert '<dd data-testid="download-count">2</dd>' in page.text


def test_embargoed_file_is_refused_until_the_date(world, settings):
    until = dt.date.today() + dt.timedelta(days=30)
    item = published(
        world, ("skripsi.pdf", make_pdf("Bab I")), access_level="embargoed", embargo_until=until
    )
    stored = item.files.get()
    url = f"/repository/items/{item.pk}/files/{stored.pk}/skripsi.pdf"
    page = english_client().get(f"/repository/items/{item.pk}/")
    assert "under embargo until" in page.text and "citation_pdf_url" not in page.text
    assert english_client().get(url).status_code == 403
    assert english_client(world.librarian_a).get(url).status_code == 200  # staff still may
    settings.REPOSITORY_TODAY = until.isoformat()
    assert Client(HTTP_USER_AGENT=BROWSER).get(url).status_code == 200


def test_network_only_and_metadata_only(world):
    members = published(world, ("a.pdf", make_pdf("x")), access_level="network_only")
    url = f"/repository/items/{members.pk}/files/{members.files.get().pk}/a.pdf"
    assert english_client().get(url).status_code == 403
    assert english_client(world.patron_b).get(url).status_code == 200
    hidden = published(world, ("b.pdf", make_pdf("y")), access_level="metadata_only", title="B")
    url = f"/repository/items/{hidden.pk}/files/{hidden.files.get().pk}/b.pdf"
    assert english_client(world.patron_a).get(url).status_code == 403


def test_unpublished_item_is_not_found_for_the_public(world):
    item = deposit(world, ("a.pdf", make_pdf("x")))
    assert english_client().get(f"/repository/items/{item.pk}/").status_code == 404
    assert english_client(world.librarian_b).get(f"/repository/items/{item.pk}/").status_code == 404
    assert english_client(world.librarian_a).get(f"/repository/items/{item.pk}/").status_code == 200


def test_withdrawn_item_answers_410_with_the_reason(world):
    item = published(world, ("a.pdf", make_pdf("x")))
    services.withdraw(world.librarian_a, item, "Duplicate of another deposit")
    response = english_client().get(f"/repository/items/{item.pk}/")
    assert response.status_code == 410
    assert "Duplicate of another deposit" in response.text
    file_url = f"/repository/items/{item.pk}/files/{item.files.get().pk}/a.pdf"
    assert english_client().get(file_url).status_code == 410


def test_published_item_is_found_by_its_full_text_as_format_repository(world):
    item = published(
        world, ("skripsi.pdf", make_pdf("Metode penelitian memakai analisis regresi kuokka."))
    )
    record = Record.objects.get(origin="repository", local_id=f"repository:{item.pk}")
    assert record.material_type == "repository" and record.library == world.library_a
    found = search_index().search(SearchQuery(text="kuokka"))
    assert [hit.cluster_id for hit in found.hits] == [record.cluster_id]
    only = search_index().search(SearchQuery(text="kuokka", formats=["repository"]))
    assert only.total == 1
    services.withdraw(world.librarian_a, item, "Ditarik")
    record.refresh_from_db()
    assert record.status != RecordStatus.ACTIVE
    assert search_index().search(SearchQuery(text="kuokka")).total == 0


def test_deposit_through_the_form(world):
    client = english_client(world.librarian_a)
    response = client.post(
        "/repository/deposit/ALPHA/",
        {
            "item_type": "skripsi",
            "title": "Sistem temu kembali informasi",
            "author_name": "Putri, Ayu",
            "author_identifier": "1901001",
            "advisors": "Hadi, Budi; 0401017801",
            "year": "2024",
            "abstract_id": "Abstrak.",
            "keywords": "temu kembali; OPAC",
            "language": "ind",
            "licence": "CC-BY-4.0",
            "access_level": "open",
            "attachments": [_upload("skripsi.pdf", make_pdf("isi"))],
        },
    )
    assert response.status_code == 302
    item = world.library_a.repository_items.get()
    assert item.advisors == [{"name": "Hadi, Budi", "identifier": "0401017801"}]
    assert item.keywords == ["temu kembali", "OPAC"]


def test_disguised_upload_on_the_form_shows_the_reason(world):
    from tests.repository.test_deposit import WINDOWS_EXE

    response = english_client(world.librarian_a).post(
        "/repository/deposit/ALPHA/",
        {
            "item_type": "skripsi",
            "title": "T",
            "author_name": "A",
            "year": "2024",
            "abstract_id": "Abstrak.",
            "keywords": "k",
            "language": "ind",
            "licence": "CC-BY-4.0",
            "access_level": "open",
            "attachments": [_upload("skripsi.pdf", WINDOWS_EXE)],
        },
    )
    assert response.status_code == 200
    assert "application/x-dosexec: it was refused" in response.text
    assert not world.library_a.repository_items.exists()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_every_page_links_the_policies_and_the_coordinator_edits_them(world):
    home = english_client().get("/")
    for kind in ("collection", "submission", "preservation", "privacy"):
        assert f'href="/repository/policies/{kind}/"' in home.text
    assert (
        english_client(world.librarian_a).get("/repository/policies/privacy/edit/").status_code
        == 403
    )
    response = english_client(world.coordinator).post(
        "/repository/policies/privacy/edit/",
        {"body_id": "Kami tidak menyimpan alamat IP.", "body_en": "We keep no IP addresses."},
    )
    assert response.status_code == 302
    assert "We keep no IP addresses." in english_client().get("/repository/policies/privacy/").text


def test_audit_exports_are_for_the_library_staff(world):
    item = published(world, ("a.pdf", make_pdf("x")))
    assert (
        english_client(world.librarian_b).get(f"/repository/items/{item.pk}/audit.csv").status_code
        == 403
    )
    response = english_client(world.librarian_a).get(f"/repository/items/{item.pk}/audit.jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["action"] for line in lines][-1] == "publish"
    assert english_client(world.librarian_a).get("/repository/audit.csv").status_code == 403
    assert english_client(world.coordinator).get("/repository/preservation/").status_code == 200


def test_library_staff_let_their_authors_deposit_from_the_deposits_page(world):
    patron = english_client(world.patron_a)
    assert "deposit-ALPHA" not in patron.get("/repository/").text
    assert (
        patron.post("/repository/staff/authors/", {"authors_may_deposit": "on"}).status_code == 403
    )

    librarian = english_client(world.librarian_a)
    page = librarian.get("/repository/staff/").text
    assert 'data-testid="deposit-policy"' in page
    answer = librarian.post(
        "/repository/staff/authors/", {"authors_may_deposit": "on"}, follow=True
    )
    assert "authors may now deposit" in answer.text
    assert services.authors_may_deposit(world.library_a)
    assert not services.authors_may_deposit(world.library_b)
    assert 'data-testid="deposit-ALPHA"' in patron.get("/repository/").text
    assert (
        'data-testid="deposit-ALPHA"' not in english_client(world.patron_b).get("/repository/").text
    )

    librarian.post("/repository/staff/authors/", {})
    assert not services.authors_may_deposit(world.library_a)
    assert "deposit-ALPHA" not in patron.get("/repository/").text
