"""The CQL parser reads the grammar of SRU 1.2/2.0 and refuses what is not CQL, with diagnostics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simpul.protocols import cql
from simpul.protocols.cql import BooleanNode, CQLError, Modifier, SearchClause


def test_a_bare_term_searches_server_choice():
    assert cql.parse("hukum").root == SearchClause("cql.serverchoice", "=", "hukum")
    assert cql.parse('"sejarah pendidikan"').root == SearchClause(
        "cql.serverchoice", "=", "sejarah pendidikan"
    )


def test_index_relation_and_modifiers():
    root = cql.parse('dc.title any/relevant/cql.stem "hukum pajak"').root
    assert root == SearchClause(
        "dc.title",
        "any",
        "hukum pajak",
        (Modifier("relevant"), Modifier("cql.stem")),
    )
    assert cql.parse("dc.date>=2000").root == SearchClause("dc.date", ">=", "2000")
    assert cql.parse("dc.date <> 2000").root.relation == "<>"
    assert cql.parse("dc.title == x").root.relation == "=="


def test_booleans_are_left_associative_and_case_insensitive():
    root = cql.parse("a AND b or c NOT d").root
    assert isinstance(root, BooleanNode) and root.operator == "not"
    assert root.left.operator == "or" and root.left.left.operator == "and"
    grouped = cql.parse("a and (b or c)").root
    assert grouped.operator == "and" and grouped.right.operator == "or"


def test_proximity_modifiers_and_sortby_and_prefixes():
    query = cql.parse(
        '>dc="info:srw/cql-context-set/1/dc-v1.1" '
        "dc.title=a prox/unit=word/distance<=3 dc.title=b sortby dc.date/sort.descending"
    )
    assert query.prefixes == {"dc": "info:srw/cql-context-set/1/dc-v1.1"}
    assert query.root.operator == "prox"
    assert query.root.modifiers == (Modifier("unit", "=", "word"), Modifier("distance", "<=", "3"))
    assert query.sort_keys == [cql.SortKey("dc.date", (Modifier("sort.descending"),))]


def test_keywords_can_be_quoted_terms():
    assert cql.parse('"and"').root.term == "and"
    assert cql.parse('dc.title="or"').root.term == "or"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("", 27),
        ("   ", 27),
        ("(a", 10),
        ("a)", 10),
        ("a and", 10),
        ("dc.title=", 10),
        ('dc.title="unclosed', 14),
        ("a sortby", 10),
        ("a" * 3000, 12),
        ("(" * 40 + "a" + ")" * 40, 10),
        (" or ".join(["x"] * 70), 10),
    ],
)
def test_what_is_not_cql_gets_a_diagnostic(text, number):
    with pytest.raises(CQLError) as raised:
        cql.parse(text)
    assert raised.value.number == number


def test_masking():
    assert cql.masked("pustak*") == cql.Masked("pustak", True)
    assert cql.masked(r"a\*b") == cql.Masked("a*b")
    with pytest.raises(CQLError) as raised:
        cql.masked("pu*tak")
    assert raised.value.number == 28
    with pytest.raises(CQLError):
        cql.masked("p?")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_gets_a_diagnostic(text):
    try:
        cql.parse(text)
    except CQLError as error:
        assert 1 <= error.number <= 100
