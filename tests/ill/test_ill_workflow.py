"""The ISO 18626 life of a request: every allowed step works, every other step is refused
and changes nothing; each side may take only its own steps; every change is a message."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from simpul.core.errors import AccessDenied, InvalidInput
from simpul.ill import services
from simpul.ill.models import (
    IllMessage,
    IllRequest,
    ReasonUnfilled,
    ServiceType,
    Side,
    Status,
)
from simpul.ill.workflow import COPY_ONLY, TRANSITIONS
from tests.concurrency import race
from tests.fixtures_accounts import english_client
from tests.ill.conftest import Ill

pytestmark = pytest.mark.django_db

PAIRS = list(itertools.product(sorted(TRANSITIONS), [s.value for s in Status]))


def perform(ill: Ill, request: IllRequest, action: str) -> IllRequest:
    """Take a step the way its side would, through the public service."""
    w = ill.world
    home, lender = w.librarian_a, w.librarian_b
    if action == "approve":
        return services.approve(home, request)
    if action == "reject":
        return services.reject(home, request, "Sudah ada di perpustakaan kita")
    if action == "ask_info":
        return services.ask_info(home, request, "Edisi yang mana?")
    if action == "conditional":
        return services.conditional(lender, request, "Baca di tempat saja")
    if action == "cannot_supply":
        return services.cannot_supply(lender, request, ReasonUnfilled.IN_USE)
    if action == "ship":
        return services.ship(lender, request)
    if action == "deliver_copy":
        return services.deliver_copy(lender, request)
    if action == "answer_renewal":
        return services.answer_renewal(lender, request, renew=True)
    if TRANSITIONS[action].side == Side.SYSTEM:
        return services._step(request, action, None, Side.SYSTEM)
    actor = {Side.REQUESTER: home, Side.PATRON: w.patron_a, Side.SUPPLIER: lender}[
        TRANSITIONS[action].side
    ]
    return services.act(actor, request, action)


def in_status(ill: Ill, action: str, status: str) -> IllRequest:
    service = ServiceType.COPY if action in COPY_ONLY else ServiceType.LOAN
    request = ill.request(service)
    IllRequest.objects.filter(pk=request.pk).update(
        status=status,
        supplier=ill.world.library_b,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    request.refresh_from_db()
    return request


@pytest.mark.parametrize(("action", "status"), PAIRS)
def test_every_step_from_every_status(ill: Ill, action: str, status: str):
    request = in_status(ill, action, status)
    before = request.messages.count()
    transition = TRANSITIONS[action]
    if status in transition.sources:
        done = perform(ill, request, action)
        assert done.status == transition.target
        last = done.messages.order_by("-pk").first()
        assert (last.action, last.from_status, last.to_status) == (action, status, done.status)
        assert last.side == transition.side
    else:
        with pytest.raises(InvalidInput):
            perform(ill, request, action)
        request.refresh_from_db()
        assert request.status == status, "a refused step changes nothing"
        assert request.messages.count() == before


def test_the_whole_loan_is_kept_as_messages(ill: Ill):
    w = ill.world
    request = ill.request()
    services.approve(w.librarian_a, request, "OK")
    assert request.supplier == w.library_b, "the library with an available copy is asked first"
    services.act(w.librarian_b, request, "will_supply")
    services.ship(w.librarian_b, request)
    services.act(w.librarian_a, request, "receive")
    services.act(w.patron_a, request, "request_renewal")
    services.answer_renewal(w.librarian_b, request, renew=True)
    services.act(w.librarian_a, request, "ship_return")
    services.act(w.librarian_b, request, "check_in")
    assert request.status == Status.LOAN_COMPLETED and request.closed_at is not None
    steps = list(request.messages.values_list("action", "to_status", "side"))
    assert [s[0] for s in steps] == [
        "request",
        "approve",
        "will_supply",
        "ship",
        "receive",
        "request_renewal",
        "answer_renewal",
        "ship_return",
        "check_in",
    ]
    assert all(m.at and (m.actor_id or m.side == Side.SYSTEM) for m in request.messages.all())


def test_each_side_takes_only_its_own_steps(ill: Ill):
    w = ill.world
    request = ill.request()
    with pytest.raises(AccessDenied):
        services.approve(w.librarian_b, request)  # not Beta's patron
    with pytest.raises(AccessDenied):
        services.approve(w.patron_a, request)  # patrons do not approve their own requests
    with pytest.raises(AccessDenied):
        services.act(w.patron_a2, request, "cancel")  # someone else's request
    services.approve(w.librarian_a, request)
    with pytest.raises(AccessDenied):
        services.act(w.librarian_a, request, "will_supply")  # the home library is not the lender
    with pytest.raises(AccessDenied):
        services.act(ill.librarian_c, request, "will_supply")  # Gamma was not asked
    services.act(w.patron_a, request, "cancel")
    assert request.status == Status.CANCELLED


def test_a_decline_moves_the_request_to_the_next_lender(ill: Ill):
    w = ill.world
    request = ill.request()
    services.approve(w.librarian_a, request)
    services.cannot_supply(w.librarian_b, request, ReasonUnfilled.POOR_CONDITION, "Rusak")
    assert request.status == Status.REQUEST_RECEIVED
    assert request.supplier == ill.library_c
    services.cannot_supply(ill.librarian_c, request, ReasonUnfilled.IN_USE)
    assert request.status == Status.UNFILLED, "nobody left to ask"
    assert [(e.library.code, e.outcome) for e in request.rota.all()] == [
        ("BETA", "declined"),
        ("GAMMA", "declined"),
    ]
    assert services.can_see(w.librarian_b, request), "a lender still sees what it answered"


def test_silence_past_the_time_limit_moves_on(ill: Ill):
    request = ill.request()
    services.approve(ill.world.librarian_a, request)
    later = timezone.now() + dt.timedelta(days=30)
    assert services.move_on_unanswered(later) == 1
    request.refresh_from_db()
    assert request.supplier == ill.library_c and request.status == Status.REQUEST_RECEIVED
    actions = list(request.messages.values_list("action", flat=True))
    assert actions[-2:] == ["no_answer", "next_lender"]


def test_overdue_loans_are_marked(ill: Ill):
    request = in_status(ill, "receive", Status.RECEIVED)
    IllRequest.objects.filter(pk=request.pk).update(due_on=dt.date(2020, 1, 1))
    assert services.mark_overdue() == 1
    request.refresh_from_db()
    assert request.status == Status.OVERDUE


@pytest.mark.django_db(transaction=True)
def test_two_lender_staff_answer_at_once_exactly_one_wins(ill: Ill):
    w = ill.world
    request = ill.request()
    services.approve(w.librarian_a, request)
    colleague = IllRequest.objects.get(pk=request.pk)
    before = IllMessage.objects.filter(request=request).count()
    results = race(
        lambda: services.act(w.librarian_b, IllRequest.objects.get(pk=request.pk), "will_supply"),
        lambda: services.conditional(w.librarian_b, colleague, "Hanya baca di tempat"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.Conflict), results
    request.refresh_from_db()
    assert request.status in {Status.WILL_SUPPLY, Status.CONDITIONAL}
    assert IllMessage.objects.filter(request=request).count() == before + 1, "one step recorded"
    assert (request.conditions != "") == (request.status == Status.CONDITIONAL), "no mixed state"


@pytest.mark.django_db(transaction=True)
def test_two_home_staff_approve_at_once_exactly_one_wins(ill: Ill):
    w = ill.world
    request = ill.request()
    results = race(
        lambda: services.approve(w.librarian_a, IllRequest.objects.get(pk=request.pk)),
        lambda: services.approve(w.admin_a, IllRequest.objects.get(pk=request.pk)),
    )
    assert sum(isinstance(r, IllRequest) for r in results) == 1, results
    assert sum(isinstance(r, services.Conflict) for r in results) == 1, results
    assert IllMessage.objects.filter(request=request, action="approve").count() == 1
    assert request.rota.filter(outcome="asked").count() == 1


def test_an_overdue_loan_is_reminded_every_week_until_it_is_back(ill: Ill, settings):
    from django_tasks_db.models import DBTaskResult

    settings.ILL_OVERDUE_REMINDER_DAYS = 7
    patron = ill.world.patron_a
    patron.preferred_language = "en"
    patron.save()
    due = dt.date(2026, 3, 2)
    request = in_status(ill, "receive", Status.RECEIVED)
    IllRequest.objects.filter(pk=request.pk).update(due_on=due)
    assert services.mark_overdue(due + dt.timedelta(days=1)) == 1

    def reminders() -> list[str]:
        return [
            task.args_kwargs["args"][0]
            for task in DBTaskResult.objects.filter(task_path__endswith="send_email")
            if task.args_kwargs["args"][0].startswith("Reminder:")
        ]

    assert services.remind_overdue(due + dt.timedelta(days=3)) == 0
    assert services.remind_overdue(due + dt.timedelta(days=8)) == 1
    assert len(reminders()) == 1 and request.number in reminders()[0]
    assert services.remind_overdue(due + dt.timedelta(days=8)) == 0  # a second round that day
    assert services.remind_overdue(due + dt.timedelta(days=12)) == 0
    assert services.remind_overdue(due + dt.timedelta(days=15)) == 1
    request.refresh_from_db()
    assert request.overdue_reminded_on == due + dt.timedelta(days=15)
    page = english_client(ill.world.librarian_a).get(f"/ill/{request.pk}/").content.decode()
    assert "Last overdue reminder" in page
    IllRequest.objects.filter(pk=request.pk).update(status=Status.RETURN_SHIPPED)
    assert services.remind_overdue(due + dt.timedelta(days=30)) == 0
    assert len(reminders()) == 2
