"""The public directory of member libraries: search, filters and member pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_directory_lists_active_members_and_filters_by_type(client, world):
    world.library_b.is_active = False
    world.library_b.save()
    response = client.get("/libraries/")
    assert response.status_code == 200
    assert "Perpustakaan Universitas Alpha" in response.text
    assert "STIE Beta" not in response.text


def test_directory_search_matches_city_and_type_filter(client, world):
    response = client.get("/libraries/", {"q": "semarang"})
    assert "STIE Beta" in response.text
    assert "Universitas Alpha" not in response.text
    response = client.get("/libraries/", {"type": "university"})
    assert "Universitas Alpha" in response.text
    assert "STIE Beta" not in response.text


def test_member_page_shows_public_details_but_not_internal_notes(client, world):
    response = client.get("/libraries/alpha/")
    assert response.status_code == 200
    assert "Perpustakaan Universitas Alpha" in response.text
    assert "Rahasia Alpha" not in response.text


def test_unknown_member_code_gives_a_helpful_404(client, world):
    response = client.get("/libraries/NOPE/")
    assert response.status_code == 404
    assert "NOPE" in response.text
