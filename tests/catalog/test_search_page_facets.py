"""A patron searches the union catalogue and narrows the results by facets; the counts add up,
HTMX gets only the results fragment, and the address stays shareable."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from simpul.catalog.models import Cluster

pytestmark = pytest.mark.django_db


def facet_counts(html: str, facet: str) -> dict[str, int]:
    found = re.findall(
        rf'data-facet="{facet}"><span class="facet-label">([^<]*)</span> '
        r'<span class="facet-count">([\d.,]+)</span>',
        html,
    )
    return {label: int(re.sub(r"\D", "", count)) for label, count in found}


def total_of(html: str) -> int:
    match = re.search(r'data-testid="result-count"[^>]*>([\d.,]+)', html)
    assert match, "the page says how many titles were found"
    return int(re.sub(r"\D", "", match.group(1)))


def test_the_catalogue_lists_every_title_with_facets(catalogue, en_client):
    response = en_client.get("/catalogue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert total_of(html) == Cluster.objects.count()
    libraries = facet_counts(html, "library")
    # Library names, not codes.
    assert libraries["Alpha University Library"] == Cluster.objects.count()
    assert libraries["Beta School of Economics Library"] < libraries["Alpha University Library"]
    assert "How to search" in html and "year:2010-2020" in html


def test_choosing_a_facet_narrows_to_its_count(catalogue, en_client):
    html = en_client.get("/catalogue/").content.decode()
    beta = facet_counts(html, "library")["Beta School of Economics Library"]
    narrowed = en_client.get("/catalogue/", {"library": "BETA"}).content.decode()
    assert total_of(narrowed) == beta
    assert 'aria-current="true" data-facet="library"' in narrowed
    assert "Clear all filters" in narrowed
    year_counts = facet_counts(narrowed, "year")
    label, count = next(iter(year_counts.items()))
    key = label.replace("\u2013", "-")
    if "later" in label:
        key = label.split()[0] + "-"
    both = en_client.get("/catalogue/", {"library": "BETA", "year": key}).content.decode()
    assert total_of(both) == count


@pytest.mark.parametrize(
    ("typed", "english", "indonesian"),
    [
        ("2020-2010", "2010\u20132020", "2010\u20132020"),
        ("2015", "2015", "2015"),
        (">=2015", "2015 and later", "2015 dan sesudahnya"),
        ("..1999", "up to 1999", "sampai 1999"),
    ],
)
def test_a_chosen_year_range_reads_as_the_search_understood_it(
    catalogue, en_client, typed, english, indonesian
):
    """Typed the wrong way round or with operators, the range is shown as it was applied."""
    html = en_client.get("/catalogue/", {"year": typed}).content.decode()
    chip = re.search(r'data-testid="chosen-filter">(.*?)</a>', html, re.S)
    assert chip and f"Year: {english} ✕" in chip.group(1)
    if typed == "2020-2010":
        assert total_of(html) == total_of(en_client.get("/catalogue/", {"year": "2010-2020"}).text)
    en_client.cookies["simpul_language"] = "id"
    html = en_client.get("/catalogue/", {"year": typed}).content.decode()
    chip = re.search(r'data-testid="chosen-filter">(.*?)</a>', html, re.S)
    assert chip and f"Tahun: {indonesian} ✕" in chip.group(1)


@pytest.mark.parametrize("language", ["en", "id"])
def test_each_year_facet_reads_as_its_chip_once_chosen(catalogue, client, language):
    """An open range was "before 1980" in the list and "up to 1979" once chosen."""
    client.cookies["simpul_language"] = language
    html = client.get("/catalogue/").content.decode()
    links = re.findall(
        r'<a href="([^"]*)"[^>]*data-facet="year"><span class="facet-label">([^<]*)</span>', html
    )
    assert len(links) >= 3
    word = {"en": "Year", "id": "Tahun"}[language]
    for url, label in links:
        chosen = client.get(url.replace("&amp;", "&")).content.decode()
        chip = re.search(r'data-testid="chosen-filter">(.*?)</a>', chosen, re.S)
        assert chip and f"{word}: {label} ✕" in chip.group(1)
    assert any(("later" if language == "en" else "sesudahnya") in label for _url, label in links)


def test_format_and_language_facets_narrow(catalogue, en_client):
    html = en_client.get("/catalogue/").content.decode()
    formats = facet_counts(html, "format")
    assert formats["Book"] > 0
    assert total_of(en_client.get("/catalogue/?format=serial").content.decode()) == formats.get(
        "Journal or serial", 0
    )
    languages = facet_counts(html, "language")
    assert (
        total_of(en_client.get("/catalogue/?language=eng").content.decode()) == languages["English"]
    )


def test_a_facet_link_keeps_the_query_and_resets_the_page(catalogue, en_client):
    html = en_client.get(
        "/catalogue/", {"q": "the", "page": "2", "page_size": "5"}
    ).content.decode()
    links = re.findall(r'href="(/catalogue/\?[^"]*library=ALPHA[^"]*)"', html)
    assert links, "a facet value links to the narrowed search"
    assert "q=the" in links[0] and "page=2" not in links[0]


def test_an_htmx_request_gets_only_the_results(catalogue, en_client):
    response = en_client.get(
        "/catalogue/", {"q": "the", "library": "ALPHA"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'data-testid="result-count"' in html
    assert 'data-testid="facets"' in html
    assert "HX-Request" in response["Vary"]
    # The chosen filter travels with the search box on the next search.
    assert 'form="catalogue-search" name="library" value="ALPHA"' in html


def test_a_history_restore_gets_the_whole_page(catalogue, en_client):
    response = en_client.get(
        "/catalogue/", {"q": "the"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_the_search_page_works_without_javascript(catalogue, en_client):
    html = en_client.get("/catalogue/").content.decode()
    assert 'method="get" action="/catalogue/"' in html
    assert 'hx-push-url="true"' in html  # with JavaScript, the address follows the facets


def test_sort_by_year_and_title(catalogue, en_client):
    html = en_client.get("/catalogue/", {"sort": "year_desc", "page_size": "100"}).content.decode()
    assert 'aria-current="true">Newest first' in html
    newest = Cluster.objects.exclude(year=None).order_by("-year").first()
    assert newest is not None
    assert (
        html.index(f"/catalogue/{newest.pk}/") < html.index('class="pagination"')
        if ('class="pagination"' in html)
        else f"/catalogue/{newest.pk}/" in html
    )


def test_pages_follow_on(catalogue, en_client):
    first = en_client.get("/catalogue/", {"page_size": "10"}).content.decode()
    assert "Page 1 of" in first and 'rel="next"' in first
    second = en_client.get("/catalogue/", {"page_size": "10", "page": "2"}).content.decode()
    assert "Page 2 of" in second and 'rel="prev"' in second
    ids_first = set(re.findall(r'<h3><a href="/catalogue/(\d+)/"', first))
    ids_second = set(re.findall(r'<h3><a href="/catalogue/(\d+)/"', second))
    assert len(ids_first) == 10 and not ids_first & ids_second


def test_the_nav_and_home_page_lead_to_the_catalogue(catalogue, en_client):
    home = en_client.get("/").content.decode()
    assert 'href="/catalogue/"' in home
    assert 'action="/catalogue/"' in home


def test_a_page_of_titles_costs_the_same_queries_however_many_it_shows(catalogue, en_client):
    """Each title's record is read with its list fields in one query: authors, publisher
    and edition on the page never cost a query per title."""

    def shown(page_size: int) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = en_client.get(
                "/catalogue/", {"q": "the", "page_size": page_size}, HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        return len(captured), response.content.decode()

    few, _ = shown(2)
    many, html = shown(12)
    assert len(re.findall(r'<h3><a href="/catalogue/\d+/"', html)) == 12
    assert many == few
    best = Cluster.objects.filter(pk=_first_hit_id(html)).select_related("best_record").get()
    assert escape(best.best_record.authors[0]) in html


def _first_hit_id(html: str) -> int:
    return int(re.search(r'<h3><a href="/catalogue/(\d+)/"', html).group(1))
