"""CQL (Contextual Query Language, as in SRU 1.2 and 2.0) parsed into a small tree.

A recursive-descent parser of the CQL grammar: prefix assignments, search clauses
(``index relation/modifiers term`` or a bare term), the booleans ``and``, ``or``,
``not`` and ``prox`` (left-associative, equal precedence, each with modifiers),
parentheses and ``sortby``. Keywords are case-insensitive; terms keep their escapes
(``\\*`` is a literal asterisk), so masking is decided where the term is used.

PyPI has only one CQL parser (cql-parser 1.0.2, one release, vendored PLY, untyped);
this one is small enough to keep here, typed and tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_QUERY_CHARS = 2000
MAX_DEPTH = 32
MAX_CLAUSES = 64
BOOLEANS = {"and", "or", "not", "prox"}
SYMBOLS = ("==", "<>", "<=", ">=", "=", "<", ">")
DEFAULT_INDEX = "cql.serverChoice"
DEFAULT_RELATION = "="


class CQLError(ValueError):
    """A query that cannot be parsed or used: an SRU diagnostic number, message and details."""

    def __init__(self, number: int, message: str, details: str = "") -> None:
        super().__init__(message)
        self.number = number
        self.message = message
        self.details = details


@dataclass(frozen=True)
class Modifier:
    name: str  # lower-cased, prefix kept (e.g. "distance", "sort.descending")
    comparison: str = ""
    value: str = ""


@dataclass(frozen=True)
class SearchClause:
    index: str  # as written (lower-cased); DEFAULT_INDEX when the query gave a bare term
    relation: str  # lower-cased symbol or name
    term: str  # as written, escapes kept
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class BooleanNode:
    operator: str  # and, or, not, prox
    left: Node
    right: Node
    modifiers: tuple[Modifier, ...] = ()


Node = SearchClause | BooleanNode


@dataclass(frozen=True)
class SortKey:
    index: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass
class Query:
    root: Node
    sort_keys: list[SortKey] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)  # prefix (or "") -> context set URI


# --- lexing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, QUOTED, SYMBOL, LPAREN, RPAREN, SLASH
    text: str
    position: int


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()/":
            kind = {"(": "LPAREN", ")": "RPAREN", "/": "SLASH"}[c]
            found.append(Token(kind, c, i))
            i += 1
        elif c in "=<>":
            symbol = next(s for s in SYMBOLS if text.startswith(s, i))
            found.append(Token("SYMBOL", symbol, i))
            i += len(symbol)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise CQLError(14, "Invalid or unsupported use of quotes", str(i + 1))
            found.append(Token("QUOTED", text[i + 1 : j], i))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()/=<>"':
                j += 2 if text[j] == "\\" and j + 1 < n else 1
            found.append(Token("WORD", text[i:j], i))
            i = j
    return found


# --- parsing ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.pos = 0
        self.depth = 0
        self.clauses = 0

    def peek(self, offset: int = 0) -> Token | None:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise CQLError(10, "Query syntax error", "the query ends too early")
        self.pos += 1
        return token

    def is_word(self, token: Token | None, *values: str) -> bool:
        return token is not None and token.kind == "WORD" and token.text.lower() in values

    def fail(self, what: str) -> CQLError:
        token = self.peek()
        where = f"at {token.position + 1} ({token.text!r})" if token else "at the end"
        return CQLError(10, "Query syntax error", f"{what} {where}")

    def query(self) -> Query:
        prefixes = self.prefix_assignments()
        root = self.scoped_clause()
        sort_keys: list[SortKey] = []
        if self.is_word(self.peek(), "sortby"):
            self.take()
            while self.peek() is not None and self.peek().kind in {"WORD", "QUOTED"}:  # type: ignore[union-attr]
                index = self.take().text.lower()
                sort_keys.append(SortKey(index, self.modifiers()))
            if not sort_keys:
                raise self.fail("sortby needs an index")
        if self.peek() is not None:
            raise self.fail("unexpected")
        return Query(root, sort_keys, prefixes)

    def prefix_assignments(self) -> dict[str, str]:
        prefixes: dict[str, str] = {}
        while (token := self.peek()) is not None and token.kind == "SYMBOL" and token.text == ">":
            self.take()
            first = self.term_token("a context set after >")
            following = self.peek()
            if following is not None and following.kind == "SYMBOL" and following.text == "=":
                self.take()
                prefixes[first.lower()] = self.term_token("a context set identifier")
            else:
                prefixes[""] = first
        return prefixes

    def term_token(self, what: str) -> str:
        token = self.peek()
        if token is None or token.kind not in {"WORD", "QUOTED"}:
            raise self.fail(f"expected {what}")
        return self.take().text

    def scoped_clause(self) -> Node:
        node = self.search_clause()
        while self.is_word(self.peek(), *BOOLEANS):
            operator = self.take().text.lower()
            modifiers = self.modifiers()
            right = self.search_clause()
            node = BooleanNode(operator, node, right, modifiers)
        return node

    def search_clause(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.fail("expected a search term")
        if token.kind == "LPAREN":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CQLError(10, "Query syntax error", "too many nested parentheses")
            self.prefix_assignments()
            node = self.scoped_clause()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise self.fail("expected )")
            self.take()
            self.depth -= 1
            return node
        if token.kind not in {"WORD", "QUOTED"}:
            raise self.fail("expected a search term")
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise CQLError(10, "Query syntax error", f"more than {MAX_CLAUSES} search clauses")
        following = self.peek(1)
        starts_relation = following is not None and (
            following.kind == "SYMBOL"
            or (
                following.kind == "WORD"
                and following.text.lower() not in BOOLEANS | {"sortby"}
                and token.kind == "WORD"
            )
        )
        if not starts_relation:
            return SearchClause(DEFAULT_INDEX.lower(), DEFAULT_RELATION, self.take().text)
        index = self.take().text.lower()
        relation = self.take().text.lower()
        modifiers = self.modifiers()
        term = self.peek()
        if term is None or term.kind not in {"WORD", "QUOTED"}:
            raise self.fail("expected a search term after the relation")
        return SearchClause(index, relation, self.take().text, modifiers)

    def modifiers(self) -> tuple[Modifier, ...]:
        found: list[Modifier] = []
        while (token := self.peek()) is not None and token.kind == "SLASH":
            self.take()
            name = self.term_token("a modifier name after /").lower()
            comparison = value = ""
            following = self.peek()
            if following is not None and following.kind == "SYMBOL":
                comparison = self.take().text
                value = self.term_token("a modifier value")
            found.append(Modifier(name, comparison, value))
        return tuple(found)


def parse(text: str) -> Query:
    """Parse a CQL query; CQLError (diagnostic 10, or 27 for an empty query) if it is not one."""
    if len(text) > MAX_QUERY_CHARS:
        raise CQLError(12, "Too many characters in query", str(MAX_QUERY_CHARS))
    if not text.strip():
        raise CQLError(27, "Empty term unsupported", "the query is empty")
    try:
        return _Parser(text).query()
    except RecursionError:
        raise CQLError(10, "Query syntax error", "the query is nested too deeply") from None


# --- terms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Masked:
    """A term with its masking decided: the text, and a trailing * (right truncation)."""

    text: str
    right_truncated: bool = False


def masked(term: str) -> Masked:
    """Unescape a term; a trailing unescaped * is truncation, other masking is refused (28)."""
    out: list[str] = []
    truncated = False
    i = 0
    while i < len(term):
        c = term[i]
        if c == "\\" and i + 1 < len(term):
            out.append(term[i + 1])
            i += 2
            continue
        if c == "*" and i == len(term) - 1 and i > 0:
            truncated = True
        elif c in "*?":
            raise CQLError(28, "Masking character not supported", term[:100])
        elif c == "^":
            raise CQLError(31, "Anchoring character not supported", term[:100])
        else:
            out.append(c)
        i += 1
    return Masked("".join(out), truncated)
