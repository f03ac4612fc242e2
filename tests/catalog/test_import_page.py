"""Library staff upload a catalogue file, the worker imports it, they follow it and read
the problems."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from simpul.catalog import staff_views
from simpul.catalog.models import ImportJob, JobStatus, Record
from tests.conftest import World
from tests.fixtures_accounts import english_client
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

IMPORTS = "/catalogue/imports/"


def upload(client, path: Path, **fields: str):
    data = {"library": fields.pop("library", "ALPHA"), "mode": "update", "source_format": ""}
    data.update(fields)
    data["file"] = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(IMPORTS, data)


def test_a_librarian_uploads_a_file_and_the_worker_imports_it(world: World, shared_data: Path):
    client = english_client(world.librarian_a)
    page = client.get(IMPORTS)
    assert page.status_code == 200
    assert "Import catalogue records" in page.text
    response = upload(client, shared_data / "marc21/traject-test_data.utf8.mrc")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{IMPORTS}{job.pk}/"
    assert job.status == JobStatus.QUEUED and job.created_by == world.librarian_a
    waiting = client.get(f"{IMPORTS}{job.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in waiting.text  # the page keeps asking while it waits
    assert "waiting for the background worker" in waiting.text

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.records_seen == 30  # the file holds 30 records
    assert job.added == Record.objects.filter(library=world.library_a).count() > 25
    done = client.get(f"{IMPORTS}{job.pk}/", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text  # finished: no more polling
    assert 'value="100"' in done.text and f"30 records read: {job.added} added" in done.text
    history = client.get(IMPORTS)
    assert "traject-test_data.utf8.mrc" in history.text and "Finished" in history.text


def test_a_running_import_says_how_long_it_has_left(world: World, shared_data: Path):
    """A quarter through the file after a minute: about three minutes more, at the pace of
    the records written so far; in both languages, and through the API."""
    client = english_client(world.librarian_a)
    upload(client, shared_data / "marc21/traject-test_data.utf8.mrc")
    job = ImportJob.objects.get()
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now() - dt.timedelta(seconds=60)
    job.total_bytes, job.bytes_read, job.records_seen = 4000, 1000, 1200
    job.save()
    pace = client.get(f"{IMPORTS}{job.pk}/", headers={"HX-Request": "true"}).text
    assert "about 3 minutes left" in pace and "20 records a second" in pace
    api = client.get(f"/api/v1/catalogue/imports/{job.pk}").json()
    assert 178 <= api["seconds_left"] <= 182 and api["progress_percent"] == 25
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    pace = client.get(f"{IMPORTS}{job.pk}/", headers={"HX-Request": "true"}).text
    assert "sekitar 3 menit lagi" in pace and "20 cantuman per detik" in pace

    job.status = JobStatus.SUCCEEDED
    job.save()
    done = client.get(f"{IMPORTS}{job.pk}/", headers={"HX-Request": "true"}).text
    assert 'data-testid="import-pace"' not in done
    assert client.get(f"/api/v1/catalogue/imports/{job.pk}").json()["seconds_left"] is None


def test_bad_records_are_listed_and_downloadable_with_position_and_reason(
    world: World, shared_data: Path
):
    client = english_client(world.librarian_a)
    upload(client, shared_data / "broken/pymarc-bad_records.mrc")
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.failed >= 1
    page = client.get(f"{IMPORTS}{job.pk}/")
    assert "Download the error report (CSV)" in page.text
    first = job.problems.order_by("position").first()
    assert first is not None and html.escape(first.reason) in page.text
    report = client.get(f"{IMPORTS}{job.pk}/problems.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="import-' in report["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["position", "identifier", "byte offset", "reason"]
    assert len(rows) - 1 == job.failed
    assert rows[1][0] == str(first.position) and rows[1][3] == first.reason


def test_the_page_speaks_indonesian(world: World, shared_data: Path):
    client = english_client(world.librarian_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get(IMPORTS)
    assert "Impor cantuman katalog" in page.text


def test_the_history_writes_large_counts_as_each_language_does(world: World):
    """A 20,182-record export is read at a glance: 20,182 in English, 20.182 in Indonesian."""
    ImportJob.objects.create(
        library=world.library_a,
        file_name="uniba.mrc",
        status=JobStatus.SUCCEEDED,
        records_seen=20182,
        failed=1234,
    )
    client = english_client(world.librarian_a)
    history = client.get(IMPORTS).text
    assert "<td>20,182</td>" in history and "<td>1,234</td>" in history
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    history = client.get(IMPORTS).text
    assert "<td>20.182</td>" in history and "<td>1.234</td>" in history


@pytest.mark.parametrize(
    ("file_name", "content", "fields", "message"),
    [
        ("empty.mrc", b"", {}, "The submitted file is empty."),
        ("notes.txt", b"just some words, not a catalogue\n" * 3, {}, "not in a format"),
        ("x.mrc", b"00000", {"mode": "everything"}, "Select a valid choice"),
        ("x.mrc", b"00000", {"source_format": "pdf"}, "Select a valid choice"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_queue_nothing(
    world: World, tmp_path: Path, file_name, content, fields, message
):
    client = english_client(world.librarian_a)
    path = tmp_path / file_name
    path.write_bytes(content)
    response = upload(client, path, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert not ImportJob.objects.exists()


def test_a_librarian_sees_their_library_and_cannot_import_into_another(
    world: World, shared_data: Path
):
    client = english_client(world.librarian_a)
    page = client.get(IMPORTS).text
    shown = f'<option value="ALPHA" selected>{world.library_a.display_name}</option>'
    assert '<select name="library" disabled' in page and shown in page, "whose catalogue"
    upload(client, shared_data / "marc21/traject-test_data.utf8.mrc", library="BETA")
    assert ImportJob.objects.get().library == world.library_a


def test_a_file_over_the_limit_is_refused_before_it_is_stored(
    world: World, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(staff_views.imports, "MAX_UPLOAD_BYTES", 10)
    path = tmp_path / "big.mrc"
    path.write_bytes(b"0" * 11)
    response = upload(english_client(world.librarian_a), path)
    assert "larger than 2 GB" in response.text
    assert not ImportJob.objects.exists()


def test_staff_see_only_their_own_librarys_imports(world: World, shared_data: Path):
    upload(english_client(world.librarian_a), shared_data / "marc21/traject-test_data.utf8.mrc")
    job = ImportJob.objects.get()
    other = english_client(world.librarian_b)
    assert other.get(f"{IMPORTS}{job.pk}/").status_code == 403
    assert other.get(f"{IMPORTS}{job.pk}/problems.csv").status_code == 403
    assert "traject-test_data" not in other.get(IMPORTS).text
    assert english_client(world.coordinator).get(f"{IMPORTS}{job.pk}/").status_code == 200


def test_patrons_and_visitors_cannot_import(world: World):
    patron = english_client(world.patron_a).get(IMPORTS)
    assert patron.status_code == 403
    assert "Only staff of a member library" in patron.text
    visitor = english_client().get(IMPORTS)
    assert visitor.status_code == 302 and "/accounts/sign-in/" in visitor["Location"]


def test_the_coordinator_chooses_the_library(world: World, shared_data: Path):
    client = english_client(world.coordinator)
    page = client.get(IMPORTS)
    assert 'value="ALPHA"' in page.text and 'value="BETA"' in page.text
    upload(client, shared_data / "marc21/traject-test_data.utf8.mrc", library="BETA")
    assert ImportJob.objects.get().library == world.library_b
