"""Checks a SPARQL query must pass before any parser or engine sees it.

Parsers and query engines recurse over a query's structure: a few thousand nested groups ``{ { … } }`` or
a long chain of ``||`` overflow their stack, which kills the process. So the query's length, how deeply
its brackets nest and how many terms it has are measured first by a flat scan (no recursion), and a
query past a limit is refused with a 400 naming the limit. Federation (``SERVICE``) is refused here too,
failing closed: a query that mentions it and that the checking parser cannot read is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery

# A SPARQL query's \u and \U escapes are replaced before it is parsed (SPARQL 1.1, section 19.2), so
# ``\u0053ERVICE`` is the keyword SERVICE: checks read the query as the engine will.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<word>[\w?$@:.\-%\\]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryLimits:
    max_bytes: int
    max_depth: int
    max_terms: int


@dataclass(frozen=True)
class QueryShape:
    depth: int
    terms: int


class QueryRefused(Exception):
    """The query is refused before it is run; the message says which limit or rule, and what to do."""


def unescape_codepoints(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:  # beyond U+10FFFF: left as written, the engine refuses it
            return match.group(0)

    return _CODEPOINT.sub(replace, text)


def measure(text: str, max_depth: int, max_terms: int) -> QueryShape:
    """The deepest bracket nesting and the number of terms (IRIs, literals, names, operators) of a query.

    Stops counting as soon as a limit is passed (so a huge query costs no more than the limit).
    """
    depth = deepest = terms = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in {"space", "comment"}:
            continue
        terms += 1
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        if deepest > max_depth or terms > max_terms:
            break
    return QueryShape(deepest, terms)


def check_query_shape(text: str, limits: QueryLimits) -> str:
    """Refuse a query past a size limit; returns the query as the engine reads it (escapes replaced)."""
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise QueryRefused(
            f"The query is {size} bytes long; this endpoint's limit is {limits.max_bytes} bytes "
            "(SPARQL_MAX_QUERY_BYTES). Shorten it, or use the bulk downloads."
        )
    readable = unescape_codepoints(text)
    shape = measure(readable, limits.max_depth, limits.max_terms)
    if shape.depth > limits.max_depth:
        raise QueryRefused(
            f"The query nests groups or brackets more than {limits.max_depth} deep, this endpoint's limit "
            "(SPARQL_MAX_QUERY_DEPTH). Flatten the groups { … } and parentheses."
        )
    if shape.terms > limits.max_terms:
        raise QueryRefused(
            f"The query has more than {limits.max_terms} terms (names, values and operators), this "
            "endpoint's limit (SPARQL_MAX_QUERY_TERMS). Split it, or use the bulk downloads."
        )
    return readable


FEDERATION_REFUSED = (
    "Federated queries (SERVICE) are not allowed here: query other endpoints "
    "yourself, or load their data beside the hub's downloads."
)


def check_no_federation(readable: str) -> None:
    """Refuse ``SERVICE``: the engine would fetch any URL it names, from inside the hub's network.

    ``readable`` is the query with its escapes replaced (``check_query_shape``). A query that mentions
    the word and that rdflib's SPARQL 1.1 parser cannot read (SPARQL 1.2 syntax, say) is refused too:
    the check fails closed rather than letting an unread query through to the engine.
    """
    if "service" not in readable.lower():
        return  # the common case: no parse needed
    try:
        parsed = parseQuery(readable)
    except (ParseException, ValueError, TypeError, RecursionError) as exc:
        raise QueryRefused(
            f"{FEDERATION_REFUSED} This query mentions SERVICE and the hub could not check it "
            f"({exc.__class__.__name__}), so it is refused; if SERVICE is only a word in a string, "
            "write the query in SPARQL 1.1."
        ) from None
    if "ServiceGraphPattern" in repr(parsed):
        raise QueryRefused(FEDERATION_REFUSED)


def names_dataset(readable: str) -> bool:
    """Whether the query names its own dataset (``FROM`` or ``FROM NAMED``), read as the engine reads it
    (a word in a string, an IRI or a comment does not count). Without one, the endpoint's default graph
    is the union of the named graphs."""
    if "from" not in readable.lower():
        return False  # the common case: no scan needed
    return any(
        match.lastgroup == "word" and match.group().upper() == "FROM"
        for match in _TOKEN.finditer(readable)
    )


QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def query_form(readable: str) -> str | None:
    """The query's form (SELECT, ASK, CONSTRUCT or DESCRIBE): its first keyword of the four, read as the
    engine reads it (a word in a comment, a string or an IRI does not count); None if it has none."""
    for match in _TOKEN.finditer(readable):
        if match.lastgroup == "word" and match.group().upper() in QUERY_FORMS:
            return match.group().upper()
    return None
