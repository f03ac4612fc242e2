"""When nothing matches the page helps (spelling suggestions, advice); bad input never breaks it."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_a_misspelt_word_gets_a_did_you_mean_link(catalogue, en_client):
    html = en_client.get("/catalogue/", {"q": "informatka"}).content.decode()
    assert 'data-testid="no-results"' in html
    assert "Nothing in the catalogue matches" in html
    spelling = re.search(r'data-testid="spelling">(.*?)</p>', html, re.S)
    assert spelling, "a spelling suggestion is offered"
    assert "informatika" in spelling.group(1).lower()
    assert "q=informatika" in spelling.group(1).lower()
    assert "fewer words" in html


def test_nothing_with_filters_offers_to_clear_them(catalogue, en_client):
    html = en_client.get("/catalogue/", {"q": "informatika", "library": "NOSUCH"}).content.decode()
    assert 'data-testid="no-results"' in html
    assert "clear all filters" in html
    assert 'data-testid="chosen-filter"' in html  # the unknown value can be removed


def test_an_unparsable_query_is_searched_as_words_with_a_warning(catalogue, en_client):
    response = en_client.get("/catalogue/", {"q": '"teknik informatika'})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="search-warnings"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"page_size": "1000000"},
        {"page_size": "0"},
        {"sort": "sideways"},
        {"year": "last year"},
        {"year": "9999-"},
        {"format": "spaceship"},
        {"language": "xx\x00x"},
        {"q": "buku\x00teknik"},
        {"q": "x" * 5000},
        {"q": "(((((((((((((((((((((a"},
        {"q": "title: AND OR NOT"},
        {"q": "*"},
        {"library": ["A"] * 100},
        {"available": "maybe"},
    ],
)
def test_bad_parameters_never_break_the_page(catalogue, en_client, params):
    response = en_client.get("/catalogue/", params)
    assert response.status_code == 200
    assert 'data-testid="result-count"' in response.content.decode()


def test_suggestions_complete_the_last_word(catalogue, en_client):
    response = en_client.get("/catalogue/suggest/", {"q": "teknik inform"})
    assert response.status_code == 200
    assert any("informatika" in s for s in response.json()["suggestions"])
    fragment = en_client.get(
        "/catalogue/suggest/", {"q": "teknik inform"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<option value="teknik informatika">' in fragment
    assert en_client.get("/catalogue/suggest/", {"q": "\x00"}).json() == {"suggestions": []}


API = "/api/v1/catalogue/search"


def _total(client, **params) -> int:
    return int(client.get(API, params).json()["total"])


def test_a_word_no_title_contains_is_left_out_of_a_wider_search(catalogue, en_client):
    """A patron's stray word (and a typo beside it) leaves the search empty: the page offers
    the search without it, spelled right, and says how many titles that finds."""
    body = en_client.get(API, {"q": "teknik informatka zzqxj"}).json()
    assert body["total"] == 0
    expected = _total(en_client, q="teknik informatika")
    assert expected > 0
    assert {"q": "teknik informatika", "total": expected, "dropped": ["zzqxj"]} in body["broader"]

    html = en_client.get("/catalogue/", {"q": "teknik informatka zzqxj"}).content.decode()
    wider = re.search(r'data-testid="broader">(.*?)</ul>', html, re.S)
    assert wider, "a wider search is offered"
    assert "q=teknik+informatika" in wider.group(1)
    assert f"{expected} title" in wider.group(1)
    assert "without “zzqxj”, which no title contains" in wider.group(1)
    en_client.cookies["simpul_language"] = "id"  # the same patron, reading in Indonesian
    html = en_client.get("/catalogue/", {"q": "teknik informatka zzqxj"}).content.decode()
    assert "Pencarian yang lebih luas menemukan judul" in html
    assert "tanpa “zzqxj”, yang tidak ada dalam judul mana pun" in html


def test_words_never_found_together_are_offered_as_any_of_them(catalogue, en_client):
    assert _total(en_client, q="informatika") > 0 and _total(en_client, q="pirates") > 0
    body = en_client.get(API, {"q": "informatika pirates"}).json()
    assert body["total"] == 0
    either = _total(en_client, q="informatika OR pirates")
    assert {"q": "informatika OR pirates", "total": either, "dropped": []} in body["broader"]


def test_a_wider_search_keeps_the_chosen_filters(catalogue, en_client):
    """ALPHA alone holds the Zebra sample; with BETA chosen, the count is BETA's."""
    beta = _total(en_client, q="informatika", library="BETA")
    body = en_client.get(API, {"q": "informatika zzqxj", "library": "BETA"}).json()
    assert [(b["q"], b["total"]) for b in body["broader"]] == [("informatika", beta)]
    html = en_client.get(
        "/catalogue/", {"q": "informatika zzqxj", "library": "BETA"}
    ).content.decode()
    assert "library=BETA" in re.search(r'data-testid="broader">(.*?)</ul>', html, re.S).group(1)


def test_a_misspelt_fielded_phrase_gets_a_did_you_mean(catalogue, en_client):
    body = en_client.get(API, {"q": 'title:"teknik informatka"'}).json()
    assert body["total"] == 0
    assert 'title:"teknik informatika"' in body["spelling"]
    assert _total(en_client, q='title:"teknik informatika"') > 0


def test_nothing_wider_is_offered_when_no_word_is_known(catalogue, en_client):
    body = en_client.get(API, {"q": "zzqxj qqxzv"}).json()
    assert (body["total"], body["spelling"], body["broader"]) == (0, [], [])
    html = en_client.get("/catalogue/", {"q": "zzqxj qqxzv"}).content.decode()
    assert 'data-testid="broader"' not in html and "fewer words" in html


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ('"teknik zzqxj"', '"teknik"'),
        ("teknik AND zzqxj", "teknik"),
        ("title:(teknik zzqxj)", "title:(teknik)"),
        ("title:zzqxj teknik", "teknik"),
        ('judul:"zzqxj" teknik', "teknik"),
        ("zzqxj-teknik", "teknik"),
    ],
)
def test_a_wider_search_is_written_as_a_person_would_type_it(catalogue, en_client, typed, offered):
    """Taking the unknown word out leaves no empty quotes or parentheses, no dangling AND and
    no field that would silently move onto the next word."""
    body = en_client.get(API, {"q": typed}).json()
    assert body["total"] == 0
    assert [b["q"] for b in body["broader"] if b["dropped"]] == [offered]
    assert body["broader"][0]["total"] == _total(en_client, q=offered) > 0
