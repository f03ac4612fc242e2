"""Small text helpers shared by the readers: ISBD punctuation, years, languages, item status.

Kept apart from the format modules so MARC, Dublin Core, MODS and CSV reduce the
same things the same way (a year is a year whichever format it came in).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import re
import unicodedata
from typing import Any

import pycountry

from simpul.catalog.bibliographic import ItemStatus

# ISBD punctuation that ends a MARC subfield: " /", " :", " ;", " =", ",".
_TRAILING_ISBD = re.compile(r"[\s/:;,=+]+$")
_ABBREVIATIONS = frozenset(
    "jr sr etc inc ltd co corp ed eds dept st vol no ca cm pp p ill illus rev ave bros tbk".split()
)
_YEAR = re.compile(r"(?<![0-9])(1[0-9]{3}|20[0-9]{2})(?![0-9])")


def squash(text: str) -> str:
    """Whitespace runs (including newlines and NBSP) to one space, ends trimmed."""
    return " ".join(text.split())


def clean_isbd(text: str) -> str:
    """A transcribed value without the ISBD punctuation that separates it from the next one.

    "Kavalier and Clay :" -> "Kavalier and Clay"; "Chabon, Michael." -> "Chabon, Michael";
    but "Longcope, Warfield T." and "Washington, D.C." keep their full stop.
    """
    text = squash(text)
    for _ in range(3):
        before = text
        text = _TRAILING_ISBD.sub("", text)
        if text.endswith(".") and not text.endswith(".."):
            last_word = text.rsplit(" ", 1)[-1].rstrip(".")
            keeps_stop = (
                len(last_word) <= 1
                or "." in last_word
                or last_word.lower().strip("([") in _ABBREVIATIONS
            )
            if not keeps_stop:
                text = text[:-1].rstrip()
        if text == before:
            break
    return text


def strip_brackets(text: str) -> str:
    """The value without square brackets: "[Jakarta]" -> "Jakarta".

    Cataloguers bracket what they supplied from outside the item; the value is the same.
    """
    text = text.strip()
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        return text[1:-1].strip()
    if text.startswith("[") and "]" not in text:
        return text[1:].strip()
    if text.endswith("]") and "[" not in text:
        return text[:-1].strip()
    return text


def plausible_year(year: int) -> bool:
    return 1000 <= year <= dt.date.today().year + 2


def first_year(text: str) -> int | None:
    """The first plausible four-digit year in free text ("c2021", "[1959]", "2003-04-22T13:13")."""
    for match in _YEAR.finditer(text):
        year = int(match.group(1))
        if plausible_year(year):
            return year
    return None


def dedupe(values: list[str]) -> list[str]:
    """Values in order, empty ones and repeats (ignoring case) left out."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            result.append(value)
    return result


# Notes that name the original of a translation, as cataloguers write them in English
# (AACR2 "Translation of X.", RDA "Translation of: X.") and in Indonesian ("Judul asli: X",
# "Terj. dari: X"). "Translated from" and "Diterjemahkan dari" name a title only after a
# colon: without one they name a language ("Translated from the German.").
_ORIGINAL_TITLE_NOTE = re.compile(
    r"(?:^|(?<=[\n.;])|--)\s*(?:(?P<named>judul\s+asli(?:nya)?|original\s+title|"
    r"title\s+of\s+(?:the\s+)?original|translation\s+of|terjemahan\s+dari|terj\.?\s*dari)"
    r"|(?P<after_colon>translated\s+from|diterjemahkan\s+dari|alih\s+bahasa\s+dari))"
    r"\s*(?P<colon>:)?\s*(?P<title>[^\n]+)",
    re.IGNORECASE,
)
# Where the title in such a note ends: its statement of responsibility, the next note, or
# a sentence after it ("Judul asli: Sophie's world. Diterjemahkan oleh ...").
_NOTE_TITLE_END = re.compile(
    r"\s+/\s|\s*;\s|\s+--|(?<=[^\W\d_]{4})[\"\u201d\u2019\u00bb']?\.\s+(?=[A-Z])"
)
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"  # straight, curly and guillemets


def original_title_in_notes(notes: list[str]) -> str:
    """The original's title that a translation's note gives ("Judul asli: The rainbow
    troops"), or "". Indonesian catalogues rarely give a uniform title (240) but often
    name the original in a note; it links the translation to the original's editions."""
    for note in notes:
        for match in _ORIGINAL_TITLE_NOTE.finditer(note):
            title = _NOTE_TITLE_END.split(match.group("title"), maxsplit=1)[0]
            title = clean_isbd(title.strip().strip(_QUOTES).strip())
            # Without a colon, a title begins with a capital ("Translation of Der
            # Steppenwolf"); "Translation of the author's thesis" names none.
            bare = not match.group("colon")
            if bare and (match.group("after_colon") or not title[:1].isupper()):
                continue
            if title and not _names_a_language(title):
                return title
    return ""


def _names_a_language(text: str) -> bool:
    """ "the German", "bahasa Inggris", "English": what a note names instead of a title."""
    words = squash(text).lower().removeprefix("the ").removesuffix(" language")
    if words.startswith("bahasa ") or words.removesuffix(" original") in _LANGUAGE_NAMES:
        return True
    return len(words.split()) <= 2 and bool(_iso_639_names().get(_language_name_key(words)))


# ISO 639-2/T and ISO 639-3 codes whose bibliographic (639-2/B) code differs.
_TERMINOLOGIC_TO_BIBLIOGRAPHIC = {
    "sqi": "alb", "hye": "arm", "eus": "baq", "mya": "bur", "zho": "chi", "ces": "cze",
    "nld": "dut", "fra": "fre", "kat": "geo", "deu": "ger", "ell": "gre", "isl": "ice",
    "mkd": "mac", "mri": "mao", "msa": "may", "fas": "per", "ron": "rum", "slk": "slo",
    "bod": "tib", "cym": "wel", "zsm": "may", "cmn": "chi", "arb": "ara", "pes": "per",
}  # fmt: skip
# "in": Indonesian's two-letter code until 1989, still written by old Java-based systems.
# Every other two-letter code is read from the ISO 639 tables.
_WITHDRAWN_TWO_LETTER = {"in": "ind"}
_LANGUAGE_NAMES = {
    "indonesia": "ind", "indonesian": "ind", "bahasa indonesia": "ind", "bahasa": "ind",
    "inggris": "eng", "english": "eng", "bahasa inggris": "eng", "jawa": "jav",
    "javanese": "jav", "bahasa jawa": "jav", "sunda": "sun", "sundanese": "sun",
    "bahasa sunda": "sun", "melayu": "may", "malay": "may", "arab": "ara", "arabic": "ara",
    "bahasa arab": "ara", "belanda": "dut", "dutch": "dut", "mandarin": "chi", "cina": "chi",
    "chinese": "chi", "jepang": "jpn", "japanese": "jpn", "korea": "kor", "korean": "kor",
    "perancis": "fre", "prancis": "fre", "french": "fre", "jerman": "ger", "german": "ger",
    "spanyol": "spa", "spanish": "spa", "russian": "rus", "rusia": "rus", "latin": "lat",
    "minangkabau": "min", "bali": "ban", "balinese": "ban", "madura": "mad", "madurese": "mad",
    "bugis": "bug", "batak": "btk", "aceh": "ace", "acehnese": "ace", "thai": "tha",
    "vietnamese": "vie", "portuguese": "por", "italian": "ita", "greek": "gre", "hebrew": "heb",
    "thailand": "tha", "tionghoa": "chi", "sansekerta": "san", "jawa kuno": "kaw",
    "old javanese": "kaw", "kawi": "kaw",
}  # fmt: skip
_NOT_A_LANGUAGE = frozenset({"", "und", "zxx", "mul", "|||", "###", "xxx", "n/a", "   "})
# What a spreadsheet writes when it names no one language: not worth a warning.
_NO_LANGUAGE_WORDS = frozenset(
    {"unknown", "tidak diketahui", "lain-lain", "lainnya", "other", "others", "multiple",
     "campuran", "beragam", "multilingual", "none", "tidak ada"}
)  # fmt: skip
_CYRILLIC_LANGUAGES = frozenset(
    {"rus", "ukr", "bel", "bul", "srp", "mac", "kaz", "kir", "tat", "bak", "mon", "tgk", "chv"}
)


def normalise_language(value: str) -> str:
    """An ISO 639-2/B code for a code or name in any of the usual forms; "" when unknown.

    "ind", "id", "in", "id-ID", "Indonesia", "Bahasa Indonesia" -> "ind"; "fra" -> "fre";
    "Persia", "Persian" -> "per".
    """
    text = squash(value).lower().rstrip(".")
    if text in _NOT_A_LANGUAGE:
        return ""
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    code = re.split(r"[-_]", text)[0]
    if len(code) == 2 and code.isascii() and code.isalpha():
        return _WITHDRAWN_TWO_LETTER.get(code) or _two_letter_codes().get(code, "")
    if len(code) == 3 and code.isalpha() and code.isascii():
        return _TERMINOLOGIC_TO_BIBLIOGRAPHIC.get(code, code) if code not in _NOT_A_LANGUAGE else ""
    return _iso_639_names().get(_language_name_key(text), "")


def names_no_language(value: str) -> bool:
    """Whether a language cell is a placeholder ("-", "und", "lainnya") rather than a name
    Simpul could not read, which deserves a word to the librarian."""
    text = squash(value).lower().rstrip(".")
    return (
        text in _NOT_A_LANGUAGE or text in _NO_LANGUAGE_WORDS or not any(c.isalpha() for c in text)
    )


def _language_name_key(name: str) -> str:
    """A language name as looked up: lower case, no accents, no "bahasa", no "(macrolanguage)"."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = re.sub(r"\s*\([^)]*\)$", "", plain).strip()
    return plain.removeprefix("bahasa ").strip()


def _marc_code(language: Any) -> str:
    return getattr(language, "bibliographic", None) or str(language.alpha_3)


@functools.cache
def _two_letter_codes() -> dict[str, str]:
    """ISO 639-1 codes ("id", "fa") to MARC codes ("ind", "per")."""
    return {
        lang.alpha_2: _marc_code(lang) for lang in pycountry.languages if hasattr(lang, "alpha_2")
    }


@functools.cache
def _iso_639_names() -> dict[str, str]:
    """Every language of the ISO 639 tables by its English and Indonesian name, to its MARC
    code: small libraries' spreadsheets name the language ("Persia", "Finlandia",
    "Tagalog") and our own list names only the common ones. Built on the first name
    outside that list (about 0.2 s).

    The major languages (those with a two-letter code) win a name shared with a minor one.
    """
    indonesian = gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=["id"], fallback=True
    )
    found: dict[str, str] = {}
    languages = sorted(pycountry.languages, key=lambda lang: not hasattr(lang, "alpha_2"))
    for language in languages:
        if language.scope == "S":  # "Multiple languages", "Undetermined": no language at all
            continue
        code = _marc_code(language)
        for name in (language.name, indonesian.gettext(language.name)):
            found.setdefault(_language_name_key(name), code)
    return found


def is_cyrillic_language(code: str) -> bool:
    return code in _CYRILLIC_LANGUAGES


# Words (lower-case, accents removed) that say what state a copy is in, in English and
# Indonesian as SLiMS, INLISLite, Koha and home-made spreadsheets write them. Order
# matters: "tidak dipinjamkan" (not for loan) must win over "dipinjam" (on loan).
_STATUS_WORDS: list[tuple[ItemStatus, tuple[str, ...]]] = [
    (ItemStatus.LOST, ("hilang", "lost", "missing", "withdrawn", "dihapus", "weeded", "ditarik")),
    (
        ItemStatus.REFERENCE,
        (
            "referensi",
            "reference",
            "rujukan",
            "tandon",
            "baca di tempat",
            "tidak dipinjamkan",
            "tidak untuk dipinjam",
            "no loan",
            "not for loan",
            "notforloan",
            "library use only",
            "in library use",
            "noncirc",
            "non-circ",
            "restricted",
            "koleksi khusus",
        ),
    ),
    (
        ItemStatus.ON_LOAN,
        (
            "dipinjam",
            "sedang dipinjam",
            "on loan",
            "onloan",
            "checked out",
            "checkedout",
            "loaned",
            "charged",
            "borrowed",
            "due ",
        ),
    ),
    (
        ItemStatus.AVAILABLE,
        (
            "tersedia",
            "available",
            "ada",
            "on shelf",
            "on-shelf",
            "in",
            "ok",
            "normal",
            "baik",
            "bisa dipinjam",
            "dapat dipinjam",
            "sirkulasi",
            "circulation",
            "0",
            "-",
        ),
    ),
]


def status_from_text(value: str) -> ItemStatus:
    """The ItemStatus a free-text status names; UNKNOWN when it names none (e.g. "Repair")."""
    text = unicodedata.normalize("NFKD", squash(value).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text:
        return ItemStatus.UNKNOWN
    for status, words in _STATUS_WORDS:
        for word in words:
            if text == word.strip() or (len(word) > 3 and word in text):
                return status
    return ItemStatus.UNKNOWN
