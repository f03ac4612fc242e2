"""Staff of one library and patrons see only what is theirs."""

from __future__ import annotations

import io

import pytest

from simpul.repository import services
from simpul.repository.models import DepositPolicy
from tests.fixtures_accounts import english_client
from tests.repository.conftest import make_pdf, thesis_values

pytestmark = pytest.mark.usefixtures("repository_dir")


def test_a_patrons_submission_is_seen_by_them_and_their_librarians_only(world):
    DepositPolicy.objects.create(library=world.library_a, authors_may_deposit=True)
    item = services.deposit(
        world.patron_a, world.library_a, thesis_values(), [("a.pdf", io.BytesIO(make_pdf("x")))]
    )
    url = f"/repository/items/{item.pk}/"
    assert english_client(world.patron_a).get(url).status_code == 200
    assert english_client(world.patron_a2).get(url).status_code == 404
    assert english_client(world.librarian_b).get(url).status_code == 404
    assert english_client(world.librarian_a).get(url).status_code == 200
    assert item not in services.visible_items(world.patron_a2)
    queue = english_client(world.patron_a2).get("/repository/staff/")
    assert thesis_values()["title"] not in queue.text
    file_url = f"{url}files/{item.files.get().pk}/a.pdf"
    assert english_client(world.patron_a2).get(file_url).status_code == 404


def test_download_statistics_are_for_the_library_and_the_coordinator(world):
    url = "/repository/statistics/ALPHA/"
    assert english_client(world.librarian_b).get(url).status_code == 403
    assert english_client(world.patron_a).get(url).status_code == 403
    assert english_client(world.librarian_a).get(url).status_code == 200
    assert english_client(world.coordinator).get(url).status_code == 200
    assert english_client(world.librarian_a).get("/repository/preservation/").status_code == 403
