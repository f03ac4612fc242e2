"""The Atom feeds of new titles, read by a real feed parser (feedparser) and checked as Atom 1.0."""

from __future__ import annotations

import feedparser
import pytest
from lxml import etree

from simpul.lists import new_titles
from tests.conftest import World

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, **params: str) -> tuple[bytes, feedparser.FeedParserDict]:
    response = client.get("/new/feed/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return response.content, feedparser.parse(response.content)


def assert_well_formed_atom(body: bytes) -> etree._Element:
    """Atom 1.0 (RFC 4287) requirements a feed reader relies on, checked on the XML itself."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    return root


def test_the_network_feed_is_valid_atom_with_the_latest_titles(dated: World, en_client) -> None:
    body, feed = fetch(en_client)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert_well_formed_atom(body)
    expected = new_titles.latest()
    assert len(feed.entries) == len(expected) == new_titles.FEED_ENTRIES
    first = feed.entries[0]
    assert first.link.endswith(f"/catalogue/{expected[0].cluster_id}/")
    assert first.title == expected[0].hit.cluster.title
    assert feed.feed.title.startswith("New titles: ")
    # Newest first.
    stamps = [entry.updated_parsed for entry in feed.entries]
    assert stamps == sorted(stamps, reverse=True)


def test_the_feed_of_one_library_and_subject_holds_only_those(dated: World, en_client) -> None:
    body, feed = fetch(en_client, library="BETA")
    assert not feed.bozo
    beta = {
        t.cluster_id
        for t in new_titles.new_titles(
            dated.library_b, new_titles.latest_month(dated.library_b), page_size=None
        ).titles
    }
    assert (
        feed.entries and {int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries} <= beta
    )
    assert "Beta School of Economics Library" in feed.feed.title
    subject, _count = new_titles.new_titles(
        dated.library_a, new_titles.latest_month(dated.library_a)
    ).subjects[0]
    body, feed = fetch(en_client, library="ALPHA", subject=subject)
    assert not feed.bozo and feed.entries
    assert_well_formed_atom(body)
    for entry in feed.entries:
        assert subject.casefold() in {tag.term.casefold() for tag in entry.tags}
    assert feed.feed.links[0].href.startswith("http")


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_feed_speaks_the_reader_s_language(dated: World, client, language: str) -> None:
    client.cookies["simpul_language"] = language
    _body, feed = fetch(client)
    assert feed.feed.title.startswith("New titles" if language == "en" else "Judul baru")
    assert feed.feed.language == language


def test_an_empty_catalogue_gives_a_valid_empty_feed(world: World, en_client) -> None:
    body, feed = fetch(en_client)
    assert not feed.bozo and feed.entries == []
    assert_well_formed_atom(body)
