"""A SLiMS library contributes with the Union Catalog Server feature it already has: staff
register its node, SLiMS pushes records (and deletions) as JSON, and the librarian in
SLiMS reads Simpul's answer. The bodies are built as SLiMS's ucs_upload.php builds them:
the columns of its biblio query as strings, authors and topics as lists."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import socket
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone, translation

from simpul import cli
from simpul.catalog.bibliographic import BibRecord, RecordProblem, SourceFormat
from simpul.catalog.models import ImportJob, Record, RecordStatus
from simpul.catalog.queries import search_catalogue, search_params
from simpul.catalog.readers import read_records
from simpul.harvest import ucs
from simpul.harvest.models import UcsNode, UcsRefusedPush
from tests.conftest import World
from tests.fixtures_accounts import english_client
from tests.test_cli_serve import serving
from tests.test_cli_support import new_site

PAGE = "/harvesting/"


def biblio(biblio_id: int, title: str, **columns: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "biblio_id": str(biblio_id),
        "title": title,
        "spec_detail_info": None,
        "gmd_code": "TE",
        "gmd_name": "Text",
        "edition": "",
        "isbn_issn": "",
        "publisher_name": "Bentang Pustaka",
        "publish_year": "2005",
        "collation": "xiv, 529 hlm. ; 21 cm",
        "series_title": "",
        "call_number": f"899.221 HIR {biblio_id}",
        "language_id": "id",
        "language_name": "Indonesia",
        "place_name": "Yogyakarta",
        "classification": "899.221",
        "notes": "",
        "frequency": None,
        "authors": [{"name": "Hirata, Andrea", "level": "1", "type": "p", "auth_list": None}],
        "subjects": [{"name": "Fiksi Indonesia", "level": "1", "type": "t", "auth_list": None}],
    }
    row.update(columns)
    return row


def body(node_id: str, password: str, data: Any) -> bytes:
    info = {
        "enable": True,
        "auto_delete": False,
        "auto_insert": False,
        "serveraddr": "http://simpul.example",
        "serverversion": 2,
        "id": node_id,
        "password": password,
        "name": "Perpustakaan Alpha",
    }
    return json.dumps({"node_info": info, "node_data": data}).encode()


RECORDS = {
    "12": biblio(12, "Laskar pelangi", isbn_issn="979-3062-79-7"),
    "13": biblio(
        13,
        "Pasukan pelangi",
        notes="Judul asli: The rainbow troops",
        isbn_issn="979-97312-3-3",  # a wrong check digit
        language_id="xx",
        language_name="Klingonisch",
        authors=[
            {"name": "Kilbane, Angie", "level": "2", "type": "p", "auth_list": None},
            {"name": "Hirata, Andrea", "level": "1", "type": "p", "auth_list": None},
        ],
    ),
    "14": biblio(14, ""),  # no title
}


def test_the_reader_takes_slims_columns_and_keeps_each_record_without_the_password() -> None:
    found = list(read_records(io.BytesIO(body("n", "secret", RECORDS)), SourceFormat.SLIMS_UCS))
    laskar, pasukan, untitled = found
    assert isinstance(laskar, BibRecord) and isinstance(pasukan, BibRecord)
    assert (laskar.local_id, laskar.title, laskar.year) == ("12", "Laskar pelangi", 2005)
    assert laskar.isbns == ["9789793062792"] and laskar.languages == ["ind"]
    assert laskar.publisher == "Bentang Pustaka" and laskar.place == "Yogyakarta"
    assert laskar.subjects == ["Fiksi Indonesia"] and laskar.extent.startswith("xiv, 529")
    assert [(i.call_number, i.library_code) for i in laskar.items] == [("899.221 HIR 12", "")]
    assert pasukan.authors == ["Hirata, Andrea", "Kilbane, Angie"]  # primary author first
    assert pasukan.uniform_title == "The rainbow troops"
    assert pasukan.isbns == [] and pasukan.languages == []
    assert len(pasukan.repairs) == 2 and "979-97312-3-3" in pasukan.repairs[0]
    assert isinstance(untitled, RecordProblem) and untitled.local_id == "14"
    assert b"secret" not in laskar.raw and json.loads(laskar.raw)["biblio_id"] == "12"
    (again,) = read_records(io.BytesIO(laskar.raw), SourceFormat.SLIMS_UCS)
    assert isinstance(again, BibRecord) and again.title == "Laskar pelangi"
    # PHP writes an array keyed 0, 1, 2 … as a JSON list.
    listed = body("n", "s", [biblio(1, "Bumi manusia")])
    assert [r.title for r in read_records(io.BytesIO(listed), SourceFormat.SLIMS_UCS)] == [
        "Bumi manusia"
    ]
    (broken,) = read_records(io.BytesIO(b"{not json"), SourceFormat.SLIMS_UCS)
    assert isinstance(broken, RecordProblem)


def register(client: Any, node_id: str = "slims-alpha") -> str:
    """Register a node through the harvesting page; the password it shows once."""
    page = client.post(f"{PAGE}ucs-nodes/", {"library": "ALPHA", "node_id": node_id, "name": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<code>{node_id}</code>" in html and "<code>http://testserver</code>" in html
    found = re.search(r'data-testid="ucs-password">([^<]+)<', html)
    assert found
    return found.group(1)


def push(client: Any, data: bytes, path: str = "/ucpoll.php") -> dict[str, str]:
    response = client.post(path, data, content_type="text/json")
    assert response.status_code == 200
    assert response.streaming  # sent chunked: older SLiMS reads every answer as chunked
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.django_db(transaction=True)
def test_a_node_pushes_records_and_deletions_and_hears_what_happened(world: World) -> None:
    staff = english_client(world.librarian_a)
    secret = register(staff)
    node = UcsNode.objects.get()
    assert node.library == world.library_a and node.password != secret

    slims = Client()  # SLiMS names no language: the site's own (Indonesian) answers
    answer = push(slims, body("slims-alpha", secret, RECORDS))
    assert answer["status"] == "PARTIAL"
    assert answer["message"].startswith("Simpul menerima 3 cantuman: 2 ditambahkan")
    assert "Cantuman 14:" in answer["message"]
    laskar = Record.objects.get(library=world.library_a, local_id="12")
    assert laskar.origin == "ucs:slims-alpha" and laskar.source_format == "slims_ucs"
    hits = search_catalogue(search_params({"q": "laskar pelangi"})).hits
    assert [h.cluster.pk for h in hits] == [laskar.cluster_id]  # indexed at once
    assert laskar.holdings.get().call_number == "899.221 HIR 12"

    job = ImportJob.objects.get(source_format="slims_ucs")
    assert (job.records_seen, job.added, job.failed, job.repaired) == (3, 2, 1, 1)
    page = staff.get(f"/catalogue/imports/{job.pk}/").content.decode()
    # What went wrong is worded as it was for SLiMS, in the site's language.
    assert "Cantuman tidak memiliki judul." in page and "Klingonisch" in page
    listing = staff.get(PAGE).content.decode()
    assert f'href="/catalogue/imports/{job.pk}/"' in listing.split('data-testid="ucs-nodes"')[1]

    # The same push again changes nothing; a corrected record updates in place, into the
    # same import of the day; the newer SLiMS address (ucs.php) is answered too.
    slims = Client(HTTP_ACCEPT_LANGUAGE="en")
    again = push(slims, body("slims-alpha", secret, {"12": RECORDS["12"]}), "/ucs/ucs.php")
    assert "1 unchanged" in again["message"] and again["status"] == "UPLOADED"
    fixed = biblio(12, "Laskar pelangi", edition="Cet. 5", isbn_issn="979-3062-79-7")
    assert "1 updated" in push(slims, body("slims-alpha", secret, {"12": fixed}))["message"]
    job.refresh_from_db()
    assert (ImportJob.objects.filter(source_format="slims_ucs").count(), job.records_seen) == (1, 5)
    laskar.refresh_from_db()
    assert laskar.edition == "Cet. 5"

    gone = push(
        slims,
        body("slims-alpha", secret, {"operation": "delete", "biblio": "12,13"}),
        "/uc-ops.php",
    )
    assert (gone["status"], gone["message"]) == (
        "DELETED",
        "2 records left the union catalogue.",
    )
    assert set(
        Record.objects.filter(local_id__in=["12", "13"]).values_list("status", flat=True)
    ) == {RecordStatus.DELETED}
    assert search_catalogue(search_params({"q": "laskar pelangi"})).total == 0
    node.refresh_from_db()
    assert node.records_received == 7 and node.last_push_at is not None


@pytest.mark.django_db(transaction=True)
def test_wrong_pushes_are_answered_and_write_nothing(world: World) -> None:
    secret = register(english_client(world.librarian_a))
    slims = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = push(slims, body("slims-alpha", "guess", RECORDS))
    assert wrong["status"] == "UNAUTHORIZED" and "node ID and password" in wrong["message"]
    assert push(slims, body("nobody", secret, RECORDS))["status"] == "UNAUTHORIZED"
    assert push(slims, b"<xml/>")["status"] == "INVALID_DATA"
    assert push(slims, b'{"node_data": {}}')["status"] == "INVALID_DATA"
    assert push(slims, body("slims-alpha", secret, {}))["status"] == "NO_DATA"
    many = {str(i): biblio(i, f"Judul {i}") for i in range(1, 202)}
    assert "at most 200" in push(slims, body("slims-alpha", secret, many))["message"]
    assert Record.objects.count() == 0 and ImportJob.objects.count() == 0
    assert slims.get("/ucs.php").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_an_address_that_keeps_guessing_is_refused_without_a_password_check(
    world: World,
) -> None:
    secret = register(english_client(world.librarian_a))
    guesser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    node = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.20")
    for attempt in range(ucs.REFUSALS_PER_ADDRESS):
        answer = push(guesser, body("slims-alpha", f"guess-{attempt}", RECORDS))
        assert "node ID and password" in answer["message"]
    with mock.patch.object(ucs, "check_password", wraps=ucs.check_password) as checked:
        # Even the right password is not checked from this address for a while.
        refused = push(guesser, body("slims-alpha", secret, RECORDS))
        assert refused["status"] == "UNAUTHORIZED" and "Too many pushes" in refused["message"]
        assert checked.call_count == 0
        # The node at its own address pushes as before.
        assert push(node, body("slims-alpha", secret, RECORDS))["status"] == "PARTIAL"
        assert checked.call_count == 1
    assert UcsRefusedPush.objects.filter(ip_address="203.0.113.9").count() == 20
    assert Record.objects.filter(library__code="ALPHA").count() == 2
    # Once the window has passed, the address may try again.
    UcsRefusedPush.objects.update(refused_at=timezone.now() - dt.timedelta(minutes=16))
    assert push(guesser, body("slims-alpha", secret, {}))["status"] == "NO_DATA"
    indonesian = Client(HTTP_ACCEPT_LANGUAGE="id", REMOTE_ADDR="203.0.113.9")
    for attempt in range(ucs.REFUSALS_PER_ADDRESS):
        push(indonesian, body("slims-alpha", f"tebak-{attempt}", {}))
    assert "Terlalu banyak" in push(indonesian, body("slims-alpha", secret, {}))["message"]


@pytest.mark.django_db
def test_only_the_librarys_staff_manage_its_nodes(world: World) -> None:
    staff = english_client(world.librarian_a)
    register(staff)
    node = UcsNode.objects.get()
    taken = staff.post(f"{PAGE}ucs-nodes/", {"library": "ALPHA", "node_id": "slims-alpha"})
    assert "Another node already has the ID slims-alpha." in staff.get(PAGE).content.decode()
    assert taken.status_code == 302
    bad = staff.post(f"{PAGE}ucs-nodes/", {"library": "ALPHA", "node_id": "with space"})
    assert bad.status_code == 302 and UcsNode.objects.count() == 1
    other = english_client(world.librarian_b)
    assert other.post(f"{PAGE}ucs-nodes/{node.pk}/password/").status_code == 404
    assert other.post(f"{PAGE}ucs-nodes/{node.pk}/remove/").status_code == 404
    assert other.post(f"{PAGE}ucs-nodes/", {"library": "ALPHA", "node_id": "x"}).status_code == 302
    assert UcsNode.objects.count() == 1  # BETA's staff cannot register one for ALPHA
    renewed = staff.post(f"{PAGE}ucs-nodes/{node.pk}/password/").content.decode()
    assert 'data-testid="ucs-password">' in renewed
    assert staff.post(f"{PAGE}ucs-nodes/{node.pk}/remove/").status_code == 302
    assert not UcsNode.objects.exists()
    long = staff.post(f"{PAGE}ucs-nodes/", {"library": "ALPHA", "node_id": "n" * 37})
    assert long.status_code == 302 and not UcsNode.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_node_registered_again_finds_its_records_again(world: World) -> None:
    staff = english_client(world.librarian_a)
    slims = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = register(staff)
    assert push(slims, body("slims-alpha", first, {"12": RECORDS["12"]}))["status"] == "UPLOADED"
    staff.post(f"{PAGE}ucs-nodes/{UcsNode.objects.get().pk}/remove/")
    assert Record.objects.filter(status=RecordStatus.ACTIVE).count() == 1  # records stay
    assert push(slims, body("slims-alpha", first, {}))["status"] == "UNAUTHORIZED"
    second = register(staff)
    assert second != first
    again = push(slims, body("slims-alpha", second, {"12": RECORDS["12"]}))
    assert "1 unchanged" in again["message"] and Record.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_staff_register_a_node_from_the_command_line(world: World, capsys) -> None:
    with translation.override("en"):
        assert cli.main(["ucs-node", "alpha", "slims-alpha", "--name", "SLiMS Alpha"]) == 0
        secret = capsys.readouterr().out.split("Server password: ")[1].split()[0]
        slims = Client(HTTP_ACCEPT_LANGUAGE="en")
        assert push(slims, body("slims-alpha", secret, RECORDS))["status"] == "PARTIAL"
        assert cli.main(["ucs-node", "ALPHA", "slims-alpha", "--new-password"]) == 0
        renewed = capsys.readouterr().out.split("Server password: ")[1].split()[0]
        assert push(slims, body("slims-alpha", secret, {}))["status"] == "UNAUTHORIZED"
        assert push(slims, body("slims-alpha", renewed, {}))["status"] == "NO_DATA"
        assert cli.main(["ucs-node", "ALPHA", "slims-alpha"]) == 1
        assert "Another node already has the ID slims-alpha." in capsys.readouterr().err
        assert cli.main(["ucs-node", "NOPE", "x"]) == 1
        assert cli.main(["ucs-node", "ALPHA", "other", "--new-password"]) == 1
        assert "ALPHA has no SLiMS node other." in capsys.readouterr().err


ADD_NODE = """
from django.contrib.auth.hashers import make_password
from simpul.harvest.models import UcsNode
from simpul.network.models import Library
library = Library.objects.create(code="ALPHA", name="Perpustakaan Alpha", library_type="university")
UcsNode.objects.create(library=library, node_id="slims-node", password={password!r})
"""


def slims_http_request(base: str, path: str, data: bytes) -> dict[str, str]:
    """What SLiMS's own lib/http_request.inc.php does on the wire: an HTTP/1.1 POST with
    Content-type text/json over a plain socket, read to the end, the head cut off at the
    first blank line, and the rest decoded as chunked whatever the headers say."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nReferer: 127.0.0.1\r\n"
            f"Content-type: text/json\r\nContent-length: {len(data)}\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n"
        )
        connection.sendall(head.encode() + data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    _headers, _, rest = received.partition(b"\r\n\r\n")
    decoded = b""
    while rest.strip():
        rest = rest.strip()
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line or b"0", 16)
        decoded, rest = decoded + rest[:size], rest[size:]
    return json.loads(decoded)


def test_slims_own_http_client_reads_the_answer_of_the_real_server(tmp_path_factory) -> None:
    with new_site(tmp_path_factory.mktemp("ucs")) as site:
        site.python(ADD_NODE.format(password=make_password("s0beautifulday")))
        with serving(site) as server:
            data = body("slims-node", "s0beautifulday", {"12": RECORDS["12"]})
            answer = slims_http_request(server.base, "/ucpoll.php", data)
            assert answer["status"] == "UPLOADED", answer
            assert answer["message"].startswith("Simpul received 1 record: 1 added")
            refused = slims_http_request(server.base, "/ucs.php", body("slims-node", "x", {}))
            assert refused["status"] == "UNAUTHORIZED"
