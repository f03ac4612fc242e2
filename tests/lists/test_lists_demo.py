"""The demo's serials lists are valid lists of real journals, and its new titles span months."""

from __future__ import annotations

import pytest

from simpul.lists import demo, issn, new_titles, serials
from simpul.lists.models import Subscription
from simpul.network.models import Library
from tests.conftest import World


@pytest.mark.parametrize("code", sorted(demo.SERIALS))
def test_every_demo_list_is_a_valid_upload(code: str) -> None:
    parsed = serials.parse(demo.SERIALS[code].encode())
    assert parsed.errors == [] and parsed.rows
    assert all(issn.is_valid(row.issn) for row in parsed.rows if row.issn)


def test_the_demo_fills_serials_lists_and_spreads_new_titles(catalogue: World) -> None:
    for code in demo.SERIALS:
        Library.objects.create(code=code, name=f"Perpustakaan {code}")
    demo.load_demo(catalogue.network)
    assert Subscription.objects.filter(library__code="UNIBA").count() == 5
    assert Subscription.objects.filter(issn="0028-0836").count() == 2
    latest = new_titles.latest_month()
    assert latest is not None
    months = [m for m in new_titles.recent_months(latest) if new_titles.new_titles(month=m).total]
    assert len(months) == demo.MONTHS_SPREAD
    demo.load_demo(catalogue.network)  # again: the lists are replaced, not doubled
    assert Subscription.objects.filter(library__code="UNIBA").count() == 5
