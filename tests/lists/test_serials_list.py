"""The public serials list: search by title or ISSN, filters, CSV export that round-trips."""

from __future__ import annotations

import csv
import io

import pytest

from simpul.lists.models import Subscription
from tests.conftest import World
from tests.lists.test_serials_upload import GOOD, listed, upload


@pytest.fixture
def lists(world: World) -> World:
    upload(world.librarian_a, world.library_a, GOOD)
    upload(
        world.librarian_b,
        world.library_b,
        "issn;judul;dari;sampai;bentuk\n"
        "0028-0836;Nature;2010;2015;cetak\n"
        "0270-1499;DAWN annual report;1980;;cetak\n",
    )
    return world


def shown(response) -> list[tuple[str, str]]:
    return [(s.library.code, s.issn) for s in response.context["page"].object_list]


def test_everyone_sees_who_subscribes_to_what(lists: World, en_client) -> None:
    response = en_client.get("/serials/")
    assert response.status_code == 200
    assert len(shown(response)) == 5
    assert b"Campus network only" in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "nature"}, {("ALPHA", "0028-0836"), ("BETA", "0028-0836")}),
        ({"q": "0028 0836"}, {("ALPHA", "0028-0836"), ("BETA", "0028-0836")}),
        ({"q": "00280836", "library": "beta"}, {("BETA", "0028-0836")}),
        ({"format": "online"}, {("ALPHA", "0028-0836")}),
        ({"year": "1995"}, {("ALPHA", "1064-3923"), ("ALPHA", "1187-7081"), ("BETA", "0270-1499")}),
        ({"year": "2012", "q": "nature"}, {("ALPHA", "0028-0836"), ("BETA", "0028-0836")}),
        ({"year": "2020", "q": "nature"}, {("ALPHA", "0028-0836")}),
        ({"q": "tidak ada"}, set()),
        ({"year": "19x5", "format": "vinyl"}, None),  # ignored: everything
    ],
)
def test_the_list_is_searchable_and_filterable(lists: World, en_client, params, expected) -> None:
    found = set(shown(en_client.get("/serials/", params)))
    assert found == (expected if expected is not None else set(shown(en_client.get("/serials/"))))


def test_the_csv_export_can_be_uploaded_again_unchanged(lists: World, en_client) -> None:
    response = en_client.get("/serials/export.csv", {"library": "ALPHA"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["issn"] for r in rows} == {"0028-0836", "1064-3923", "1187-7081"}
    before = listed(lists.library_a)
    again = upload(lists.librarian_a, lists.library_a, body, "replace")
    assert again.applied and (again.added, again.updated, again.removed) == (0, 0, 0)
    assert listed(lists.library_a) == before


def test_the_example_file_is_a_valid_list(world: World, en_client) -> None:
    body = en_client.get("/serials/template.csv").content
    done = upload(world.librarian_a, world.library_a, body)
    assert done.applied and Subscription.objects.count() == 2
