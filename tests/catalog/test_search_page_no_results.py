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
