"""Library staff register a source, test its endpoint, harvest it through the worker and
read the history; other libraries' staff and patrons cannot; the schedule queues harvests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from simpul.catalog.models import JobStatus
from simpul.harvest import services
from simpul.harvest.models import HarvestRun, HarvestSource, Schedule
from tests.conftest import World
from tests.fixtures_accounts import english_client
from tests.worker import run_worker

pytestmark = pytest.mark.django_db
PAGE = "/harvesting/"


def form(endpoint: str, **changes: str) -> dict[str, str]:
    data = {
        "library": "ALPHA",
        "name": "Repositori Alpha",
        "route": "oai",
        "base_url": endpoint,
        "metadata_prefix": "oai_dc",
        "set_spec": "",
        "schedule": "daily",
        "full_every_days": "7",
        "enabled": "on",
    }
    data.update(changes)
    return data


@pytest.mark.django_db(transaction=True)
def test_a_librarian_registers_a_source_and_harvests_it(world: World, endpoint: str):
    client = english_client(world.librarian_a)
    response = client.post(PAGE, form(endpoint))
    source = HarvestSource.objects.get(name="Repositori Alpha")
    assert response.status_code == 302 and response["Location"] == f"{PAGE}{source.pk}/"
    assert source.library == world.library_a and source.next_run_at is not None
    shown = client.get(PAGE).content.decode()
    assert '<select name="library" disabled' in shown
    assert f'<option value="ALPHA" selected>{world.library_a.display_name}</option>' in shown
    other = client.post(PAGE, form(endpoint, library="BETA", name="Tampered"))
    assert other.status_code == 302, "the library field is fixed: what is posted is ignored"
    assert HarvestSource.objects.get(name="Tampered").library == world.library_a
    queued = client.post(f"{PAGE}{source.pk}/harvest/", {"mode": "full"}, follow=True)
    assert "The harvest is queued" in queued.content.decode()
    run_worker()
    run = HarvestRun.objects.get()
    assert run.job.status == JobStatus.SUCCEEDED and run.job.added == 100
    page = client.get(f"{PAGE}{source.pk}/").content.decode()
    assert 'data-testid="runs"' in page and "Full harvest" in page and ">100<" in page


def test_a_wrong_address_is_refused_with_a_translated_message(world: World):
    client = english_client(world.librarian_a)
    response = client.post(PAGE, form("not a web address"))
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not HarvestSource.objects.exists()
    client.cookies["simpul_language"] = "id"
    response = client.post(PAGE, form("ftp:/broken"))
    assert "Masukkan URL yang valid." in response.content.decode()


def test_testing_the_endpoint_shows_what_it_offers(world: World, endpoint: str):
    client = english_client(world.librarian_a)
    shown = client.post(f"{PAGE}test/", {"base_url": endpoint}).content.decode()
    assert "The endpoint answers." in shown and "Loopback test repository" in shown
    assert "oai_dc" in shown and "theses" in shown
    refused = client.post(f"{PAGE}test/", {"base_url": "http://127.0.0.1:9/oai"}).content.decode()
    assert "The endpoint could not be used:" in refused


def test_staff_of_another_library_and_patrons_cannot_see_a_source(world: World, source):
    other = english_client(world.librarian_b)
    assert other.get(f"{PAGE}{source.pk}/").status_code == 404
    assert other.post(f"{PAGE}{source.pk}/harvest/").status_code == 404
    assert "Repositori Alpha" not in other.get(PAGE).content.decode()
    patron = english_client(world.patron_a)
    assert patron.get(PAGE).status_code == 403
    assert english_client().get(PAGE).status_code == 302  # to the sign-in page


def test_the_service_refuses_another_librarys_source(world: World, source):
    from simpul.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        services.save_source(world.librarian_b, world.library_a, {"name": "x"}, source)
    with pytest.raises(AccessDenied):
        services.start_harvest(world.librarian_b, source)


@pytest.mark.django_db(transaction=True)
def test_due_sources_are_queued_once(world: World, source):
    source.schedule = Schedule.DAILY
    source.next_run_at = timezone.now() - dt.timedelta(minutes=1)
    source.save()
    assert services.enqueue_due() == 1
    assert services.enqueue_due() == 0, "the next run moved a day on"
    source.refresh_from_db()
    assert source.next_run_at > timezone.now() + dt.timedelta(hours=23)
    run_worker()
    assert HarvestRun.objects.get().job.status == JobStatus.SUCCEEDED
