"""Pre-registering a visit ("lapor dulu"), the host's answer, and visitor statistics."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from simpul.agreements.models import Agreement
from simpul.cards import services
from simpul.cards.models import MemberCard, Visit, VisitRules, VisitStatus
from simpul.catalog.models import Cluster
from simpul.core.errors import AccessDenied, InvalidInput
from tests.cards.conftest import MONDAY, MONDAY_10_WIB, make_card, open_all_week
from tests.conftest import World
from tests.fixtures_accounts import english_client

pytestmark = pytest.mark.usefixtures("english")
THURSDAY = MONDAY + dt.timedelta(days=3)


def _refusal(world: World, when: dt.date, **kwargs: object) -> str:
    with pytest.raises(InvalidInput) as refused:
        services.preregister(
            world.patron_a, world.library_b, when, "Skripsi", at=MONDAY_10_WIB, **kwargs
        )  # type: ignore[arg-type]
    return " ".join(refused.value.messages)


def test_a_patron_registers_a_visit_with_titles_and_the_host_confirms(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    title = Cluster.objects.create(title="Sejarah Kota Semarang")
    visit = services.preregister(
        world.patron_a,
        world.library_b,
        THURSDAY,
        "Penelitian skripsi",
        [title.pk],
        at=MONDAY_10_WIB,
    )
    assert visit.status == VisitStatus.REQUESTED and list(visit.titles.all()) == [title]
    expected = services.expected_visits(world.librarian_b, world.library_b, MONDAY)
    assert list(expected) == [visit]
    services.answer_visit(world.librarian_b, visit, True, "Silakan datang ke lantai 2")
    assert visit.status == VisitStatus.CONFIRMED
    page = english_client(world.patron_a).get("/visits/")
    assert "Confirmed" in page.text and "Silakan datang ke lantai 2" in page.text
    assert "Sejarah Kota Semarang" in page.text


def test_bad_dates_are_refused_with_the_reason_and_nothing_is_registered(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    VisitRules.objects.create(
        library=world.library_b,
        weekdays=[0, 1, 2, 3, 4],
        preregistration_required=True,
        preregistration_days=2,
    )
    assert "has passed" in _refusal(world, MONDAY - dt.timedelta(days=1))
    assert "at least 2 days ahead" in _refusal(world, MONDAY + dt.timedelta(days=1))
    assert "at most 90 days ahead" in _refusal(world, MONDAY + dt.timedelta(days=91))
    assert "does not receive visitors on that day" in _refusal(world, MONDAY + dt.timedelta(days=5))
    assert "expires before that day" in _refusal(world, dt.date(2027, 1, 4))
    assert "not in the union catalogue" in _refusal(world, THURSDAY, cluster_ids=[987654])
    assert not Visit.objects.exists()


def test_no_visit_without_an_active_card_or_an_agreement(world: World) -> None:
    with pytest.raises(InvalidInput, match="active member card"):
        services.preregister(world.patron_a, world.library_b, THURSDAY, "x", at=MONDAY_10_WIB)
    make_card(world.patron_a)
    assert "No agreement" in _refusal(world, THURSDAY)


def test_the_visit_form_says_what_is_wrong_with_typed_input(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    client = english_client(world.patron_a)
    response = client.post(
        "/visits/",
        {
            "host_library": world.library_b.pk,
            "date": "31-02-2026",
            "purpose": "Skripsi",
            "titles": "https://example.org/not-a-title",
        },
    )
    assert "Enter a valid date." in response.text
    assert "is not a link to a title in the union catalogue" in response.text
    assert "Skripsi" in response.text
    assert not Visit.objects.exists()


def test_a_patron_registers_through_the_page_with_a_catalogue_link(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    open_all_week(world.library_b)
    title = Cluster.objects.create(title="Ekonomi Pembangunan")
    day = services.local_today("Asia/Jakarta") + dt.timedelta(days=2)
    response = english_client(world.patron_a).post(
        "/visits/",
        {
            "host_library": world.library_b.pk,
            "date": day.isoformat(),
            "purpose": "Membaca",
            "titles": f"http://localhost/catalogue/{title.pk}/",
        },
        follow=True,
    )
    assert "Your visit is registered" in response.text
    assert list(Visit.objects.get().titles.all()) == [title]
    expected = english_client(world.librarian_b).get("/visitors/")
    assert card_a.holder_name in expected.text and "Ekonomi Pembangunan" in expected.text
    assert card_a.holder_name not in english_client(world.librarian_a).get("/visitors/").text


def test_only_the_host_answers_and_only_the_visitor_cancels(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    visit = services.preregister(world.patron_a, world.library_b, THURSDAY, "x", at=MONDAY_10_WIB)
    for outsider in (world.librarian_a, world.patron_b):
        with pytest.raises(AccessDenied):
            services.answer_visit(outsider, visit, True, "")
    assert (
        world.client_for(world.librarian_a)
        .post(f"/visitors/{visit.pk}/answer/", {"confirm": "1"})
        .status_code
        == 404
    )
    with pytest.raises(AccessDenied):
        services.cancel_visit(world.patron_a2, visit)
    assert english_client(world.patron_a2).post(f"/visits/{visit.pk}/cancel/").status_code == 404
    with pytest.raises(InvalidInput, match="Say why"):
        services.answer_visit(world.librarian_b, visit, False, "")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED
    services.cancel_visit(world.patron_a, visit)
    assert visit.status == VisitStatus.CANCELLED


def test_a_patron_does_not_see_other_patrons_visits(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    services.preregister(
        world.patron_a, world.library_b, THURSDAY, "Rahasia Putri", at=MONDAY_10_WIB
    )
    assert "Rahasia Putri" not in english_client(world.patron_a2).get("/visits/").text
    assert english_client(world.patron_a2).get("/visitors/").status_code == 403


def test_statistics_per_library_and_pair_with_csv(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    open_all_week(world.library_a)
    open_all_week(world.library_b)
    card_b = make_card(world.patron_b)
    services.check_in(
        world.librarian_b, world.library_b, number=card_a.number or "", at=MONDAY_10_WIB
    )
    services.check_in(
        world.librarian_a, world.library_a, number=card_b.number or "", at=MONDAY_10_WIB
    )
    services.check_in(
        world.librarian_b,
        world.library_b,
        number=card_a.number or "",
        at=MONDAY_10_WIB + dt.timedelta(days=1),
    )
    rows = services.visit_statistics(world.coordinator, MONDAY, MONDAY + dt.timedelta(days=7))
    assert rows == [("BETA", "ALPHA", 1), ("ALPHA", "BETA", 2)]
    response = english_client(world.librarian_b).get(
        "/visitors/statistics/", {"start": "2026-11-01", "end": "2026-11-30", "format": "csv"}
    )
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["home_library", "host_library", "visits", "from", "to"]
    assert ["ALPHA", "BETA", "2", "2026-11-01", "2026-11-30"] in table
    bad = english_client(world.librarian_b).get(
        "/visitors/statistics/", {"start": "2026-13-01", "end": "x"}
    )
    assert bad.status_code == 200 and "Enter a valid date." in bad.text
    with pytest.raises(AccessDenied):
        services.visit_statistics(world.patron_a, MONDAY, MONDAY)


def test_statistics_of_a_library_show_only_its_own_pairs(
    world: World, reciprocal: Agreement
) -> None:
    third = world.library_b.__class__.objects.create(
        code="GAMMA", name="Gamma", library_type="college"
    )
    open_all_week(third)
    card = make_card(world.patron_a)
    from tests.agreements.conftest import make_agreement

    make_agreement([world.library_a, third], ["reciprocal_access"])
    services.check_in(world.coordinator, third, number=card.number or "", at=MONDAY_10_WIB)
    assert services.visit_statistics(world.librarian_b, MONDAY, MONDAY) == []
    assert services.visit_statistics(world.librarian_a, MONDAY, MONDAY) == [("ALPHA", "GAMMA", 1)]


def test_the_visit_rules_page_saves_and_refuses_bad_hours(world: World) -> None:
    client = english_client(world.librarian_b)
    assert client.get("/visitors/rules/").status_code == 200
    data = {
        "audience": "listed",
        "listed_libraries": [world.library_a.pk],
        "weekdays": ["0", "2"],
        "opens": "09:00",
        "closes": "08:00",
        "time_zone": "Asia/Makassar",
        "max_visits_per_month": "4",
        "preregistration_days": "1",
        "notes": "",
    }
    response = client.post("/visitors/rules/", data)
    assert response.status_code == 200 and not VisitRules.objects.exists()
    data["closes"] = "15:00"
    client.post("/visitors/rules/", data, follow=True)
    rules = VisitRules.objects.get(library=world.library_b)
    assert rules.weekdays == [0, 2] and rules.time_zone == "Asia/Makassar"
    assert list(rules.listed_libraries.all()) == [world.library_a]
    with pytest.raises(AccessDenied):
        services.save_rules(world.librarian_a, world.library_b, {"weekdays": [0]})


def test_a_title_page_offers_a_visit_to_each_other_holding_library(
    world: World, reciprocal: Agreement, card_a: MemberCard
) -> None:
    from tests.ill.conftest import add_title

    open_all_week(world.library_b)
    title = add_title(
        "Babad Tanah Jawi", {world.library_a: "available", world.library_b: "available"}
    )
    patron = english_client(world.patron_a)
    page = patron.get(f"/catalogue/{title.pk}/").text
    assert 'data-testid="plan-visit-BETA"' in page
    assert 'data-testid="plan-visit-ALPHA"' not in page  # the patron's own library
    assert "plan-visit" not in english_client(world.librarian_a).get(f"/catalogue/{title.pk}/").text
    assert "plan-visit" not in english_client().get(f"/catalogue/{title.pk}/").text

    form = patron.get(f"/visits/?host=BETA&title={title.pk}").text
    assert f'<option value="{world.library_b.pk}" selected>' in form
    assert re.search(
        rf'name="titles"[^>]*>\s*http://testserver/catalogue/{title.pk}/</textarea>', form
    )
    assert (
        "/catalogue/" not in patron.get("/visits/?title=999999").text.split('name="titles"')[1][:80]
    )
    assert "Plan a visit to read it here" in page
    indonesian = english_client(world.patron_a)
    indonesian.cookies["simpul_language"] = "id"
    assert "Rencanakan kunjungan" in indonesian.get(f"/catalogue/{title.pk}/").text
