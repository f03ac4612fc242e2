"""CQL onto the catalogue's search engine: indexes, relations and booleans to Tantivy queries.

Leaves become the search box's own tree (`simpul.catalog.search.query`) and are compiled
by the engine's compiler, so SRU searches analyse, stem and rank exactly as the site's
search does. Only what that tree cannot say is built here: `rec.id`, proximity and
`cql.allRecords`.
"""

from __future__ import annotations

from dataclasses import dataclass

from simpul.catalog.search import SearchIndex, Sort, analysis
from simpul.catalog.search import query as tree
from simpul.catalog.search.query import MIN_PREFIX
from simpul.protocols import cql
from simpul.protocols.cql import CQLError

CONTEXT_SETS = {
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
    "rec": "info:srw/cql-context-set/2/rec-1.1",
    "simpul": "urn:x-simpul:cql-context-set:1.0",
}
KNOWN_SET_URIS = {
    **{uri: name for name, uri in CONTEXT_SETS.items()},
    "info:srw/cql-context-set/1/cql-v1.1": "cql",
    "info:srw/cql-context-set/1/cql-v1.2": "cql",
    "info:srw/cql-context-set/1/dc-v1.1": "dc",
    "http://purl.org/dc/elements/1.1/": "dc",
}

# index -> (kind, search field). Kinds: text, year, value, ident, id, all.
INDEXES: dict[str, tuple[str, str | None]] = {
    "cql.anywhere": ("text", None),
    "cql.serverchoice": ("text", None),
    "cql.keywords": ("text", None),
    "cql.allrecords": ("all", None),
    "dc.title": ("text", "title"),
    "dc.creator": ("text", "author"),
    "dc.contributor": ("text", "author"),
    "dc.subject": ("text", "subject"),
    "dc.publisher": ("text", None),  # no publisher field in the index: searched everywhere
    "dc.description": ("text", None),
    "dc.date": ("year", "year"),
    "dc.language": ("value", "language"),
    "dc.type": ("value", "format"),
    "dc.identifier": ("ident", "ident"),
    "bath.isbn": ("ident", "ident"),
    "bath.issn": ("ident", "ident"),
    "bath.standardidentifier": ("ident", "ident"),
    "bath.title": ("text", "title"),
    "bath.name": ("text", "author"),
    "bath.author": ("text", "author"),
    "bath.subject": ("text", "subject"),
    "rec.id": ("id", None),
    "simpul.library": ("value", "library"),
    "simpul.format": ("value", "format"),
    "simpul.language": ("value", "language"),
}
RELATIONS = {
    "text": {"=", "==", "all", "any", "adj", "<>"},
    "year": {"=", "==", "<", ">", "<=", ">=", "within", "any", "<>"},
    "value": {"=", "==", "any", "<>"},
    "ident": {"=", "==", "any", "<>"},
    "id": {"=", "==", "any", "<>"},
    "all": {"=", "==", "any", "all", "adj"},
}
HARMLESS_MODIFIERS = {"stem", "relevant", "cql.stem", "cql.relevant", "cql.string", "string"}
SORT_INDEXES = {"dc.date": "year", "dc.title": "title"}


@dataclass
class Compiled:
    query: object  # a tantivy Query
    sort: Sort


def index_name(raw: str, prefixes: dict[str, str]) -> str:
    """The index as set.name with a known set; diagnostics 15 and 16 otherwise."""
    prefix, dot, name = raw.rpartition(".")
    if not dot:
        prefix, name = "", raw
        if raw in {"anywhere", "serverchoice", "keywords", "allrecords"}:
            prefix = "cql"
    if not prefix and "" in prefixes:
        prefix = KNOWN_SET_URIS.get(prefixes[""], "")
    elif prefix in prefixes:
        assigned = KNOWN_SET_URIS.get(prefixes[prefix])
        if assigned is None:
            raise CQLError(15, "Unsupported context set", prefixes[prefix][:200])
        prefix = assigned
    if not prefix:
        prefix = "cql" if name in {"anywhere", "serverchoice"} else "dc"
    if prefix not in CONTEXT_SETS:
        raise CQLError(15, "Unsupported context set", prefix[:100])
    full = f"{prefix}.{name}"
    if full not in INDEXES:
        raise CQLError(16, "Unsupported index", raw[:100])
    return full


class _Builder:
    def __init__(self, index: SearchIndex, prefixes: dict[str, str]) -> None:
        self.index = index
        self.compiler = index.compiler()
        self.prefixes = prefixes

    def node(self, node: cql.Node) -> object:
        if isinstance(node, cql.BooleanNode):
            return self.boolean(node)
        return self.clause(node)

    def boolean(self, node: cql.BooleanNode) -> object:
        if node.operator == "prox":
            return self.proximity(node)
        for modifier in node.modifiers:
            raise CQLError(46, "Unsupported boolean modifier", modifier.name[:100])
        left, right = self.node(node.left), self.node(node.right)
        must = self.compiler.must
        if node.operator == "and":
            return must([left, right], [], [])
        if node.operator == "or":
            return must([], [left, right], [])
        return must([left], [], [right])

    def proximity(self, node: cql.BooleanNode) -> object:
        left, right = node.left, node.right
        if not (isinstance(left, cql.SearchClause) and isinstance(right, cql.SearchClause)):
            raise CQLError(39, "Proximity not supported", "only between two single words")
        fields = {self.kind_and_field(c)[1] for c in (left, right)}
        kinds = {self.kind_and_field(c)[0] for c in (left, right)}
        words = [cql.masked(c.term).text.split() for c in (left, right)]
        if kinds != {"text"} or len(fields) != 1 or any(len(w) != 1 for w in words):
            raise CQLError(
                39, "Proximity not supported", "only between two single words of one index"
            )
        distance, ordered = 1, False
        for modifier in node.modifiers:
            name = modifier.name.removeprefix("prox.")
            if name == "unit":
                if modifier.value.lower() != "word":
                    raise CQLError(42, "Unsupported proximity unit", modifier.value[:50])
            elif name == "distance":
                if not modifier.value.isdigit() or modifier.comparison not in {"<=", "<", "="}:
                    raise CQLError(41, "Unsupported proximity distance", modifier.value[:50])
                distance = int(modifier.value) - (1 if modifier.comparison == "<" else 0)
            elif name in {"ordered", "unordered"}:
                ordered = name == "ordered"
            else:
                raise CQLError(40, "Unsupported proximity relation", modifier.name[:50])
        if distance < 1:
            raise CQLError(41, "Unsupported proximity distance", str(distance))
        field = fields.pop()
        terms = [analysis.tokens(w[0]) for w in words]
        if any(len(t) != 1 for t in terms):
            raise CQLError(39, "Proximity not supported", "only between two single words")
        return self.index.near([terms[0][0], terms[1][0]], field, distance, ordered)

    def kind_and_field(self, clause: cql.SearchClause) -> tuple[str, str | None]:
        return INDEXES[index_name(clause.index, self.prefixes)]

    def clause(self, clause: cql.SearchClause) -> object:
        name = index_name(clause.index, self.prefixes)
        kind, field = INDEXES[name]
        relation = clause.relation
        if relation not in RELATIONS[kind]:
            raise CQLError(19, "Unsupported relation", relation[:20])
        for modifier in clause.modifiers:
            if modifier.name not in HARMLESS_MODIFIERS:
                raise CQLError(20, "Unsupported relation modifier", modifier.name[:100])
        if kind == "all":
            return self.compiler.all_docs()
        if relation == "<>":
            positive = cql.SearchClause(clause.index, "=", clause.term, clause.modifiers)
            return self.compiler.must([self.compiler.all_docs()], [], [self.clause(positive)])
        term = cql.masked(clause.term)
        if not term.text.strip():
            raise CQLError(27, "Empty term unsupported")
        if kind == "text":
            return self.text(term, field, relation)
        if kind == "year":
            return self.year(term.text, relation, clause.term)
        if kind == "id":
            numbers = term.text.split()
            if not numbers or not all(n.isdigit() and len(n) < 19 for n in numbers):
                raise CQLError(36, "Term in invalid format for index or relation", term.text[:100])
            return self.index.cluster_ids_query(int(n) for n in numbers)
        values = term.text.split() if relation == "any" else [term.text]
        nodes: list[tree.Node] = [tree.Term(v, field) for v in values]
        return self.compile(tree.Or(tuple(nodes)) if len(nodes) > 1 else nodes[0])

    def text(self, term: cql.Masked, field: str | None, relation: str) -> object:
        words = term.text.split()
        if relation in {"adj", "=="}:
            if term.right_truncated:
                raise CQLError(33, "Combination of proximity/adjacency and masking not supported")
            return self.compile(tree.Phrase(term.text, field))
        nodes: list[tree.Node] = [tree.Term(w, field) for w in words]
        if term.right_truncated:
            last = words[-1]
            if len(last) < MIN_PREFIX:
                raise CQLError(29, "Masked words too short", str(MIN_PREFIX))
            nodes[-1] = tree.Term(last, field, prefix=True)
        if len(nodes) == 1:
            return self.compile(nodes[0])
        return self.compile(tree.Or(tuple(nodes)) if relation == "any" else tree.And(tuple(nodes)))

    def year(self, text: str, relation: str, raw: str) -> object:
        def bounds(value: str) -> str:
            if not (value.isdigit() and len(value) <= 4):
                raise CQLError(36, "Term in invalid format for index or relation", raw[:100])
            return value

        if relation == "within":
            parts = text.split()
            if len(parts) != 2:
                raise CQLError(36, "Term in invalid format for index or relation", raw[:100])
            return self.compile(tree.Term(f"{bounds(parts[0])}-{bounds(parts[1])}", "year"))
        if relation == "any":
            years = [tree.Term(bounds(v), "year") for v in text.split()]
            return self.compile(tree.Or(tuple(years)) if len(years) > 1 else years[0])
        value = bounds(text.strip())
        prefix = "" if relation in {"=", "=="} else relation
        return self.compile(tree.Term(f"{prefix}{value}", "year"))

    def compile(self, node: tree.Node) -> object:
        compiled = self.compiler.compile(node)
        if compiled is None:
            raise CQLError(35, "Term contains only stopwords or no searchable characters")
        return compiled


def sort_of(keys: list[cql.SortKey], prefixes: dict[str, str]) -> Sort:
    """The engine's sort for CQL sortby keys (one key: dc.date or dc.title)."""
    if not keys:
        return Sort.RELEVANCE
    if len(keys) > 1:
        raise CQLError(84, "Too many sort keys", "1")
    key = keys[0]
    try:
        name = index_name(key.index, prefixes)
    except CQLError:
        raise CQLError(88, "Unsupported path for sort", key.index[:100]) from None
    if name not in SORT_INDEXES:
        raise CQLError(88, "Unsupported path for sort", key.index[:100])
    descending = False
    for modifier in key.modifiers:
        bare = modifier.name.removeprefix("sort.")
        if bare in {"descending", "ascending"}:
            descending = bare == "descending"
        elif bare not in {"ignorecase", "respectcase", "missinglow", "missinghigh", "missingomit"}:
            raise CQLError(90, "Unsupported direction", modifier.name[:100])
    if SORT_INDEXES[name] == "year":
        return Sort.YEAR_DESC if descending else Sort.YEAR_ASC
    if descending:
        raise CQLError(90, "Unsupported direction", "descending title order")
    return Sort.TITLE


def compile_query(text: str, index: SearchIndex) -> Compiled:
    """A CQL query as a Tantivy query with its sort; CQLError with the SRU diagnostic if not."""
    parsed = cql.parse(text)
    builder = _Builder(index, parsed.prefixes)
    return Compiled(builder.node(parsed.root), sort_of(parsed.sort_keys, parsed.prefixes))
