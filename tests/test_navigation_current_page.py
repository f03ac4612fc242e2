"""The menu marks the part of the site a person is in (aria-current), and only that one:
screen readers announce it and the page shows it underlined."""

from __future__ import annotations

import re

import pytest

from tests.fixtures_accounts import english_client

pytestmark = pytest.mark.django_db


def current_menu_items(page: str) -> list[str]:
    menu = page[page.index('class="main-nav"') :]
    menu = menu[: menu.index("</nav>")]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', menu)


@pytest.mark.parametrize(
    ("address", "item"),
    [
        ("/catalogue/", "Catalogue"),
        ("/catalogue/imports/", "Import records"),
        ("/harvesting/", "Harvesting"),
        ("/agreements/", "Agreements"),
        ("/visitors/", "Visitors"),
        ("/ill/", "Interlibrary loan"),
    ],
)
def test_the_menu_marks_where_a_librarian_is(world, address: str, item: str) -> None:
    response = english_client(world.librarian_a).get(address)
    assert response.status_code == 200
    assert current_menu_items(response.content.decode()) == [item]
