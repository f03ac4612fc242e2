"""Two Simpul nodes lend to each other over ISO 18626 on loopback: this one (served by the
test's live server) borrows from a library of the other (`simpul serve` in a subprocess,
its own database); requests, answers, shipment, receipt, return and check-in all travel
as validated ISO 18626 messages, each node running its own worker."""

from __future__ import annotations

import json

import pytest

from simpul.agreements.models import Service
from simpul.catalog.bibliographic import ItemStatus
from simpul.ill import services
from simpul.ill.models import IllRequest, IsoPeer, Status
from simpul.network.models import Library, LibraryType
from tests.agreements.conftest import make_agreement
from tests.conftest import World
from tests.ill.conftest import add_title
from tests.test_cli_serve import serving
from tests.test_cli_support import new_site
from tests.worker import run_worker

SETUP_OTHER_NODE = """
from simpul.accounts.models import User
from simpul.ill.models import IsoPeer
from simpul.network.models import Library
gamma = Library.objects.create(code="GAMMA", name="Perpustakaan Gamma", library_type="university")
alpha = Library.objects.create(code="ALPHA", name="Alpha (node lain)", library_type="university")
User.objects.create_user("pustakawan.gamma", role="librarian", library=gamma)
IsoPeer.objects.create(name="Simpul Alpha", agency_id="ALPHA", endpoint="{endpoint}", library=alpha)
"""
STEP_ON_OTHER_NODE = """
import json
from simpul.accounts.models import User
from simpul.ill import services
from simpul.ill.models import IllRequest
staff = User.objects.get(username="pustakawan.gamma")
request = IllRequest.objects.get(remote_id="{number}")
for action in {actions!r}:
    if action == "ship":
        services.ship(staff, request)
    else:
        services.act(staff, request, action)
print(json.dumps([request.status, request.remote_id, request.patron_id]))
"""
READ_OTHER_NODE = """
import json
from simpul.ill.models import IllRequest
r = IllRequest.objects.get(remote_id="{number}")
print(json.dumps([r.status, r.title, r.requesting_library.code, r.patron_id]))
"""


@pytest.mark.django_db(transaction=True)
def test_a_loan_between_two_simpul_nodes(world: World, live_server, tmp_path):
    with new_site(tmp_path / "other") as other:
        other.python(SETUP_OTHER_NODE.format(endpoint=f"{live_server.url}/iso18626"))
        with serving(other) as server:
            gamma = Library.objects.create(
                code="GAMMA",
                name="Perpustakaan Gamma (node lain)",
                library_type=LibraryType.UNIVERSITY,
            )
            IsoPeer.objects.create(
                name="Simpul Gamma",
                agency_id="GAMMA",
                endpoint=f"{server.base}/iso18626",
                library=gamma,
            )
            make_agreement([world.library_a, gamma], [Service.ILL_LOAN])
            cluster = add_title("Kearifan Lokal Sunda", {gamma: ItemStatus.AVAILABLE})
            request = services.create_request(
                world.patron_a,
                "loan",
                services.Citation(title=cluster.title, author="Ajip Rosidi"),
                cluster=cluster,
            )
            services.approve(world.librarian_a, request)
            assert request.supplier == gamma
            run_worker()  # sends the ISO 18626 request to the other node

            status, title, borrower, patron = json.loads(
                other.python(READ_OTHER_NODE.format(number=request.number))
            )
            assert (status, title, borrower) == (Status.REQUEST_RECEIVED, cluster.title, "ALPHA")
            assert patron is None, "the other node never learns who the patron is"

            other.python(
                STEP_ON_OTHER_NODE.format(number=request.number, actions=["will_supply", "ship"])
            )
            done = other.run("worker", "--batch")  # its answers travel back to us
            assert done.returncode == 0, done.stderr
            request.refresh_from_db()
            assert request.status == Status.LOANED and request.due_on is not None
            assert request.remote_id, "we learnt the other node's request number"

            services.act(world.librarian_a, request, "receive")
            services.act(world.librarian_a, request, "ship_return")
            run_worker()
            status = json.loads(other.python(READ_OTHER_NODE.format(number=request.number)))[0]
            assert status == Status.RETURN_SHIPPED

            other.python(STEP_ON_OTHER_NODE.format(number=request.number, actions=["check_in"]))
            assert other.run("worker", "--batch").returncode == 0
            request.refresh_from_db()
            assert request.status == Status.LOAN_COMPLETED
            steps = list(request.messages.values_list("action", "side"))
            assert ("ship", "supplier") in steps and ("check_in", "supplier") in steps
            assert IllRequest.objects.count() == 1
