"""New titles: by the month a title first appeared in the network or at one library."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from simpul.catalog.models import Cluster, Record
from simpul.lists import new_titles
from tests.conftest import World
from tests.lists.conftest import NOVEMBER, OCTOBER, SEPTEMBER


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def clusters_held_by(*codes: str, only: bool = False) -> set[int]:
    found: dict[int, set[str]] = {}
    for cluster_id, code in Record.objects.filter(status="active").values_list(
        "cluster_id", "library__code"
    ):
        found.setdefault(cluster_id, set()).add(code)
    return {
        pk for pk, held in found.items() if (held == set(codes) if only else set(codes) <= held)
    }


def test_a_title_is_new_to_the_network_in_the_month_its_first_record_arrived(dated: World) -> None:
    september = new_titles.new_titles(month=SEPTEMBER, page_size=None)
    october = new_titles.new_titles(month=OCTOBER, page_size=None)
    november = new_titles.new_titles(month=NOVEMBER, page_size=None)
    shown = [{t.cluster_id for t in p.titles} for p in (september, october, november)]
    # Every title is new exactly once, and all of them are somewhere.
    assert sum(len(s) for s in shown) == Cluster.objects.count()
    assert not (shown[0] & shown[1]) and not (shown[1] & shown[2])
    # BETA only added copies of titles ALPHA already had: nothing new to the network in November.
    only_beta = clusters_held_by("BETA", only=True)
    assert shown[2] == only_beta
    # What only ALPHA's October file brought is October's news.
    assert clusters_held_by("ALPHA", only=True) - shown[0] <= shown[1]
    assert october.total == len(shown[1]) > 0


def test_a_title_is_new_to_a_library_when_that_library_first_had_it(dated: World) -> None:
    beta = new_titles.new_titles(dated.library_b, NOVEMBER, page_size=None)
    assert {t.cluster_id for t in beta.titles} == clusters_held_by("BETA")
    assert new_titles.new_titles(dated.library_b, OCTOBER, page_size=None).total == 0
    assert new_titles.latest_month(dated.library_a) == OCTOBER
    assert new_titles.latest_month(dated.library_b) == NOVEMBER


def test_re_importing_keeps_the_date_a_title_first_appeared(dated: World, shared_data) -> None:
    from tests.catalog.catalogue_world import import_file

    before = new_titles.new_titles(month=SEPTEMBER, page_size=None).total
    import_file(dated.librarian_a, dated.library_a, shared_data / "marc21/zebra-sample.mrc")
    assert new_titles.new_titles(month=SEPTEMBER, page_size=None).total == before
    assert (
        new_titles.new_titles(month=timezone.localdate().replace(day=1), page_size=None).total == 0
    )


def test_the_page_filters_by_library_month_and_subject(dated: World, en_client) -> None:
    response = en_client.get("/new/", {"library": "ALPHA", "month": "2026-10"})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.total > 0 and page.library == dated.library_a
    text = response.content.decode()
    assert "new titles in October 2026" in text or "new title in October 2026" in text
    assert 'type="application/atom+xml"' in text and "/new/feed/?library=ALPHA" in text
    subject, count = page.subjects[0]
    narrowed = en_client.get("/new/", {"library": "ALPHA", "month": "2026-10", "subject": subject})
    assert narrowed.context["page"].total == count < page.total or count == page.total
    for title in narrowed.context["page"].titles:
        assert subject.casefold() in {s.casefold() for s in title.subjects}


def test_the_page_opens_on_the_latest_month_with_news(dated: World, en_client) -> None:
    # BETA brought nothing new to the network in November: October is the network's latest.
    assert en_client.get("/new/").context["month"] == OCTOBER
    assert en_client.get("/new/", {"library": "BETA"}).context["month"] == NOVEMBER


def test_an_unknown_library_is_not_found_and_a_bad_month_is_ignored(
    dated: World, en_client
) -> None:
    assert en_client.get("/new/", {"library": "NOPE"}).status_code == 404
    assert en_client.get("/new/feed/", {"library": "NOPE"}).status_code == 404
    response = en_client.get("/new/", {"month": "2026-13", "page": "x"})
    assert response.status_code == 200 and response.context["month"] == OCTOBER


def test_the_printable_list_has_the_whole_month_and_print_styles(dated: World, en_client) -> None:
    response = en_client.get("/new/print/", {"library": "ALPHA", "month": "2026-09"})
    text = response.content.decode()
    total = response.context["page"].total
    assert total > new_titles.PAGE_SIZE  # not cut into pages
    assert text.count("<tr>") == total + 1
    assert "@media print" in text and "@page" in text
    assert "September 2026" in text


def test_the_monthly_list_downloads_as_csv(dated: World, en_client) -> None:
    response = en_client.get("/new/export.csv", {"library": "ALPHA", "month": "2026-10"})
    assert response["Content-Type"].startswith("text/csv")
    assert "new-titles-alpha-2026-10.csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    expected = new_titles.new_titles(dated.library_a, OCTOBER, page_size=None)
    assert [int(r["id"]) for r in rows] == [t.cluster_id for t in expected.titles]
    assert all(r["added"] == "2026-10-20" and "ALPHA" in r["libraries"] for r in rows)
    assert any(r["call_numbers"] for r in rows) or not any(t.call_numbers for t in expected.titles)
