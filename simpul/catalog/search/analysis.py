"""Text analysis for the union catalogue's search index, done in Python before Tantivy sees it.

Every text is lower-cased, diacritics are folded (``é`` → ``e``, ``ß`` → ``ss``),
apostrophes inside words are dropped (``Qur'an`` → ``quran``, ``Jum'at`` → ``jumat``)
and the rest is split on anything that is not a letter or a digit. That gives the
*exact* tokens, indexed with positions for phrases and for boosting exact matches.

The *stemmed* tokens are the union of two Snowball stemmers for every word:
``indonesian`` and ``english``. A catalogue mixes both languages inside one title
("Manajemen Database untuk Pemula") and language codes are often missing or wrong,
so both stems of every word are indexed, and a query word matches a document word
when they share either stem. What that gives, for the words librarians asked about:

============== ============== ===================================================
word           stems          finds
============== ============== ===================================================
perpustakaan   pustaka        pustaka, kepustakaan, berpustaka, pustakawan,
                              pustakawati, kepustakawanan (exact word first)
kepustakaan    pustaka        the same family
pustakawan     pustaka        the same family (see the ``-wan`` rule below)
libraries      librari        library, libraries, librarian (the Indonesian
                              stemmer reads ``-an`` in "librarian" as a suffix)
pendidikan     didik          didik, mendidik, pendidik, pendidikan
membaca        baca           baca, bacaan, pembaca, dibaca
pemrograman    program        program, memprogram, programming (English stem)
============== ============== ===================================================

Two corrections to Snowball's Indonesian stemmer, both small and written down:

* ``-wan`` / ``-wati`` (a person who does or has something: pustakawan, wartawan,
  ilmuwan, budayawati) are removed when at least four letters remain: Snowball
  removes only the ``-an``/``-i`` and leaves "pustakaw". Short words it does not
  touch (hewan, kawan, lawan) stay whole.
* ``pemr-``/``memr-`` (pemrograman, memrogram) are read as ``pe-``/``me-`` before a
  loanword in ``pr-``; Snowball would give "rogram".

Known limits: Snowball does not restore a dropped first consonant after ``meN-``/
``peN-`` (``meneliti`` → "elit" but ``penelitian`` → "eliti"), reduplication is
indexed as two words, and rare cross-language collisions exist ("terminal" also
stems to "minal"). Exact-word matches always score higher, so these cost recall
rarely and precision little.

Stop words are few, and kept in the exact field so phrases such as "the art of
war" still match; they are left out of the stemmed field, and a query treats them
as optional unless it has nothing else.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

# Put between the values of a multi-valued field so a phrase cannot run from one
# author, subject or title into the next. The tokenizer never produces it.
VALUE_SEPARATOR = "|"
MAX_TOKEN_LENGTH = 40

STOP_WORDS = frozenset(
    # Indonesian: conjunctions and prepositions that carry no topic.
    "dan di ke dari yang untuk dengan pada dalam atau serta oleh"
    # English articles, conjunctions and the commonest prepositions.
    " the a an and or of in on to for with at by from".split()
)

_EXTRA_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",
        "\u02bb": "",
        "\u02bc": "",
        "\u02be": "",
        "\u02bf": "",
        "'": "",
        "\u2019": "",
        "\u2018": "",
        "`": "",
    }
)
_WORD = re.compile(r"[^\W_]+")
_ISBN_CHARS = re.compile(r"[^0-9Xx]")


def fold(text: str) -> str:
    """Lower-case and remove diacritics, keeping letters of every script."""
    if text.isascii():
        return text.lower().translate(_EXTRA_FOLDS)
    text = unicodedata.normalize("NFKD", text.lower().translate(_EXTRA_FOLDS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.translate(_EXTRA_FOLDS)


def tokens(text: str) -> list[str]:
    """The exact tokens of a text: folded words and numbers, in order."""
    if not text:
        return []
    found = _WORD.findall(fold(text))
    if any(len(t) > MAX_TOKEN_LENGTH for t in found):
        return [t for t in found if len(t) <= MAX_TOKEN_LENGTH]
    return found


class _Stemmers(threading.local):
    """PyStemmer objects are not safe to share between threads: one pair per thread."""

    def __init__(self) -> None:
        self.indonesian = Stemmer.Stemmer("indonesian")
        self.english = Stemmer.Stemmer("english")


_stemmers = _Stemmers()


def indonesian_stem(word: str) -> str:
    """Snowball Indonesian with the two corrections described in the module docstring."""
    stemmer = _stemmers.indonesian
    if word.startswith(("pemr", "memr")) and len(word) > 6:
        word = "pr" + word[4:]
    stem: str = stemmer.stemWord(word)
    if stem.endswith("wan") and len(stem) >= 7 and stem != word:
        stem = stem[:-3]  # kepustakawanan -> pustakawan -> pustaka
    elif stem.endswith("w") and word.endswith("wan") and len(stem) >= 5:
        stem = stem[:-1]  # pustakawan -> pustakaw -> pustaka
    elif stem.endswith("wat") and word.endswith("wati") and len(stem) >= 7:
        stem = stem[:-3]  # pustakawati -> pustakawat -> pustaka
    return stem


@lru_cache(maxsize=262_144)
def stems(token: str) -> tuple[str, ...]:
    """The distinct stems of one exact token: Indonesian first, then English if different."""
    if not token.isalpha():
        return (token,)
    indonesian = indonesian_stem(token)
    english: str = _stemmers.english.stemWord(token)
    return (indonesian,) if english == indonesian else (indonesian, english)


def is_stop_word(token: str) -> bool:
    return token in STOP_WORDS


def exact_text(values: Iterable[str]) -> str:
    """Whitespace-joined exact tokens of several values, separated so phrases stay inside one."""
    return joined_tokens([tokens(v) for v in values])


def joined_tokens(token_lists: Iterable[list[str]]) -> str:
    """Like `exact_text`, for values already split into tokens."""
    parts: list[str] = []
    for found in token_lists:
        if found:
            if parts:
                parts.append(VALUE_SEPARATOR)
            parts.extend(found)
    return " ".join(parts)


def stemmed_text(values: Iterable[str]) -> str:
    """Whitespace-joined stems of every non-stop word of several values (no positions needed)."""
    return joined_stems([tokens(v) for v in values])


def joined_stems(token_lists: Iterable[list[str]]) -> str:
    """Like `stemmed_text`, for values already split into tokens."""
    out: list[str] = []
    for found in token_lists:
        for token in found:
            if token not in STOP_WORDS:
                out.extend(stems(token))
    return " ".join(out)


def title_sort_key(title: str | list[str]) -> str:
    """Folded title without a leading article, for sorting by title (text or its tokens)."""
    words = tokens(title) if isinstance(title, str) else title
    if len(words) > 1 and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)[:80] or "\uffff"


# --- identifiers ---------------------------------------------------------------------------


def _isbn13_check(first12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_check(first9: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def normalise_isbn(text: str) -> str | None:
    """ISBN-13 without hyphens for a valid ISBN-10 or ISBN-13, else None."""
    chars = _ISBN_CHARS.sub("", text).upper()
    if len(chars) == 13 and chars.isdigit() and _isbn13_check(chars[:12]) == chars[12]:
        return chars
    if len(chars) == 10 and chars[:9].isdigit() and _isbn10_check(chars[:9]) == chars[9]:
        body = "978" + chars[:9]
        return body + _isbn13_check(body)
    return None


def normalise_issn(text: str) -> str | None:
    """ISSN as eight characters without the hyphen (``03178471``) when the check digit is right."""
    chars = _ISBN_CHARS.sub("", text).upper()
    if len(chars) != 8 or not chars[:7].isdigit():
        return None
    total = sum(int(d) * (8 - i) for i, d in enumerate(chars[:7]))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return chars.lower() if chars[7] == expected else None


def identifier_tokens(isbns: Iterable[str], issns: Iterable[str]) -> list[str]:
    """Index tokens for ISBNs (as ISBN-13) and ISSNs (eight characters, no hyphen).

    A number whose check digit is wrong (common in real catalogues) is indexed as
    typed, digits only, so a search for exactly that number still finds it.
    """
    out: list[str] = []
    for raw in isbns:
        isbn = normalise_isbn(raw)
        token = isbn if isbn else _ISBN_CHARS.sub("", raw).lower()
        if token:
            out.append(token)
    for raw in issns:
        issn = normalise_issn(raw)
        token = issn if issn else _ISBN_CHARS.sub("", raw).lower()
        if token:
            out.append(token)
    return out


def identifier_query_tokens(text: str) -> list[str]:
    """Index tokens to look up for something typed as an ISBN or ISSN (empty if it is not one).

    Both the normalised form of a valid number and the digits as typed, so numbers
    with a wrong check digit in the catalogue are found too.
    """
    digits = _ISBN_CHARS.sub("", text).lower()
    if len(digits) not in {8, 10, 13} or sum(c.isdigit() for c in digits) < len(digits) - 1:
        return []
    if re.search(r"[^0-9Xx\-\s]", text.strip()):
        return []
    found = [normalise_isbn(text), normalise_issn(text), digits]
    return list(dict.fromkeys(t for t in found if t))
