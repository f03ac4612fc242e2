"""Titles as catalogues write them compare equal when they are the same words."""

from __future__ import annotations

import pytest

from simpul.catalog.normalise import (
    fold_diacritics,
    has_old_spelling,
    indonesian_old_spelling,
    normalise_title,
    title_parts,
    title_tokens,
)


def test_case_punctuation_and_isbd_marks_do_not_matter() -> None:
    assert normalise_title("PENGANTAR AKUNTANSI :") == normalise_title("Pengantar akuntansi.")
    assert normalise_title("Rich dad, poor dad") == normalise_title("RICH DAD,POOR DAD")


def test_diacritics_are_folded() -> None:
    assert (
        fold_diacritics("Électre, Königin, Ḥarb, Sŏmundang") == "Electre, Konigin, Harb, Somundang"
    )
    assert normalise_title("Électre") == normalise_title("ELECTRE")


@pytest.mark.parametrize("variant", ["Hukum & etika", "Hukum dan etika", "Hukum and etika"])
def test_ampersand_dan_and_are_one_word(variant: str) -> None:
    assert normalise_title(variant) == "hukum dan etika"


def test_common_abbreviations_are_written_out() -> None:
    assert normalise_title("Jl. Sudirman") == normalise_title("Jalan Sudirman")
    assert normalise_title("Sejarah Univ. Gadjah Mada") == normalise_title(
        "Sejarah Universitas Gadjah Mada"
    )
    assert normalise_title("UU R.I. No. 51") == normalise_title(
        "Undang-undang Republik Indonesia Nomor 51"
    )
    assert normalise_title("Panduan utk pemula yg sibuk") == normalise_title(
        "Panduan untuk pemula yang sibuk"
    )


def test_reduplication_in_any_spelling_is_the_same() -> None:
    assert (
        normalise_title("Kasus-kasus hukum")
        == normalise_title("Kasus kasus hukum")
        == normalise_title("Kasus2 hukum")
    )


def test_leading_article_is_ignored_for_comparing_and_sorting() -> None:
    assert normalise_title("The pragmatic programmer") == "pragmatic programmer"
    assert normalise_title("A") == "a"  # a title that is only an article keeps it


def test_significant_tokens_leave_out_function_words() -> None:
    assert title_tokens("Algoritma dan Pemrograman untuk Pemula", significant=True) == [
        "algoritma",
        "pemrograman",
        "pemula",
    ]


def test_old_spelling_is_read_in_todays_spelling() -> None:
    assert indonesian_old_spelling("Kamoes Oemoem") == "kamus umum"
    assert indonesian_old_spelling("djalan jang tjinta njanji sjair achir") == (
        "jalan yang cinta nyanyi syair akhir"
    )
    assert has_old_spelling("ilmoe pemerintahan")
    assert not has_old_spelling("ilmu pemerintahan")


def test_subtitle_still_in_the_title_is_split_off() -> None:
    parts = title_parts("ARSITEKTUR : BENTUK, RUANG, DAN TATANAN")
    assert parts.main == "arsitektur"
    assert parts.subtitle == "bentuk ruang dan tatanan"
    assert title_parts("HUMMINGBIRD | DILEMA CINTA").subtitle == "dilema cinta"


def test_edition_and_volume_written_into_the_title_are_lifted_out() -> None:
    parts = title_parts("JASA AUDIT DAN ASSURANCE PENDEKATAN SISTEMATIS EDISI 8 | BUKU 1")
    assert parts.main == "jasa audit dan assurance pendekatan sistematis"
    assert parts.edition.number == 8
    assert parts.volumes == {"1"}
    assert title_parts("MAKROEKONOMI EDISI KEEMPAT").edition.number == 4
    assert title_parts("Leadership in organizations 3e").edition.number == 3


@pytest.mark.parametrize(
    "title",
    ["Batas air. Jilid 2", "BATAS AIR | BUKU II", "Batas air, vol. 2", "Batas air bagian 2"],
)
def test_volume_designations_in_any_form(title: str) -> None:
    parts = title_parts(title)
    assert parts.main == "batas air"
    assert parts.volumes == {"2"}


def test_numbers_that_belong_to_the_title_stay_in_it() -> None:
    parts = title_parts("Manajemen risiko 2")
    assert parts.main == "manajemen risiko 2"
    assert parts.numbers == {"2"}
    assert title_parts("Kalkulus II").numbers == {"2"}
    assert title_parts("Kumpulan peraturan Jamsostek edisi Mei 2013").edition.number is None
