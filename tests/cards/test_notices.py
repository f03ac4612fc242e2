"""The patron hears by e-mail, in their own language, when their card or their visit
changes; nothing is sent for a change that was refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from simpul.agreements.models import Agreement
from simpul.cards import services
from simpul.cards.models import MemberCard
from simpul.core.errors import InvalidInput
from tests.cards.conftest import MONDAY_10_WIB, make_card, open_all_week
from tests.conftest import World

pytestmark = pytest.mark.django_db


def mails() -> list[tuple[str, str, list[str]]]:
    return [
        tuple(task.args_kwargs["args"])  # type: ignore[misc]
        for task in DBTaskResult.objects.filter(task_path__endswith="send_email").order_by(
            "enqueued_at"
        )
    ]


def english(world: World) -> None:
    world.patron_a.preferred_language = "en"
    world.patron_a.save()


def test_each_change_of_a_card_is_mailed_to_its_holder(
    world: World, django_capture_on_commit_callbacks
) -> None:
    english(world)
    with django_capture_on_commit_callbacks(execute=True):
        card = services.apply_for_card(world.patron_a)
        services.issue_card(world.librarian_a, card)
        services.suspend_card(world.librarian_a, card, "Buku perpustakaan belum kembali")
        services.reinstate_card(world.librarian_a, card)
        services.renew_card(world.librarian_a, card)
        services.revoke_card(world.librarian_a, card, "Lulus")
    subjects = [subject for subject, _body, _to in mails()]
    assert subjects == [
        "Your network member card is ready",
        "Your network member card is suspended",
        "Your network member card is valid again",
        "Your network member card was renewed",
        "Your network member card was revoked",
    ]
    ready, suspended = mails()[0], mails()[1]
    assert ready[2] == [world.patron_a.email] and card.number in ready[1]
    assert "Buku perpustakaan belum kembali" in suspended[1]


def test_a_refusal_says_why_in_indonesian_and_a_refused_step_sends_nothing(
    world: World, django_capture_on_commit_callbacks
) -> None:
    world.patron_a.preferred_language = "id"
    world.patron_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        card = services.apply_for_card(world.patron_a)
        with pytest.raises(InvalidInput):
            services.refuse_application(world.librarian_a, card, "")
        services.refuse_application(world.librarian_a, card, "Nomor anggota tidak cocok")
    [(subject, body, _to)] = mails()
    assert "Your" not in subject and "ditolak" in subject
    assert "Nomor anggota tidak cocok" in body


def test_the_visitor_hears_the_hosts_answer(
    world: World, reciprocal: Agreement, card_a: MemberCard, django_capture_on_commit_callbacks
) -> None:
    english(world)
    open_all_week(world.library_b)
    day = MONDAY_10_WIB.date() + dt.timedelta(days=3)
    visit = services.preregister(world.patron_a, world.library_b, day, "Skripsi", at=MONDAY_10_WIB)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_visit(world.librarian_b, visit, False, "Ruang baca tutup untuk renovasi")
    [(subject, body, to)] = mails()
    assert subject.startswith("Your visit to") and "was refused" in subject
    assert "Ruang baca tutup untuk renovasi" in body and to == [world.patron_a.email]


def test_a_card_without_an_address_sends_nothing(world: World, django_capture_on_commit_callbacks):
    world.patron_a.email = ""
    world.patron_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_card(world.librarian_a, make_card(world.patron_a, status="applied"))
    assert mails() == []
