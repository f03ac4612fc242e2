"""Text normalisation for finding duplicate records: titles, names, publishers, editions.

Everything here is a pure function of its input, so the keys a record gets on import
can always be recomputed. The rules follow how Indonesian (and international)
catalogues really differ from one another:

- case, punctuation, diacritics and ISBD punctuation carry no meaning for matching;
- "&" = "dan" = "and"; informal abbreviations typed into local systems ("utk",
  "yg", "dgn", "Jl.", "Univ.", "R.I.", "UU") mean their full words; "kasus2" and
  "kasus-kasus" are the same reduplication;
- spelling before the 1972 reform (Ejaan Soewandi / Van Ophuijsen: oe, dj, tj,
  nj, sj, ch, j) is mapped to today's (u, j, c, ny, sy, kh, y) where a title shows
  the old spelling;
- personal names lose academic degrees and honorifics ("Prof. Dr. Ir.", "H.",
  "S.Kom., M.T.I.", "Ph.D"), and inverted ("Sutrisno, Bambang"), direct
  ("Bambang Sutrisno") and initialled ("B. Sutrisno") forms compare equal;
- publishers lose legal forms and imprint words ("PT", "CV", "Penerbit",
  "Offset") and known variants share one name ("Pt.Gramedia Pustaka Utama" =
  "Gramedia"; "Penerbit Andi" = "Andi Offset" = "ANDI");
- an edition statement ("Ed. 2", "edisi kedua", "2nd ed.") is a number, and a
  printing ("Cet. 3", "cetakan ketiga") is not a new edition.

Standard identifiers are normalised by `simpul.catalog.isbn`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# --- characters -------------------------------------------------------------------------

# Letters without a Unicode decomposition, and look-alike punctuation (written as escapes:
# dotless i, modifier letters used in romanised Arabic and Hebrew, quotes, dashes).
_SPECIAL_LETTERS = str.maketrans(
    {
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
        "Æ": "AE", "œ": "oe", "Œ": "OE", "\u0131": "i", "þ": "th", "Þ": "Th", "ð": "d",
        "Ð": "D", "\u02bb": "", "\u02bc": "", "\u02b9": "", "\u02ba": "", "\u2019": "'",
        "\u2018": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ",
    }
)  # fmt: skip


def fold_diacritics(text: str) -> str:
    """Drop accents and map letters without a decomposition: "Électre" -> "Electre", "ø" -> "o"."""
    text = text.translate(_SPECIAL_LETTERS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- spelling before 1972 ---------------------------------------------------------------

_OLD_SPELLING = re.compile(r"oe|dj|tj|nj|sj|ch|j")
_OLD_TO_NEW = {"oe": "u", "dj": "j", "tj": "c", "nj": "ny", "sj": "sy", "ch": "kh", "j": "y"}
# Letters that only the old spelling writes, and its commonest words without them.
_OLD_MARKERS = re.compile(r"oe|dj|tj|sj|\b(?:jang|jaitu|djuga|ja)\b")
_NAME_OLD_SPELLING = re.compile(r"oe|dj|tj")
_NAME_OLD_TO_NEW = {"oe": "u", "dj": "j", "tj": "c"}


def indonesian_old_spelling(text: str) -> str:
    """Rewrite text in the pre-1972 spelling into today's: "Kamoes Oemoem" -> "kamus umum".

    Applies every rule unconditionally (so "jang" -> "yang"); call it only on text that
    is in the old spelling (see `has_old_spelling`). Returns lower case.
    """
    return _OLD_SPELLING.sub(lambda m: _OLD_TO_NEW[m.group(0)], text.lower())


def has_old_spelling(text: str) -> bool:
    """Whether lower-case text shows letters or words that only the old spelling uses."""
    return _OLD_MARKERS.search(text) is not None


def name_spelling(token: str) -> str:
    """A name word in today's spelling where the old one is unambiguous: "soekarno" -> "sukarno".

    A word without an old spelling comes back as the same object (the matcher relies on it
    to skip comparing it again)."""
    # Names keep their owner's spelling, so both spellings of a name meet in the new one.
    # Only unambiguous pairs: "j" alone means /j/ today and /y/ before 1972.
    if "oe" in token or "dj" in token or "tj" in token:
        return _NAME_OLD_SPELLING.sub(lambda m: _NAME_OLD_TO_NEW[m.group(0)], token)
    return token


# --- titles -----------------------------------------------------------------------------

_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_RI = re.compile(r"\br\s*\.\s*i\b\.?")
_REDUPLICATION = re.compile(r"\b([a-z]{3,})2\b")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")

TITLE_ABBREVIATIONS = {
    "and": "dan", "jl": "jalan", "jln": "jalan", "univ": "universitas",
    "university": "universitas", "universitat": "universitas", "universiteit": "universitas",
    "dept": "departemen", "dep": "departemen", "kab": "kabupaten", "prov": "provinsi",
    "kec": "kecamatan", "kel": "kelurahan", "uu": "undang undang", "utk": "untuk",
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "dlm": "dalam", "thd": "terhadap",
    "trhdp": "terhadap", "kpd": "kepada", "sbg": "sebagai", "tsb": "tersebut",
    "dll": "dan lain lain", "dsb": "dan sebagainya", "pend": "pendidikan",
    "intl": "international", "nomor": "no", "nomer": "no", "number": "no", "thn": "tahun",
    "bhs": "bahasa", "mgmt": "management", "mgt": "management",
}  # fmt: skip
_PHRASES = (("republik indonesia", "ri"),)
LEADING_ARTICLES = frozenset(
    {"the", "a", "an", "le", "la", "les", "l", "die", "der", "das", "el", "il", "los", "las"}
)
STOPWORDS = frozenset(
    {
        "dan", "di", "ke", "dari", "yang", "untuk", "dengan", "dalam", "pada", "atau", "bagi",
        "the", "of", "a", "an", "in", "for", "to", "on", "at", "by", "from", "with",
        "de", "la", "le", "les", "et", "du", "des", "der", "die", "das", "und", "von", "el",
        "y", "del", "il", "e", "al",
    }
)  # fmt: skip


def _clean(text: str) -> str:
    """Lower case, no accents or punctuation, abbreviations written out; words joined by spaces."""
    text = fold_diacritics(text).lower()
    text = text.replace("&", " dan ")
    text = _APOSTROPHE.sub("", text)
    text = _RI.sub(" ri ", text)
    text = _REDUPLICATION.sub(r"\1 \1", text)
    tokens = _NON_WORD.sub(" ", text).split()
    text = " ".join(TITLE_ABBREVIATIONS.get(t, t) for t in tokens)
    for phrase, short in _PHRASES:
        if phrase in text:
            text = text.replace(phrase, short)
    return text


def _drop_leading_article(text: str) -> str:
    first, _, rest = text.partition(" ")
    if rest and first in LEADING_ARTICLES:
        return rest
    return text


def normalise_title(text: str) -> str:
    """A title as compared and sorted: "The Pragmatic Programmer!" -> "pragmatic programmer".

    Also "DASAR-DASAR HUKUM & ETIKA" -> "dasar dasar hukum dan etika".
    """
    return _drop_leading_article(_clean(text))


def title_tokens(text: str, *, significant: bool = False) -> list[str]:
    """Normalised title words; with `significant`, without stop words ("dan", "of", ...)."""
    tokens = normalise_title(text).split()
    if significant:
        kept = [t for t in tokens if t not in STOPWORDS]
        return kept or tokens
    return tokens


# --- editions, printings and volumes ----------------------------------------------------

ORDINALS = {
    "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5, "keenam": 6,
    "ketujuh": 7, "kedelapan": 8, "kesembilan": 9, "kesepuluh": 10, "kesebelas": 11,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10,
    # the same words in the spelling before 1972
    "kedoea": 2, "ketoedjoeh": 7, "kesepoeloeh": 10, "satoe": 1, "doea": 2, "toedjoeh": 7,
    "sepoeloeh": 10,
}  # fmt: skip
ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
    "x": 10, "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17,
    "xviii": 18, "xix": 19, "xx": 20,
}  # fmt: skip
# Roman numerals that stand as numbers inside a title ("Kalkulus II"); never one letter.
TITLE_ROMAN = {k: v for k, v in ROMAN.items() if len(k) > 1}

_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_NUM = rf"\d{{1,3}}|[ivx]{{1,5}}|{_ORD}"
_ED_WORD = r"edisi|ed|edition|edn|editie|edicion|edizione|edicao|auflage|aufl|udgave|udg|uitg"
_PRINT_WORD = (
    r"cetakan|cet|printing|print|impression|impr|oplag|druk|nachdruck|reimpresion|ristampa"
)
_REVISED_WORD = (
    r"revisi|revised|rev|updated|update|new|baru|nouvelle|nouv|uberarb|uberarbeitete|erw|"
    r"enlarged|expanded|diperbarui|diperbaharui"
)
_EDITION_PATTERNS = (
    # edisi ke-2, ed. 2, edisi kedua, edition 3
    re.compile(rf"\b(?:{_ED_WORD})\s+(?:ke\s+)?(?P<n>{_NUM})\b"),
    # 2nd ed., 2. Aufl., 1. udgave, 2e ed., 2a ed., second edition
    re.compile(
        rf"\b(?P<n>\d{{1,3}}|{_ORD})(?:st|nd|rd|th|e|a|o|er|eme|re|de|ste)?"
        rf"(?:\s+(?:{_REVISED_WORD}|and|dan|et|und))*\s+(?:{_ED_WORD})\b"
    ),
    # "3e" alone: French/English short form ("Leadership in organizations 3e")
    re.compile(r"\b(?P<n>\d{1,2})e\b"),
)
_PRINTING_PATTERNS = (
    re.compile(rf"\b(?:{_PRINT_WORD})\s+(?:ke\s+)?(?P<n>{_NUM})\b"),
    re.compile(rf"\b(?P<n>\d{{1,3}}|{_ORD})(?:st|nd|rd|th|e|de|ste)?\s+(?:{_PRINT_WORD})\b"),
)
_REVISED_PATTERNS = (
    re.compile(rf"\b(?:{_ED_WORD})\s+(?:yang\s+)?(?:{_REVISED_WORD})\b"),
    re.compile(rf"\b(?:{_REVISED_WORD})\s+(?:and\s+\w+\s+)?(?:{_ED_WORD})\b"),
)
_VOLUME_PATTERN = re.compile(
    rf"\b(?:jilid|djilid|jil|buku|boekoe|volume|vol|vols|bagian|bag|part|book|tome|tomo|band|bd|deel|teil|"
    rf"fascicle|fasc|seri)\s+(?:ke\s+)?(?P<n>\d{{1,3}}[a-z]?|[ivx]{{1,5}}|{_ORD})\b|\bv\s+(?P<v>\d{{1,3}})\b"
)


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in ORDINALS:
        return ORDINALS[word]
    return ROMAN.get(word)


@dataclass(frozen=True, slots=True)
class EditionInfo:
    """What an edition statement says: which edition, which printing, whether revised."""

    number: int | None = None
    printing: int | None = None
    revised: bool = False

    @property
    def stated(self) -> bool:
        return self.number is not None or self.revised


class _Extracted(NamedTuple):
    text: str
    edition: EditionInfo
    volumes: frozenset[str]


def _extract(text: str, *, edition_field: bool = False) -> _Extracted:
    """Take edition, printing and volume statements out of cleaned text."""
    number: int | None = None
    printing: int | None = None
    revised = False
    for pattern in _PRINTING_PATTERNS:
        match = pattern.search(text)
        if match:
            printing = _number(match.group("n"))
            text = text[: match.start()] + " " + text[match.end() :]
            break
    for pattern in _REVISED_PATTERNS:
        match = pattern.search(text)
        if match:
            revised = True
            text = text[: match.start()] + " edisi " + text[match.end() :]
            break
    for pattern in _EDITION_PATTERNS:
        match = pattern.search(text)
        if match:
            number = _number(match.group("n"))
            text = text[: match.start()] + " " + text[match.end() :]
            break
    if number is None and revised:
        text = text.replace(" edisi ", " ")
    volumes: set[str] = set()
    if not edition_field:
        while match := _VOLUME_PATTERN.search(text):
            word = match.group("n") or match.group("v")
            value = _number(word)
            volumes.add(str(value) if value is not None else word)
            text = text[: match.start()] + " " + text[match.end() :]
    elif number is None and not revised:
        # An edition field holding only a number ("2"), a bare ordinal, or "Rev.".
        bare = re.fullmatch(rf"\s*(?P<n>{_NUM})\s*", text)
        if bare:
            number = _number(bare.group("n"))
            text = ""
        elif re.fullmatch(rf"\s*(?:{_REVISED_WORD})\s*", text):
            revised = True
            text = ""
    text = _SPACES.sub(" ", text).strip()
    return _Extracted(text, EditionInfo(number, printing, revised), frozenset(volumes))


def parse_edition(statement: str) -> EditionInfo:
    """Read an edition statement: "Ed. 2, cet. 3" -> number 2, printing 3.

    "Cet. 3" is a printing of an unnamed edition (number None); "edisi revisi" is
    revised without a number; "1. udgave, 4. oplag" is the first edition, fourth printing.
    """
    return _extract(_clean(statement), edition_field=True).edition


def normalise_edition(statement: str) -> tuple[int | None, bool]:
    """(edition number or None, whether the statement is only a printing).

    "Ed. 2" -> (2, False); "edisi kedua" -> (2, False); "2nd ed." -> (2, False);
    "Cet. 3" -> (None, True): a printing, not a new edition.
    """
    info = parse_edition(statement)
    return info.number, info.printing is not None and not info.stated


def merge_editions(*infos: EditionInfo) -> EditionInfo:
    number = next((i.number for i in infos if i.number is not None), None)
    printing = next((i.printing for i in infos if i.printing is not None), None)
    return EditionInfo(number, printing, any(i.revised for i in infos))


class TitleParts(NamedTuple):
    """A title split for comparison; edition and volume statements found in it are lifted out."""

    main: str
    subtitle: str
    edition: EditionInfo
    volumes: frozenset[str]
    numbers: frozenset[str]  # numbers in the main title ("Manajemen risiko 2")
    sub_numbers: frozenset[str]  # numbers in the subtitle


_SUBTITLE_SPLIT = re.compile(r"\s+[:|=]\s*|\s*[:|=]\s+|\|")


def _numbers(text: str) -> set[str]:
    found = set()
    for token in text.split():
        if token.isdigit():
            found.add(str(int(token)))
        elif token in TITLE_ROMAN:
            found.add(str(TITLE_ROMAN[token]))
    return found


def title_parts(title: str, subtitle: str = "", edition: str = "") -> TitleParts:
    """Main title and subtitle, normalised, with edition/volume statements taken out of them.

    A title that still holds its subtitle ("ARSITEKTUR : BENTUK, RUANG", "HUMMINGBIRD |
    DILEMA CINTA") is split at the first colon, bar or equals sign.
    """
    if not subtitle.strip():
        pieces = _SUBTITLE_SPLIT.split(title, maxsplit=1)
        if len(pieces) == 2 and pieces[0].strip():
            title, subtitle = pieces
    main = _extract(_clean(title))
    sub = _extract(_clean(subtitle)) if subtitle else _Extracted("", EditionInfo(), frozenset())
    field = parse_edition(edition) if edition else EditionInfo()
    main_text = _drop_leading_article(main.text)
    return TitleParts(
        main_text,
        sub.text,
        merge_editions(field, main.edition, sub.edition),
        main.volumes | sub.volumes,
        frozenset(_numbers(main_text)),
        frozenset(_numbers(sub.text)),
    )


# --- personal and corporate names -------------------------------------------------------

# Academic degrees and honorifics, as written with their dots; matched without dots or case.
DEGREES = (
    "S.Kom M.Kom M.T.I M.T S.T M.Sc B.Sc Ph.D M.Math S.E M.Si S.Si M.M S.H M.H LL.M LL.B M.A "
    "B.A MBA M.B.A M.Ed M.Pd S.Pd S.Pd.I M.Pd.I S.Sos M.Sos S.Ag M.Ag Lc S.Psi M.Psi Psikolog "
    "Apt S.Farm M.Farm S.K.M M.Kes S.Kep Ns S.Ked Sp.A Sp.PD Sp.OG Sp.B Sp.M Sp.KJ Sp.JP "
    "Sp.THT S.I.Kom M.I.Kom S.IP M.IP S.S M.Hum S.Sn M.Sn S.Ds M.Ds S.Ak M.Ak Ak CA CPA CFA "
    "S.Th M.Th D.Th M.Div S.E.I M.E.I S.H.I M.H.I S.Kes S.Gz S.TP M.P S.P S.Hut M.Eng B.Eng "
    "M.Cs M.Stat S.Stat A.Md A.Md.Kom Dipl.Ing MSA M.Acc M.Com B.Com M.Phil D.Phil Ed.D M.S "
    "S.Tr M.Tr Jr Sr Esq Prof Dr Drs Dra Ir Drh Hj KH MM MT MSi MPd MKom SE SH Phd PhD"
).split()
_DEGREES_COMPACT = frozenset(re.sub(r"[^a-z]", "", d.lower()) for d in DEGREES)
# Degree words that are never a name, even written without dots at the end of a name.
_DISTINCTIVE_DEGREES = frozenset(
    {"phd", "mba", "msc", "bsc", "skom", "mkom", "mti", "msi", "mpd", "spd", "mhum", "llm",
     "mmath", "msa", "mkes", "ssos", "sag", "mag", "spsi", "mpsi", "apt", "sfarm", "dipling",
     "meng", "beng", "mphil", "dphil", "mdiv", "amd", "amdkom", "sikom", "mikom", "sei", "mei",
     "shi", "mhi", "spdi", "mpdi", "sth", "mth", "dth", "mak", "sak", "macc", "ssi"}
)  # fmt: skip
_HONORIFIC_PREFIX = re.compile(
    r"^\s*(?:(?:prof|pro|dr|drs|dra|ir|drh|hj|kh|h|mr|mrs|ms|sir|rev|pdt|ust|ustadz|tgk|apt|ns)"
    r"\.\s*|(?:prof|dr|drs|dra|ir|drh|hj|kh|pdt|ustadz)\s+)",
    re.IGNORECASE,
)
_DATES = re.compile(r"^[\d\s\-?.,()]*\d{3,4}[\d\s\-?.,()]*$|^(?:b|d|fl|ca|lahir)\.?\s*\d")
_ROLE_WORDS = frozenset(
    {"ed", "eds", "editor", "editors", "penyunting", "peny", "penerjemah", "penterjemah",
     "terj", "trans", "translator", "alih bahasa", "dkk", "et al", "etal", "comp", "compiler",
     "penyusun", "ilustrator", "ill", "author", "pengarang", "penulis"}
)  # fmt: skip
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NAME_SPLIT = re.compile(r"[\s.\-]+")
_VOWELS = re.compile(r"[aeiouy]")
_VOWELLESS_NAMES = frozenset({"ng"})  # a Chinese surname, not two initials


_NOT_LETTER = re.compile(r"[^a-z]")


def _compact(text: str) -> str:
    return _NOT_LETTER.sub("", fold_diacritics(text).lower())


def _is_degree_segment(segment: str) -> bool:
    words = [w for w in re.split(r"[\s,]+", segment.strip()) if w]
    return bool(words) and all(_compact(w) in _DEGREES_COMPACT for w in words)


def _strip_honorifics(segment: str) -> str:
    while True:
        stripped = _HONORIFIC_PREFIX.sub("", segment, count=1)
        if stripped == segment or not stripped.strip():
            return segment.strip()
        segment = stripped


def _strip_trailing_degrees(segment: str) -> str:
    words = segment.split()
    while len(words) > 1:
        last = words[-1]
        compact = _compact(last)
        if compact in _DEGREES_COMPACT and ("." in last or compact in _DISTINCTIVE_DEGREES):
            words.pop()
        else:
            break
    return " ".join(words)


@lru_cache(maxsize=65536)
def clean_person_name(name: str) -> tuple[str, str]:
    """(surname part, given part) of a name without degrees, dates, roles or honorifics.

    "Sutrisno, Bambang, S.Kom., M.T.I." -> ("Sutrisno", "Bambang");
    "Prof. Dr. Ir. Widodo Budiharto" -> ("", "Widodo Budiharto") (direct form: no split known).
    """
    name = _PARENTHESES.sub(" ", name)
    segments = [s.strip(" .;:/") for s in name.split(",")]
    kept: list[str] = []
    for position, segment in enumerate(segments):
        if not segment:
            continue
        if position > 0 and (
            _is_degree_segment(segment)
            or _DATES.match(segment)
            or _compact(segment) in _ROLE_WORDS
            or segment.lower().strip(". ") in _ROLE_WORDS
        ):
            continue
        segment = _strip_trailing_degrees(_strip_honorifics(segment))
        if segment and not _is_degree_segment(segment):
            kept.append(segment)
    if not kept:
        return "", ""
    if len(kept) == 1:
        return "", kept[0]
    return kept[0], " ".join(kept[1:])


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case words of a name as written, without degrees; initials are one letter.

    "B. Sutrisno" -> ("b", "sutrisno"); "Sutrisno, Bambang" -> ("sutrisno", "bambang");
    "JJ Collins" -> ("j", "j", "collins"). Compare words through `name_spelling`.
    """
    surname, given = clean_person_name(name)
    tokens: list[str] = []
    for part in (surname, given):
        text = fold_diacritics(part).lower().replace("'", "")
        for piece in _NAME_SPLIT.split(text):
            word = _NON_WORD.sub("", piece)
            if not word:
                continue
            if 1 < len(word) <= 3 and word not in _VOWELLESS_NAMES and not _VOWELS.search(word):
                tokens.extend(word)  # "JJ" is two initials
            else:
                tokens.append(word)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def surname_key(name: str) -> str:
    """The part of a name catalogues agree on most: the surname ("Sutrisno" for all forms)."""
    surname, given = clean_person_name(name)
    words = [w for w in name_tokens(surname or given) if len(w) > 1]
    return name_spelling(words[-1]) if words else ""


def normalise_person_name(name: str) -> str:
    """A name in one comparable form, "surname given names", lower case, without degrees.

    "Sutrisno, Bambang", "Bambang Sutrisno", "Prof. Dr. Ir. Bambang Sutrisno, M.Sc."
    all give "sutrisno bambang"; "B. Sutrisno" gives "sutrisno b".
    """
    surname, given = clean_person_name(name)
    if surname:
        return " ".join(name_spelling(t) for t in name_tokens(f"{surname}, {given}"))
    tokens = [name_spelling(t) for t in name_tokens(given)]
    full = [i for i, t in enumerate(tokens) if len(t) > 1]
    if not full:
        return " ".join(tokens)
    last = full[-1]
    return " ".join([tokens[last], *tokens[:last], *tokens[last + 1 :]])


_AUTHOR_LIST_SPLIT = re.compile(r"\s*[;|]\s*|\s+&\s+")


def split_authors(field: str) -> list[str]:
    """Names in a flat author field as local systems export it, in direct order.

    "Prof.Dr.Ir.Sugianto,M.Sc,Ir.Hongyanto Setio,Mba" -> ["Sugianto", "Hongyanto Setio"];
    commas both separate names and introduce degrees, so degree segments are dropped
    and "Dkk" / "et al." too.
    """
    names: list[str] = []
    for chunk in _AUTHOR_LIST_SPLIT.split(field):
        for segment in chunk.split(","):
            segment = segment.strip(" .;:")
            if not segment:
                continue
            if (
                _is_degree_segment(segment)
                or _compact(segment) in _ROLE_WORDS
                or _DATES.match(segment)
            ):
                continue
            cleaned = _strip_trailing_degrees(_strip_honorifics(segment))
            if cleaned and not _is_degree_segment(cleaned):
                names.append(cleaned)
    return names


# --- publishers -------------------------------------------------------------------------

_PUBLISHER_NOISE = frozenset(
    {"pt", "cv", "ud", "pn", "pd", "tbk", "persero", "penerbit", "publisher", "publishers",
     "publishing", "publications", "publication", "pub", "publ", "pubs", "inc", "ltd", "llc",
     "co", "corp", "corporation", "company", "gmbh", "ag", "sa", "bv", "offset", "group",
     "grup", "kelompok", "the", "dan", "and", "sons", "son", "verlag", "editions", "editora",
     "editorial", "editrice", "media group", "limited", "plc", "imprint", "of"}
)  # fmt: skip
_PUBLISHER_PLACES = frozenset(
    {"jakarta", "yogyakarta", "jogjakarta", "bandung", "surabaya", "malang", "semarang",
     "medan", "bogor", "solo", "surakarta", "depok", "tangerang", "makassar", "denpasar",
     "london", "new york", "oxford", "boston"}
)  # fmt: skip
# Known variant names of the same publisher (imprints of one house count as one).
PUBLISHER_VARIANTS = {
    "gramedia": ["Gramedia Pustaka Utama", "Gramedia", "GPU", "Gramedia Pustaka"],
    "andi": ["Andi", "Andi Offset", "Andi Publisher", "Penerbit Andi"],
    "elexmedia": [
        "Elex Media Komputindo",
        "Elexmedia Komputindo",
        "Elexmedia",
        "EMK",
        "Elex Media Komputindo Kompas Gramedia",
    ],
    "erlangga": ["Erlangga", "Gelora Aksara Pratama"],
    "rajagrafindo": [
        "RajaGrafindo Persada",
        "Raja Grafindo Persada",
        "Rajagrafindo",
        "Rajawali Pers",
        "Rajawali Press",
    ],
    "ugm press": [
        "Gadjah Mada University Press",
        "Gajah Mada University Press",
        "UGM Press",
        "UGM Pres",
    ],
    "grasindo": ["Gramedia Widiasarana Indonesia", "Grasindo"],
    "kpg": ["Kepustakaan Populer Gramedia", "KPG"],
    "bip": ["Bhuana Ilmu Populer", "BIP"],
    "kencana": [
        "Kencana Prenada Media",
        "Kencana",
        "Prenada Media",
        "Prenadamedia",
        "Kencana Prenada Media Group",
        "Prenadamedia Group",
    ],
    "rosda": ["Remaja Rosdakarya", "Rosdakarya", "Rosda"],
    "bpfe": ["BPFE", "BPFE-UGM", "Badan Penerbit Fakultas Ekonomi"],
    "ui press": [
        "UI Press",
        "Universitas Indonesia Press",
        "UI Publishing",
        "Penerbit Universitas Indonesia",
    ],
    "obor": ["Yayasan Obor Indonesia", "Obor", "Obor Indonesia"],
    "salemba empat": ["Salemba Empat", "Salemba 4"],
    "informatika": ["Informatika", "Informatika Bandung"],
    "mizan": ["Mizan", "Mizan Pustaka"],
    "pustaka baru": ["Pustaka Baru Press", "Pustaka Baru"],
    "ghalia": ["Ghalia Indonesia", "Ghalia"],
    "lp3es": ["LP3ES", "Lembaga Penelitian, Pendidikan dan Penerangan Ekonomi dan Sosial"],
    "oreilly": ["O'Reilly", "O'Reilly Media", "O'Reilly & Associates"],
    "prentice hall": [
        "Prentice Hall",
        "Prentice-Hall",
        "PTR Prentice Hall",
        "Prentice Hall PTR",
        "Prentice Hall International",
    ],
    "addison wesley": ["Addison-Wesley", "Addison Wesley Longman"],
    "mcgraw hill": [
        "McGraw-Hill",
        "Osborne/McGraw-Hill",
        "McGraw-Hill Education",
        "McGraw-Hill/Irwin",
    ],
    "wiley": ["Wiley", "John Wiley & Sons", "John Wiley"],
    "oup": ["Oxford University Press", "OUP"],
    "cup": ["Cambridge University Press", "CUP"],
    "harper": ["Harper & Row", "Harper", "HarperCollins", "Harper Collins"],
}


@lru_cache(maxsize=65536)
def normalise_publisher(name: str) -> str:
    """One name per publisher: "Pt.Gramedia Pustaka Utama" -> "gramedia", "ANDI" -> "andi".

    Unknown publishers keep their words without legal forms ("PT", "CV", "Penerbit",
    "Inc."), places and punctuation: "CV. Pustaka Setia, Bandung" -> "pustaka setia".
    """
    words = publisher_words(name)
    return _PUBLISHER_ALIAS_INDEX.get("".join(words)) or " ".join(words)


def publisher_words(name: str) -> list[str]:
    """A publisher's words without legal forms, imprint words and places (no aliases)."""
    text = _clean(_PARENTHESES.sub(" ", name))
    words = [w for w in text.split() if w not in _PUBLISHER_NOISE]
    if len(words) > 1:
        without_places = [w for w in words if w not in _PUBLISHER_PLACES]
        words = without_places or words
    return words


# --- pagination -------------------------------------------------------------------------

_PAGES = re.compile(
    r"(\d{1,5})\s*(?:p\b|pp\b|pages?\b|hlm\b|hal\b|halaman\b|h\b|s\b|seiten\b|str\b|blz\b|pag\b)",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\s*(?:[ivxlc]+\s*,?\s*)?(\d{1,5})\s*$", re.IGNORECASE)


def parse_pages(extent: str) -> int | None:
    """The page count in an extent: "xii, 345 p. : ill. ; 24 cm" -> 345; "345 hlm." -> 345."""
    if not extent:
        return None
    text = extent.replace(".", " ")
    counts = [int(m.group(1)) for m in _PAGES.finditer(text)]
    if counts:
        return max(counts)
    bare = _BARE_NUMBER.match(text)
    return int(bare.group(1)) if bare else None


_PUBLISHER_ALIAS_INDEX = {
    "".join(publisher_words(variant)): canonical
    for canonical, variants in PUBLISHER_VARIANTS.items()
    for variant in variants
}
