"""A record the reader had to repair is imported, and the librarian learns which and what:
on the import's page, in a spreadsheet, through the API and from `simpul import`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from simpul import cli
from simpul.catalog.models import ImportJob, JobStatus, Record
from tests.conftest import World
from tests.fixtures_accounts import english_client
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

IMPORTS = "/catalogue/imports/"
API = "/api/v1/catalogue"

# A SLiMS-style export: one clean row, one ISBN with a wrong check digit, one language
# nobody can name; the last two are imported without the bad value.
SPREADSHEET = (
    b"Judul;Pengarang;Tahun Terbit;ISBN/ISSN;Bahasa;Eksemplar\n"
    b"Laskar pelangi;Andrea Hirata;2005;979-3062-79-7;Indonesia;LP-1\n"
    b"Bumi manusia;Pramoedya Ananta Toer;1980;979-97312-3-3;Indonesia;BM-1\n"
    b"Gulistan;Sa'di;1990;;Persia, Klingonisch;GL-1\n"
)


def upload(client, name: str, data: bytes):
    return client.post(
        IMPORTS,
        {
            "library": "ALPHA",
            "mode": "update",
            "source_format": "",
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_records_imported_with_repairs_are_listed_with_what_was_repaired(world: World):
    client = english_client(world.librarian_a)
    upload(client, "koleksi.csv", SPREADSHEET)
    run_worker()
    job = ImportJob.objects.get()
    assert (job.status, job.added, job.failed, job.repaired) == (JobStatus.SUCCEEDED, 3, 0, 2)
    # Worded in the language of the page the file was sent from, whatever the worker's.
    assert job.language == "en"
    assert "2 records were imported with repairs." in job.message
    gulistan = Record.objects.get(title="Gulistan")
    assert gulistan.languages == ["per"]  # the language it could name is kept

    page = client.get(f"{IMPORTS}{job.pk}/")
    assert "Records imported with repairs" in page.text
    assert 'data-testid="count-repaired">2<' in page.text
    assert "ISBN 979-97312-3-3 has a wrong check digit and was left out." in page.text
    assert "Klingonisch" in page.text and "Laskar" not in page.text.split("import-repairs")[1]

    report = client.get(f"{IMPORTS}{job.pk}/repairs.csv")
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="import-{job.pk}-repairs.csv"' in report["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["position", "identifier", "what was repaired"]
    assert [row[0] for row in rows[1:]] == ["2", "3"]
    assert "wrong check digit" in rows[1][2] and "“Klingonisch”" in rows[2][2]
    assert rows[1][1] == Record.objects.get(title="Bumi manusia").local_id

    # The correction made at home and exported again: nothing left to report.
    fixed = SPREADSHEET.replace(b"979-97312-3-3", b"979-97312-3-2").replace(b", Klingonisch", b"")
    upload(client, "koleksi.csv", fixed)
    run_worker()
    again = ImportJob.objects.latest("pk")
    assert (again.updated, again.repaired, again.repairs.count()) == (2, 0, 0)
    assert "repairs" not in again.message
    assert "Records imported with repairs" not in client.get(f"{IMPORTS}{again.pk}/").text


def test_the_repair_report_speaks_indonesian(world: World):
    client = english_client(world.librarian_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    upload(client, "koleksi.csv", SPREADSHEET)
    with translation.override("en"):  # a worker started in English changes nothing
        run_worker()
    job = ImportJob.objects.get()
    assert "2 cantuman diimpor dengan perbaikan." in job.message
    page = client.get(f"{IMPORTS}{job.pk}/")
    assert "Cantuman yang diimpor dengan perbaikan" in page.text
    assert "Unduh laporan perbaikan (CSV)" in page.text
    assert "Bahasa “Klingonisch” tidak dikenal Simpul dan tidak dimasukkan." in page.text

    # A colleague reading the page in English reads its counts in English; what was
    # repaired stays as it was worded for the librarian who sent the file.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"{IMPORTS}{job.pk}/")
    assert "3 records read: 3 added, 0 updated" in page.text
    assert "2 records were imported with repairs." in page.text
    assert "cantuman dibaca" not in page.text
    assert "Bahasa “Klingonisch” tidak dikenal Simpul" in page.text
    api = client.get(f"{API}/imports/{job.pk}").json()
    assert api["message"].startswith("3 records read: 3 added")


def test_other_systems_read_the_repairs_through_the_api(world: World):
    client = english_client(world.librarian_a)
    upload(client, "koleksi.csv", SPREADSHEET)
    run_worker()
    job = ImportJob.objects.get()
    assert client.get(f"{API}/imports/{job.pk}").json()["repaired"] == 2
    body = client.get(f"{API}/imports/{job.pk}/repairs?limit=1").json()
    assert body["count"] == 2 and body["next"] is not None
    first = body["results"][0]
    assert first["position"] == 2 and "wrong check digit" in first["note"]
    assert first["local_id"] == Record.objects.get(title="Bumi manusia").local_id
    other = world.client_for(world.librarian_b).get(f"{API}/imports/{job.pk}/repairs")
    assert other.status_code == 403


def test_simpul_import_says_what_it_repaired(world: World, tmp_path: Path, capsys):
    path = tmp_path / "koleksi.csv"
    path.write_bytes(SPREADSHEET)
    with translation.override("en"):
        assert cli.main(["import", "--library", "ALPHA", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 records were imported with repairs." in out
    assert "#2 (" in out and "wrong check digit" in out
    assert "#3 (" in out and "Klingonisch" in out


def test_the_title_page_shows_staff_what_was_repaired_in_their_record(world: World):
    client = english_client(world.librarian_a)
    upload(client, "koleksi.csv", SPREADSHEET)
    run_worker()
    record = Record.objects.get(title="Bumi manusia")
    testid = f'data-testid="repairs-ALPHA-{record.local_id}"'
    page = client.get(f"/catalogue/{record.cluster_id}/").text
    assert "What the reader repaired" in page and testid in page
    assert "979-97312-3-3 has a wrong check digit" in page.split(testid)[1]
    clean = Record.objects.get(title="Laskar pelangi")
    assert "What the reader repaired" not in client.get(f"/catalogue/{clean.cluster_id}/").text
    visitor = english_client().get(f"/catalogue/{record.cluster_id}/").text
    assert "What the reader repaired" not in visitor and "wrong check digit" not in visitor
