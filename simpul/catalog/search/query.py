"""The search box's query language, parsed into a small tree and compiled to a Tantivy query.

What a person can type (operators in capitals; lower-case "dan", "atau", "bukan"
are ordinary words, because they are ordinary Indonesian words in titles):

* words: ``sejarah pendidikan`` — every word must match (stemmed, in title,
  author, subject, series, publisher, summary or ISBN/ISSN); a few stop words
  ("dan", "di", "the", "of", …) are optional.
* ``"sejarah pendidikan"`` — a phrase, exact words in that order.
* ``AND`` / ``DAN``, ``OR`` / ``ATAU``, ``NOT`` / ``BUKAN`` and ``-word``;
  parentheses group. ``NOT`` binds tighter than ``AND``, ``AND`` tighter than ``OR``.
* ``pustak*`` — words starting with "pustak" (at least three letters before ``*``).
* fields: ``title:`` (``judul:``), ``author:`` (``pengarang:``, ``penulis:``),
  ``subject:`` (``subjek:``), ``isbn:``, ``issn:``, ``year:`` (``tahun:``; ``2010``,
  ``2010-2020``, ``>=2010``, ``<2000``), ``language:`` (``bahasa:``; code or name:
  ``ind``, ``indonesia``, ``inggris``), ``format:`` (``jenis:``; ``book``, ``buku``,
  ``skripsi``…), ``library:`` (``perpustakaan:``; a library code). A field applies
  to a word, a phrase or a parenthesised group: ``title:(hukum OR ekonomi)``.

A string that cannot be parsed (an unclosed quote or parenthesis, an operator
with nothing after it, absurd length or depth) is never an error for the caller:
it is searched as plain words and a translated warning says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from simpul.catalog.search import analysis

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_DEPTH = 16
MIN_PREFIX = 3

FIELD_ALIASES = {
    "title": "title",
    "judul": "title",
    "ti": "title",
    "author": "author",
    "pengarang": "author",
    "penulis": "author",
    "au": "author",
    "subject": "subject",
    "subjek": "subject",
    "su": "subject",
    "isbn": "ident",
    "issn": "ident",
    "year": "year",
    "tahun": "year",
    "language": "language",
    "lang": "language",
    "bahasa": "language",
    "format": "format",
    "jenis": "format",
    "type": "format",
    "library": "library",
    "perpustakaan": "library",
    "lib": "library",
}

LANGUAGE_ALIASES = {
    "indonesia": "ind",
    "indonesian": "ind",
    "bahasa indonesia": "ind",
    "id": "ind",
    "in": "ind",
    "english": "eng",
    "inggris": "eng",
    "bahasa inggris": "eng",
    "en": "eng",
    "jawa": "jav",
    "javanese": "jav",
    "jv": "jav",
    "sunda": "sun",
    "sundanese": "sun",
    "su": "sun",
    "arab": "ara",
    "arabic": "ara",
    "ar": "ara",
    "melayu": "may",
    "malay": "may",
    "ms": "may",
    "msa": "may",
    "belanda": "dut",
    "dutch": "dut",
    "nl": "dut",
    "nld": "dut",
}

FORMAT_ALIASES = {
    "buku": "book",
    "books": "book",
    "e-book": "ebook",
    "ebooks": "ebook",
    "buku elektronik": "ebook",
    "skripsi": "thesis",
    "tesis": "thesis",
    "disertasi": "thesis",
    "theses": "thesis",
    "dissertation": "thesis",
    "jurnal": "serial",
    "majalah": "serial",
    "journal": "serial",
    "artikel": "article",
    "peta": "map",
    "partitur": "score",
    "rekaman": "audio",
    "manuskrip": "manuscript",
    "naskah": "manuscript",
    "mikrofilm": "microform",
    "repositori": "repository",
}

_OPERATORS = {
    "AND": "AND",
    "DAN": "AND",
    "&&": "AND",
    "OR": "OR",
    "ATAU": "OR",
    "||": "OR",
    "NOT": "NOT",
    "BUKAN": "NOT",
}
_YEAR_RANGE = re.compile(r"^(\d{1,4})?\s*(?:-|\.\.|\u2013|/)\s*(\d{1,4})?$")
_YEAR_COMPARE = re.compile(r"^(<=|>=|<|>)\s*(\d{1,4})$")


class QuerySyntaxError(ValueError):
    """The query string cannot be parsed; `message` is translated, for the person searching."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None
    prefix: bool = False  # typed with a trailing *


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Phrase | Not | And | Or


@dataclass
class ParsedQuery:
    """A parsed query string: the tree, and what the person should be told about it."""

    tree: Node | None  # None: nothing to search for (empty or only punctuation)
    warnings: list[str] = field(default_factory=list)

    def keywords(self) -> list[str]:
        """Exact tokens of the plain and title/author/subject words, in order.

        Used for the title-phrase boost and for spelling suggestions.
        """
        found: list[str] = []

        def walk(node: Node | None) -> None:
            if isinstance(node, Term) and node.field in {None, "title", "author", "subject"}:
                if not node.prefix:
                    found.extend(analysis.tokens(node.text))
            elif isinstance(node, Phrase) and node.field in {None, "title", "author", "subject"}:
                found.extend(analysis.tokens(node.text))
            elif isinstance(node, And | Or):
                for child in node.children:
                    walk(child)

        walk(self.tree)
        return found


# --- lexing and parsing ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, PHRASE, FIELD, LPAREN, RPAREN, AND, OR, NOT
    text: str = ""


def _lex(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            out.append(_Token("LPAREN"))
            i += 1
        elif c == ")":
            out.append(_Token("RPAREN"))
            i += 1
        elif c in '"“”':
            end = _closing_quote(text, i + 1)
            if end < 0:
                raise QuerySyntaxError(
                    _("A quotation mark was not closed, so the search used the words alone.")
                )
            out.append(_Token("PHRASE", text[i + 1 : end]))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"“”':
                j += 1
            word = text[i:j]
            i = j
            if word in _OPERATORS:
                out.append(_Token(_OPERATORS[word]))
                continue
            if word.startswith("-") and len(word) > 1 and not word[1:].isdigit():
                out.append(_Token("NOT"))
                word = word[1:]
            elif word == "-" and i < n and text[i] in '("“”':
                out.append(_Token("NOT"))
                continue
            word = word.lstrip("+")
            if not word:
                continue
            name, colon, value = word.partition(":")
            if colon and name.lower() in FIELD_ALIASES:
                out.append(_Token("FIELD", FIELD_ALIASES[name.lower()]))
                if value:
                    out.append(_Token("WORD", value))
                continue
            out.append(_Token("WORD", word))
    return out


def _closing_quote(text: str, start: int) -> int:
    for k in range(start, len(text)):
        if text[k] in '"“”':
            return k
    return -1


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr(None)
        if self.peek() is not None:  # only a stray ")" can stop the top level early
            raise _unbalanced()
        return node

    def or_expr(self, field_name: str | None) -> Node:
        children = [self.and_expr(field_name)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_expr(field_name))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field_name: str | None) -> Node:
        children = [self.unary(field_name)]
        while (token := self.peek()) is not None and token.kind not in {"OR", "RPAREN"}:
            if token.kind == "AND":
                self.take()
            children.append(self.unary(field_name))
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, field_name: str | None) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            return Not(self.unary(field_name))
        return self.primary(field_name)

    def primary(self, field_name: str | None) -> Node:
        token = self.peek()
        if token is None or token.kind in {"AND", "OR", "RPAREN"}:
            raise QuerySyntaxError(
                _("AND, OR or NOT had no word beside it, so the search used the words alone.")
            )
        self.take()
        if token.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(
                    _("The search had too many nested parentheses, so it used the words alone.")
                )
            if (close := self.peek()) is not None and close.kind == "RPAREN":
                raise _unbalanced()
            node = self.or_expr(field_name)
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise _unbalanced()
            self.take()
            self.depth -= 1
            return node
        if token.kind == "FIELD":
            following = self.peek()
            if following is None or following.kind in {"AND", "OR", "RPAREN", "FIELD", "NOT"}:
                raise QuerySyntaxError(
                    _(
                        "A field such as title: had nothing after it, "
                        "so the search used the words alone."
                    )
                )
            return self.primary(token.text)
        if token.kind == "PHRASE":
            return Phrase(token.text, field_name)
        text = token.text
        if text.endswith("*") and len(text.rstrip("*")) >= MIN_PREFIX:
            return Term(text.rstrip("*"), field_name, prefix=True)
        return Term(text.rstrip("*") or text, field_name)


def _unbalanced() -> QuerySyntaxError:
    return QuerySyntaxError(_("The parentheses did not match, so the search used the words alone."))


def _leaf_count(node: Node | None) -> int:
    if node is None:
        return 0
    if isinstance(node, Not):
        return _leaf_count(node.child)
    if isinstance(node, And | Or):
        return sum(_leaf_count(c) for c in node.children)
    return 1


def _plain_words(text: str, limit: int) -> list[str]:
    words = [w for w in re.split(r"\s+", text) if w and w not in _OPERATORS]
    out: list[str] = []
    for word in words:
        name, colon, value = word.partition(":")
        if colon and name.lower() in FIELD_ALIASES:
            word = value
        out.extend(analysis.tokens(word))
    return out[:limit] if limit else out


def parse(text: str) -> ParsedQuery:
    """Parse what a person typed. Never raises: bad input becomes plain words plus a warning."""
    warnings: list[str] = []
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        if " " in cut[MAX_QUERY_CHARS // 2 :]:
            cut = cut[: cut.rindex(" ")]
        text = cut
        warnings.append(
            _("The search was too long; only its first %(count)d characters were used.")
            % {"count": len(text)}
        )
    try:
        tree = _Parser(_lex(text)).parse()
    except QuerySyntaxError as problem:
        warnings.append(problem.message)
        return _as_plain_words(text, warnings)
    except RecursionError:
        warnings.append(
            _("The search had too many nested parentheses, so it used the words alone.")
        )
        return _as_plain_words(text, warnings)
    if _leaf_count(tree) > MAX_TERMS:
        return _as_plain_words(text, warnings)
    return ParsedQuery(tree, warnings)


def _as_plain_words(text: str, warnings: list[str]) -> ParsedQuery:
    words = _plain_words(text, 0)
    if len(words) > MAX_TERMS:
        warnings.append(
            ngettext(
                "The search had too many words; only the first %(count)d was used.",
                "The search had too many words; only the first %(count)d were used.",
                MAX_TERMS,
            )
            % {"count": MAX_TERMS}
        )
        words = words[:MAX_TERMS]
    if not words:
        return ParsedQuery(None, warnings)
    if len(words) == 1:
        return ParsedQuery(Term(words[0]), warnings)
    return ParsedQuery(And(tuple(Term(w) for w in words)), warnings)


# --- values of filter-like fields -------------------------------------------------------------


def language_code(value: str) -> str:
    folded = " ".join(analysis.tokens(value))
    return LANGUAGE_ALIASES.get(folded, folded.replace(" ", ""))


def format_code(value: str) -> str:
    lowered = value.strip().lower()
    if lowered in FORMAT_ALIASES:
        return FORMAT_ALIASES[lowered]
    folded = " ".join(analysis.tokens(value))
    return FORMAT_ALIASES.get(folded, folded.replace(" ", "_"))


def library_code(value: str) -> str:
    return value.strip().upper()


def year_bounds(value: str) -> tuple[int | None, int | None] | None:
    """Year bounds: ``2010`` → (2010, 2010); ``2010-2020``, ``2010..``, ``>=2010``, ``<2000``.

    None if the value is not a year or a range of years.
    """
    value = value.strip()
    if value.isdigit() and len(value) <= 4:
        return int(value), int(value)
    if match := _YEAR_COMPARE.match(value):
        op, year = match.group(1), int(match.group(2))
        return {
            ">": (year + 1, None),
            ">=": (year, None),
            "<": (None, year - 1),
            "<=": (None, year),
        }[op]
    if (match := _YEAR_RANGE.match(value)) and (match.group(1) or match.group(2)):
        low = int(match.group(1)) if match.group(1) else None
        high = int(match.group(2)) if match.group(2) else None
        if low is not None and high is not None and low > high:
            low, high = high, low
        return low, high
    return None


# --- compiling to Tantivy -----------------------------------------------------------------------


@dataclass
class Compiler:
    """Turns a tree into a Tantivy query with building blocks supplied by the engine."""

    term: Callable[[str, str | None], object | None]
    prefix: Callable[[str, str | None], object | None]
    phrase: Callable[[list[str], str | None], object | None]
    value: Callable[[str, str], object | None]  # language/format/library exact value
    year: Callable[[int | None, int | None], object]
    all_docs: Callable[[], object]
    must: Callable[[list[object], list[object], list[object]], object]  # must, should, must_not
    warnings: list[str] = field(default_factory=list)

    def compile(self, node: Node | None) -> object | None:
        if node is None:
            return None
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, Phrase):
            return self._phrase(node)
        if isinstance(node, Not):
            child = self.compile(node.child)
            if child is None:
                return None
            return self.must([self.all_docs()], [], [child])
        if isinstance(node, Or):
            parts = [self.compile(c) for c in node.children]
            kept = [p for p in parts if p is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else self.must([], kept, [])
        return self._and(node)

    def _and(self, node: And) -> object | None:
        must: list[object] = []
        optional: list[object] = []
        must_not: list[object] = []
        stop_words: list[object] = []
        for child in node.children:
            if isinstance(child, Not):
                compiled = self.compile(child.child)
                if compiled is not None:
                    must_not.append(compiled)
                continue
            compiled = self.compile(child)
            if compiled is None:
                continue
            if (
                isinstance(child, Term)
                and child.field is None
                and not child.prefix
                and all(analysis.is_stop_word(t) for t in analysis.tokens(child.text))
            ):
                stop_words.append(compiled)
            else:
                must.append(compiled)
        if must:
            optional.extend(stop_words)
        else:
            must.extend(stop_words)
        if not must and not must_not:
            return None
        if not must:
            must.append(self.all_docs())
        if len(must) == 1 and not optional and not must_not:
            return must[0]
        return self.must(must, optional, must_not)

    def _term(self, node: Term) -> object | None:
        name = node.field
        if name == "year":
            bounds = year_bounds(node.text)
            if bounds is None:
                self.warnings.append(
                    _("“%(value)s” is not a year or a range of years, so it was ignored.")
                    % {"value": node.text[:40]}
                )
                return None
            return self.year(*bounds)
        if name == "language":
            return self.value("language", language_code(node.text))
        if name == "format":
            return self.value("format", format_code(node.text))
        if name == "library":
            return self.value("library", library_code(node.text))
        if node.prefix:
            words = analysis.tokens(node.text)
            if not words:
                return None
            if len(words) > 1:
                return self.phrase(words, name)
            return self.prefix(words[0], name)
        return self.term(node.text, name)

    def _phrase(self, node: Phrase) -> object | None:
        if node.field in {"year", "language", "format", "library"}:
            return self._term(Term(node.text, node.field))
        if node.field == "ident":
            return self.term(node.text, "ident")
        words = analysis.tokens(node.text)
        if not words:
            return None
        return self.phrase(words, node.field)
