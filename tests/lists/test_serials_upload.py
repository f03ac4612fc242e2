"""Serials lists: a library uploads its CSV list; a file with any bad row changes nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from simpul.core.errors import AccessDenied
from simpul.lists import issn, serials
from simpul.lists.models import SerialFormat, SerialsUpload, Subscription, UploadMode
from tests.conftest import World
from tests.fixtures_accounts import english_client

# Real journals (titles and ISSNs from the MARC records in ../shared/data/marc21).
GOOD = (
    "issn,title,publisher,from,to,format,notes\n"
    "0028-0836,Nature,Macmillan,1998,,online,Campus network only\n"
    "1064-3923,Internet world,Meckler,1992,1998,print,\n"
    "1187-7081,Info Canada,,1991,1995,print,Gaps: 1993\n"
)


def upload(
    person, library, text: str | bytes, mode: str = UploadMode.MERGE, name: str = "list.csv"
) -> SerialsUpload:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return serials.upload_list(person, library, io.BytesIO(data), name, mode)


def listed(library) -> set[tuple[str, str, int | None, int | None, str]]:
    return {
        (s.issn, s.title, s.coverage_from, s.coverage_to, s.format)
        for s in Subscription.objects.filter(library=library)
    }


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0028-0836", True),
        ("00280836", True),
        ("ISSN 0270-1499", True),
        ("1050-124x", True),
        ("0028-0837", False),
        ("2811-113", False),
        ("abcd-efgh", False),
    ],
)
def test_issns_are_checked_by_their_check_digit(value: str, valid: bool) -> None:
    assert issn.is_valid(value) is valid


def test_a_good_list_is_applied(world: World) -> None:
    done = upload(world.librarian_a, world.library_a, GOOD)
    assert done.applied and (done.added, done.updated, done.removed) == (3, 0, 0)
    assert listed(world.library_a) == {
        ("0028-0836", "Nature", 1998, None, SerialFormat.ONLINE),
        ("1064-3923", "Internet world", 1992, 1998, SerialFormat.PRINT),
        ("1187-7081", "Info Canada", 1991, 1995, SerialFormat.PRINT),
    }


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8", ";", True), ("utf-8", ",", False), ("cp1252", ";", False), ("utf-16", "\t", False)],
)
def test_spreadsheet_exports_in_common_shapes_are_read(
    world: World, encoding: str, delimiter: str, bom: bool
) -> None:
    """Indonesian headers, semicolons (Excel with a comma as decimal mark), BOM, Windows-1252."""
    rows = [
        ["ISSN", "Judul", "Penerbit", "Dari", "Sampai", "Bentuk", "Catatan"],
        ["0028-0836", "Nature", "Macmillan", "1998", "sekarang", "daring", "Akses kampus"],
        [
            "0270-1499",
            "DAWN annual report",
            "Drug Enforcement Administration",
            "1980",
            "1985",
            "cetak",
            "Café \u2013 pojok referensi",
        ],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    data = out.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    done = upload(world.librarian_a, world.library_a, data)
    assert done.applied, done.errors
    assert listed(world.library_a) == {
        ("0028-0836", "Nature", 1998, None, SerialFormat.ONLINE),
        ("0270-1499", "DAWN annual report", 1980, 1985, SerialFormat.PRINT),
    }
    assert Subscription.objects.get(issn="0270-1499").notes == "Café \u2013 pojok referensi"


def test_one_coverage_column_is_understood(world: World) -> None:
    text = (
        "title;issn;coverage;format\n"
        "Nature;0028-0836;1998-2020;print+online\n"
        "Info Canada;1187-7081;1991-;print\n"
    )
    assert upload(world.librarian_a, world.library_a, text).applied
    assert listed(world.library_a) == {
        ("0028-0836", "Nature", 1998, 2020, SerialFormat.PRINT_ONLINE),
        ("1187-7081", "Info Canada", 1991, None, SerialFormat.PRINT),
    }


def test_a_file_with_bad_rows_changes_nothing_and_names_each_problem(world: World) -> None:
    upload(world.librarian_a, world.library_a, GOOD)
    before = listed(world.library_a)
    bad = (
        "issn,title,from,to,format\n"
        "0028-0836,Nature,1998,,online\n"  # fine
        "0028-0837,Nature (typo),1998,,online\n"  # line 3: wrong check digit
        ",,2000,,print\n"  # line 4: no title
        "1064-3923,Internet world,1999,1992,print\n"  # line 5: ends before it starts
        "1187-7081,Info Canada,19xx,,paper-ish\n"  # line 6: bad year and format
        "0028-0836,Nature,2001,,online\n"  # line 7: same journal as line 2
    )
    done = upload(world.librarian_a, world.library_a, bad, UploadMode.REPLACE)
    assert not done.applied
    assert listed(world.library_a) == before
    problems = {(e["row"], e["column"]) for e in done.errors}
    assert problems == {
        (3, "issn"),
        (4, "title"),
        (5, "to"),
        (6, "from"),
        (6, "format"),
        (7, "issn"),
    }
    assert SerialsUpload.objects.filter(library=world.library_a, applied=False).count() == 1


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "issn,title\n", "nama,alamat\nA,B\n", b"\x00\x01\x02garbage"],
)
def test_an_empty_or_unrelated_file_is_refused(world: World, text: str | bytes) -> None:
    upload(world.librarian_a, world.library_a, GOOD)
    done = upload(world.librarian_a, world.library_a, text, UploadMode.REPLACE)
    assert not done.applied and done.errors
    assert len(listed(world.library_a)) == 3


def test_merge_keeps_what_the_file_does_not_mention_and_replace_removes_it(world: World) -> None:
    upload(world.librarian_a, world.library_a, GOOD)
    change = (
        "issn,title,from,to,format\n0028-0836,Nature,1990,,online\n0036-8075,Science,2000,,print\n"
    )
    merged = upload(world.librarian_a, world.library_a, change, UploadMode.MERGE)
    assert (merged.added, merged.updated, merged.removed) == (1, 1, 0)
    assert len(listed(world.library_a)) == 4
    assert Subscription.objects.get(issn="0028-0836").coverage_from == 1990
    replaced = upload(world.librarian_a, world.library_a, change, UploadMode.REPLACE)
    assert (replaced.added, replaced.updated, replaced.removed) == (0, 0, 2)
    assert {s[0] for s in listed(world.library_a)} == {"0028-0836", "0036-8075"}


def test_journals_without_issn_are_matched_by_title(world: World) -> None:
    text = "judul;dari;bentuk\nJurnal Pustakawan Priangan;2015;cetak\n"
    upload(world.librarian_a, world.library_a, text)
    again = upload(
        world.librarian_a,
        world.library_a,
        "judul;dari;bentuk\nJURNAL PUSTAKAWAN PRIANGAN;2014;cetak\n",
    )
    assert (again.added, again.updated) == (0, 1)
    assert Subscription.objects.get().coverage_from == 2014


def test_staff_change_only_their_own_library_s_list(world: World) -> None:
    upload(world.librarian_b, world.library_b, GOOD)
    with pytest.raises(AccessDenied):
        upload(world.librarian_b, world.library_a, GOOD)
    with pytest.raises(AccessDenied):
        upload(world.patron_a, world.library_a, GOOD)
    with pytest.raises(AccessDenied):
        serials.uploads_for(world.librarian_a, world.library_b)
    assert not Subscription.objects.filter(library=world.library_a).exists()
    assert upload(world.coordinator, world.library_b, GOOD).applied  # the coordinator may help


def test_the_upload_page_applies_a_list_and_shows_a_row_report(world: World) -> None:
    client = english_client(world.librarian_a)
    page = client.get("/serials/upload/")
    assert page.status_code == 200 and b"ALPHA" in page.content and b"BETA" not in page.content
    bad = SimpleUploadedFile("bad.csv", b"issn,title\n1234-5678,Wrong\n", content_type="text/csv")
    response = client.post("/serials/upload/", {"library": "ALPHA", "mode": "merge", "file": bad})
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'data-testid="upload-errors"' in text and "1234-5678" in text and "not a valid ISSN" in text
    )
    good = SimpleUploadedFile("good.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(
        "/serials/upload/", {"library": "ALPHA", "mode": "replace", "file": good}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/serials/?library=ALPHA"
    assert "3 added" in response.content.decode()
    assert response.context["page"].paginator.count == 3


def test_a_librarian_cannot_upload_for_another_library_through_the_page(world: World) -> None:
    client = english_client(world.librarian_b)
    good = SimpleUploadedFile("good.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/serials/upload/", {"library": "ALPHA", "mode": "merge", "file": good})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Subscription.objects.exists()
    patron = english_client(world.patron_a)
    assert patron.get("/serials/upload/").status_code == 403
    assert english_client().get("/serials/upload/").status_code == 302  # to sign in
