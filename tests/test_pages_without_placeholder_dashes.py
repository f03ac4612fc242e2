"""No page a person reaches offers Django's bare "---------" as a choice.

An empty choice says what it means ("Choose a library", "None: an outside partner"):
dashes tell a librarian nothing, in either language. Each role of the demo network
follows the site's own links from the home page, as a person clicking through would.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.test import Client

from simpul.accounts.models import User
from simpul.core.demo import load_demo_network

pytestmark = pytest.mark.django_db

# Not pages of forms: files, feeds, protocol answers, the search and title pages (many, and
# formless), Django's own admin (its look is Django's), and paging of the same lists.
NOT_FOLLOWED = re.compile(
    r"sign-out|\.pdf|\.csv|\.xml|export|^/api/|^/oai|^/sru|feed|download|^/static/|^/media/"
    r"|page=|q=|^/catalogue/|^/new/|^/serials/\?|month=|subject=|library=|^/admin/"
)
PAGES_PER_PERSON = 200


def _pages_with_dashes(client: Client) -> tuple[int, list[str]]:
    seen: set[str] = set()
    waiting = deque(["/"])
    found = []
    while waiting and len(seen) < PAGES_PER_PERSON:
        path = waiting.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        if "---------" in page:
            found.append(path)
        for link in re.findall(r'href="(/[^"#]*)"', page):
            link = link.replace("&amp;", "&")
            if link not in seen and not NOT_FOLLOWED.search(link):
                waiting.append(link)
    return len(seen), found


@pytest.mark.parametrize(
    "username", ["koordinator", "admin.uniba", "pustakawan.uniba", "mahasiswa.uniba"]
)
def test_no_choice_is_offered_as_bare_dashes(username: str) -> None:
    load_demo_network()
    client = Client()
    client.force_login(User.objects.get(username=username))
    visited, found = _pages_with_dashes(client)
    assert visited > 10, "the person reached the site's pages"
    assert not found, f"{username} is offered '---------' on {found}"
