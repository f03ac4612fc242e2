"""The demo network has cards, visit rules and visits to show."""

from __future__ import annotations

import pytest

from simpul.accounts.models import User
from simpul.cards.models import CardStatus, MemberCard, Visit, VisitRules
from simpul.core.demo import load_demo_network
from tests.fixtures_accounts import english_client


@pytest.mark.django_db
def test_the_demo_seeds_cards_rules_and_visits(english: None) -> None:
    load_demo_network()
    assert MemberCard.objects.filter(status=CardStatus.ACTIVE).count() == 2
    assert MemberCard.objects.filter(status=CardStatus.APPLIED).count() == 1
    assert VisitRules.objects.count() == 4 and Visit.objects.count() == 6
    student = User.objects.get(username="mahasiswa.uniba")
    assert "<svg" in english_client(student).get("/card/").text
    librarian = User.objects.get(username="pustakawan.stiep")
    assert "Untuk penelitian" not in english_client(librarian).get("/cards/").text
    stats = english_client(User.objects.get(username="koordinator")).get("/visitors/statistics/")
    assert "STIEP" in stats.text
