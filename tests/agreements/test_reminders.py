"""Before an agreement ends, the coordinator and the parties' contacts are reminded by e-mail
(90, 30 and 7 days ahead), each reminder once however often the job runs; an agreement whose
end date has passed is marked expired by the same daily job, which the worker runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from simpul.agreements import services
from simpul.agreements.models import Agreement, Change, Party, Reminder, Status
from simpul.agreements.tasks import check_agreements
from tests.agreements.conftest import make_agreement
from tests.worker import run_worker

DAY = dt.timedelta(days=1)
TODAY = dt.date(2026, 11, 23)


def ending_in(world, days, **extra):
    agreement = make_agreement(
        [world.library_a, world.library_b, "Pojok Baca Bank Nusantara"],
        end=TODAY + days * DAY,
        title="MoA Pinjam Antar Perpustakaan",
        **extra,
    )
    Party.objects.filter(agreement=agreement, library=world.library_a).update(
        contact_email="kontak@alpha.example.ac.id"
    )
    world.library_b.email = "perpustakaan@beta.example.ac.id"
    world.library_b.save()
    return agreement


@pytest.mark.django_db
def test_reminder_goes_to_coordinator_and_parties_once_per_threshold(world, settings):
    settings.LANGUAGE_CODE = "en"
    agreement = ending_in(world, 30)
    assert services.send_reminders(TODAY) == 1
    [message] = mail.outbox
    assert set(message.to) == {
        "koordinator@example.org",
        "kontak@alpha.example.ac.id",
        "perpustakaan@beta.example.ac.id",
    }
    assert "MoA Pinjam Antar Perpustakaan" in message.subject
    assert "in 30 days" in message.body
    assert f"/agreements/{agreement.pk}/" in message.body
    assert "Pojok Baca Bank Nusantara" in message.body
    # The job runs every hour: nothing more until the next threshold is reached.
    for day in range(0, 23):
        services.send_reminders(TODAY + day * DAY)
    assert len(mail.outbox) == 1
    services.send_reminders(TODAY + 23 * DAY)  # 7 days left
    services.send_reminders(TODAY + 24 * DAY)
    assert len(mail.outbox) == 2
    assert "in 7 days" in mail.outbox[1].body
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [7, 30]


@pytest.mark.django_db
def test_after_a_pause_only_the_nearest_threshold_is_sent(world):
    ending_in(world, 5)
    assert services.send_reminders(TODAY) == 1
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [7]


@pytest.mark.django_db
def test_nothing_for_drafts_far_off_or_open_ended_agreements(world):
    ending_in(world, 20, status=Status.DRAFT)
    ending_in(world, 120)
    make_agreement([world.library_a, world.library_b], end=None)
    assert services.send_reminders(TODAY) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_renewed_agreement_is_reminded_afresh(world):
    agreement = ending_in(world, 6)
    services.send_reminders(TODAY)
    agreement.end_date = TODAY + 400 * DAY
    agreement.save()
    services.send_reminders(TODAY + 310 * DAY)  # 90 days before the new end
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_reminder_is_in_the_networks_language(world, settings):
    settings.LANGUAGE_CODE = "id"
    ending_in(world, 7)
    services.send_reminders(TODAY)
    assert "berakhir" in mail.outbox[0].subject


@pytest.mark.django_db
def test_ended_agreements_are_marked_expired_with_a_history_entry(world):
    ended = ending_in(world, -1)
    ends_today = ending_in(world, 0)
    assert services.expire_ended(TODAY) == 1
    ended.refresh_from_db()
    ends_today.refresh_from_db()
    assert ended.status == Status.EXPIRED and ends_today.status == Status.ACTIVE
    change = Change.objects.get(agreement=ended)
    assert change.action == "expired" and change.changed_by is None
    assert services.expire_ended(TODAY) == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_daily_check(world):
    today = services.network_today()
    ended = make_agreement([world.library_a, world.library_b], end=today - DAY)
    make_agreement([world.library_a, world.library_b], end=today + 7 * DAY, title="Tujuh hari")
    result = check_agreements.enqueue()
    run_worker()
    result.refresh()
    assert result.return_value == "1 expired, 1 reminded"
    assert Agreement.objects.get(pk=ended.pk).status == Status.EXPIRED
    assert len(mail.outbox) == 1
