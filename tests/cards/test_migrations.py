"""The upgrade that allows one recorded visit per card, host and day applies to a site that
already holds a visit recorded twice: the two become one, keeping the titles of both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import World

BEFORE = [("cards", "0001_initial")]
AFTER = [("cards", "0003_one_check_in_per_card_host_day")]


@pytest.mark.django_db(transaction=True)
def test_a_visit_recorded_twice_becomes_one_on_upgrade(world: World) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    card = old.get_model("cards", "MemberCard").objects.create(
        holder_id=world.patron_a.pk,
        home_library_id=world.library_a.pk,
        holder_name="Dewi",
        status="active",
        number="ALPHA-000001",
    )
    visit_model = old.get_model("cards", "Visit")
    cluster_model = old.get_model("catalog", "Cluster")
    fields = {
        "card": card,
        "visitor_id": world.patron_a.pk,
        "home_library_id": world.library_a.pk,
        "host_library_id": world.library_b.pk,
        "date": dt.date(2026, 11, 23),
        "status": "checked_in",
    }
    first = visit_model.objects.create(**fields)
    second = visit_model.objects.create(**fields)
    second.titles.add(cluster_model.objects.create(title="Babad Tanah Jawi"))
    other_day = visit_model.objects.create(**{**fields, "date": dt.date(2026, 11, 24)})

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("cards", "Visit")
    assert sorted(new.objects.values_list("pk", flat=True)) == [first.pk, other_day.pk]
    kept = new.objects.get(pk=first.pk)
    assert [t.title for t in kept.titles.all()] == ["Babad Tanah Jawi"]
