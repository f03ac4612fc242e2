"""Author names: degrees and honorifics go, inverted, direct and initialled forms meet."""

from __future__ import annotations

import pytest

from simpul.catalog.matching import name_similarity
from simpul.catalog.normalise import (
    clean_person_name,
    name_tokens,
    normalise_person_name,
    split_authors,
    surname_key,
)


@pytest.mark.parametrize(
    "written",
    [
        "Sutrisno, Bambang",
        "Bambang Sutrisno",
        "Prof. Dr. Ir. Bambang Sutrisno, M.Sc.",
        "Sutrisno, Bambang, S.Kom., M.T.I.",
        "Prof.Dr.Ir.Bambang Sutrisno,M.Sc,Ph.D",
        "Sutrisno, Bambang, 1965-",
        "Drs. H. Bambang Sutrisno, S.E., M.M.",
    ],
)
def test_every_form_of_a_name_gives_one_normalised_name(written: str) -> None:
    assert normalise_person_name(written) == "sutrisno bambang"
    assert surname_key(written) == "sutrisno"


def test_initials_keep_their_letter() -> None:
    assert normalise_person_name("B. Sutrisno") == "sutrisno b"
    assert name_tokens("P.A.F.Lamintang") == ("p", "a", "f", "lamintang")
    assert name_tokens("Collins, JJ.") == ("collins", "j", "j")


def test_inverted_direct_and_initialled_forms_are_the_same_person() -> None:
    direct = name_tokens("Bambang Sutrisno")
    assert name_similarity(direct, name_tokens("Sutrisno, Bambang")) == 1.0
    assert name_similarity(direct, name_tokens("B. Sutrisno")) >= 0.9
    assert name_similarity(direct, name_tokens("Prof. Dr. Bambang Sutrisno, M.T.")) == 1.0
    assert name_similarity(direct, name_tokens("Bambang Sutrisna")) >= 0.9  # one typo


def test_same_surname_other_given_name_is_another_person() -> None:
    assert name_similarity(name_tokens("Bambang Sutrisno"), name_tokens("Agus Sutrisno")) < 0.5
    assert name_similarity(name_tokens("B. Sutrisno"), name_tokens("A. Sutrisno")) < 0.5
    assert name_similarity(name_tokens("Bambang Sutrisno"), name_tokens("Widodo Budiharto")) == 0


def test_old_spelling_of_a_name_matches_the_new() -> None:
    assert name_similarity(name_tokens("Soekarno"), name_tokens("Sukarno")) == 1.0
    assert name_similarity(name_tokens("Djoko Muljono"), name_tokens("D. Muljono")) >= 0.9
    assert normalise_person_name("Tjahjono, Djoko") == "cahjono joko"


def test_academic_degrees_never_become_names() -> None:
    assert clean_person_name("Dr.Suarga,M.Sc,M.Math.,Ph.D") == ("", "Suarga")
    assert clean_person_name("Hery, S.E., M.Si") == ("", "Hery")
    assert clean_person_name("Dr.Engkoswara,.M.Ed.") == ("", "Engkoswara")
    # "S." after a name is an initial, not a degree
    assert name_tokens("Rachmad Hakim S.") == ("rachmad", "hakim", "s")


def test_a_flat_author_field_splits_into_names() -> None:
    # As the Politeknik UCM table writes them: commas separate names and degrees alike.
    assert split_authors("Prof.Dr.Ir.Sugianto,M.Sc,Ir.Hongyanto Setio,Mba") == [
        "Sugianto",
        "Hongyanto Setio",
    ]
    assert split_authors("Agus Komarudin,Reni Permata Sari,Nuari Anisa Sivi") == [
        "Agus Komarudin",
        "Reni Permata Sari",
        "Nuari Anisa Sivi",
    ]
    assert split_authors("Heru Sutojo,Dkk") == ["Heru Sutojo"]
    assert split_authors("Suhartono & Cyltamia Irawan") == ["Suhartono", "Cyltamia Irawan"]
