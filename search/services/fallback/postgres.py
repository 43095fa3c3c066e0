"""The database search's engine on PostgreSQL: its own full-text search, and pg_trgm for typos.

The candidates' documents (``search.documents``' builders, as Elasticsearch gets them) are sent in
one query as arrays and ranked there: ``to_tsvector('english', …)`` per column, weighted A (title),
B (tags, service areas, councils), C (summary) and D (body), ``ts_rank`` with weights in the
Elasticsearch path's proportions (4 : 3 : 2 : 1), and ``ts_headline`` for the passages and titles
shown. The tsquery is built by Django's ``SearchQuery`` from the words of ``synonyms.terms`` (each
word or phrase a parameter to ``plainto_tsquery``/``phraseto_tsquery``), so nothing a person types
reaches ``to_tsquery`` as syntax. "Did you mean" asks pg_trgm (``TrigramWordSimilarity``) for the
titles and tags the searcher may see that hold a word close to each unknown word, through its
``<%`` operator, which the titles' trigram index serves (``communities`` migration 0009).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, Func, TextField, Value
from django.db.models.expressions import RawSQL

from communities.models import CommunityPage
from hub.floor.actor import Actor
from search import synonyms
from search.services.fallback.text import CLOSE, COLUMNS, OPEN, SNIPPET_WORDS, searchable
from search.services.fallback.visible import TITLE_FIELDS, visible_querysets, visible_tags

NAME = "PostgreSQL full-text search (english)"
CONFIG = "english"
WEIGHTS = dict(zip(COLUMNS, "ABBBCD", strict=True))
# ts_rank's weights for D, C, B, A: the boosts of ``text.BOOSTS`` (1, 2, 3, 4) divided by 4
RANK_WEIGHTS = [0.25, 0.5, 0.75, 1.0]
SIMILAR = 0.45  # word similarity of a title or tag to an unknown word, to look at its words
# the trigram operator's threshold, below ``SIMILAR`` so that it keeps every row ``SIMILAR`` keeps
# (pg_trgm compares in single precision), letting the index find them
LOOSER = 0.44
THRESHOLD = "pg_trgm.word_similarity_threshold"
CLOSE_ENOUGH = 0.75  # a suggested word's similarity to the unknown word (difflib's ratio)
DOCS = "unnest(%s::int[], {}) AS d(i, {})".format(
    ", ".join(["%s::text[]"] * len(COLUMNS)), ", ".join(COLUMNS)
)


def _column(name: str) -> RawSQL:
    return RawSQL(f"d.{name}", [], output_field=TextField())  # noqa: S611 - a column name of ours


def tsquery(terms: list[synonyms.Term]) -> SearchQuery:
    """Every positive term (any of its alternatives, a phrase when several words), none of the
    negated ones; words only, as parameters."""

    def alternative(words: tuple[str, ...]) -> SearchQuery:
        kind = "phrase" if len(words) > 1 else "plain"
        return SearchQuery(" ".join(words), search_type=kind, config=CONFIG)

    def group(term: synonyms.Term) -> SearchQuery:
        return reduce(or_, (alternative(a) for a in term.alternatives))

    query = reduce(and_, (group(t) for t in terms if not t.negated))
    for term in terms:
        if term.negated:
            query = query & ~group(term)
    return query


def _sql(expression: Expression) -> tuple[str, list[Any]]:
    """``expression`` compiled for the default connection (it reads columns of ``DOCS``)."""
    query = CommunityPage.objects.none().query  # any model's query compiles an expression
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(expression.resolve_expression(query))
    return sql, list(params)


def _docs_params(docs: list[dict]) -> list[Any]:
    columns = list(zip(*(searchable(doc) for doc in docs), strict=True))
    return [list(range(len(docs))), *(list(c) for c in columns)]


def rank(docs: list[dict], terms: list[synonyms.Term]) -> list[int]:
    """Positions in ``docs`` of the documents matching ``terms``, best first."""
    vectors = [SearchVector(_column(c), config=CONFIG, weight=WEIGHTS[c]) for c in COLUMNS]
    vector: Expression = vectors[0]
    for more in vectors[1:]:
        vector = vector + more  # SearchVector's ``||``
    vector_sql, vector_params = _sql(vector)
    query_sql, query_params = _sql(tsquery(terms))
    # each document's vector is computed once (``x.v``), for the match and the rank
    rank_sql, rank_params = _sql(
        SearchRank(
            RawSQL("x.v", [], output_field=SearchVectorField()),
            RawSQL("y.q", [], output_field=SearchQueryField()),
            weights=RANK_WEIGHTS,
        )
    )
    sql = (
        f"SELECT d.i FROM {DOCS} CROSS JOIN LATERAL (SELECT {vector_sql} AS v) AS x, "  # noqa: S608 - compiled expressions; values are parameters
        f"(SELECT {query_sql} AS q) AS y WHERE x.v @@ y.q ORDER BY {rank_sql} DESC, d.i"
    )
    params = [*_docs_params(docs), *vector_params, *query_params, *rank_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def marks(docs: list[dict], terms: list[synonyms.Term]) -> list[tuple[str, str, str]]:
    """(title, body passage, summary passage) of each document, matches between the markers."""
    if not docs:
        return []
    query = tsquery(terms)
    options: dict[str, Any] = {"start_sel": OPEN, "stop_sel": CLOSE, "config": CONFIG}
    passage = {
        **options,
        "max_words": SNIPPET_WORDS,
        "min_words": SNIPPET_WORDS // 3,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    parts = [
        _sql(SearchHeadline(_column("title"), query, highlight_all=True, **options)),
        _sql(SearchHeadline(_column("body"), query, **passage)),
        _sql(SearchHeadline(_column("summary"), query, **passage)),
    ]
    sql = f"SELECT d.i, {', '.join(s for s, _ in parts)} FROM {DOCS} ORDER BY d.i"  # noqa: S608 - compiled expressions
    params = [p for _, ps in parts for p in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *_docs_params(docs)])
        return [(title, body, summary) for _, title, body, summary in cursor.fetchall()]


class WordSimilar(Func):
    """``word <% text``: pg_trgm's word similarity at least ``pg_trgm.word_similarity_threshold``,
    the test a trigram index on ``text`` answers (``WORD_SIMILARITY`` alone means a scan)."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


@contextmanager
def _word_similarity_threshold(value: float) -> Iterator[None]:
    """Inside a transaction, ``WordSimilar`` with ``value`` as its threshold; the previous one after."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_setting('{THRESHOLD}', true), set_config('{THRESHOLD}', %s, true)",
            [str(value)],
        )
        previous = cursor.fetchone()[0]
        try:
            yield
        finally:
            if previous is not None:
                cursor.execute(f"SELECT set_config('{THRESHOLD}', %s, true)", [previous])


def _close_texts(user: Actor, word: str) -> list[str]:
    """Titles and tags ``user`` may see holding a word like ``word`` (pg_trgm), closest first; call
    inside ``_word_similarity_threshold(LOOSER)``."""
    visible = visible_querysets(user)
    found: list[tuple[float, str]] = []
    sources = [(visible[name], field) for name, field in TITLE_FIELDS.items()]
    sources += [(rows, "tag__name") for rows in visible_tags(user, visible).values()]
    for rows, field in sources:
        close = (
            rows.filter(WordSimilar(Value(word), F(field)))  # the index's part, a little looser
            .annotate(similar=TrigramWordSimilarity(word, field))
            .filter(similar__gte=SIMILAR)
            .order_by("-similar")
            .values_list("similar", field)[:10]
        )
        found += list(close)
    return [text for _, text in sorted(found, key=lambda row: -row[0])]


def corrections(user: Actor, words: list[str]) -> dict[str, str]:
    """For each of ``words`` (lower case) not in what ``user`` may see, the closest word that is."""
    with _word_similarity_threshold(LOOSER):
        return _corrections(user, words)


def _corrections(user: Actor, words: list[str]) -> dict[str, str]:
    out = {}
    for word in words:
        near = {
            w
            for text in _close_texts(user, word)
            for w in synonyms.WORD.findall(text.lower())
            if len(w) > 2
        }
        if word in near:
            continue
        close = difflib.get_close_matches(word, near, n=1, cutoff=CLOSE_ENOUGH)
        if close:
            out[word] = close[0]
    return out


ALTERNATIVES_SQL = (
    "SELECT a.i, (CASE WHEN a.phrase THEN phraseto_tsquery(%s::regconfig, a.t) "
    "ELSE plainto_tsquery(%s::regconfig, a.t) END)::text "
    "FROM unnest(%s::int[], %s::text[], %s::bool[]) AS a(i, t, phrase)"
)


def tsquery_texts(queries: list[list[synonyms.Term]]) -> list[str]:
    """Each query's tsquery as text, the same as ``tsquery`` builds it (each word or phrase through
    ``plainto_tsquery``/``phraseto_tsquery``, in one statement for all of them; an alternative that
    is only stop words drops out of its ``||`` and ``&&`` as PostgreSQL drops it); "" for a query
    left with nothing to look for."""
    alternatives: dict[tuple[str, ...], int] = {}
    for terms in queries:
        for term in terms:
            for words in term.alternatives:
                alternatives.setdefault(words, len(alternatives))
    if not alternatives:
        return ["" for _ in queries]
    ordered = list(alternatives)
    with connection.cursor() as cursor:
        cursor.execute(
            ALTERNATIVES_SQL,
            [
                CONFIG,
                CONFIG,
                list(range(len(ordered))),
                [" ".join(words) for words in ordered],
                [len(words) > 1 for words in ordered],
            ],
        )
        text = dict(cursor.fetchall())

    def group(term: synonyms.Term) -> str:
        parts = [text[alternatives[words]] for words in term.alternatives]
        parts = [f"( {p} )" for p in parts if p]
        return "( " + " | ".join(parts) + " )" if parts else ""

    out = []
    for terms in queries:
        positive = [g for t in terms if not t.negated if (g := group(t))]
        negative = [f"!{g}" for t in terms if t.negated if (g := group(t))]
        out.append(" & ".join(positive + negative))
    return out


def matches(
    docs: list[dict], queries: list[list[synonyms.Term]], pairs: list[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Which (query position, document position) ``pairs`` match: ``rank``'s test (each document's
    vector ``@@`` the query's tsquery) for every pair in one statement, whatever their number."""
    texts = tsquery_texts(queries)
    pairs = [(q, d) for q, d in pairs if texts[q]]
    if not pairs or not docs:
        return set()
    vectors = [SearchVector(_column(c), config=CONFIG, weight=WEIGHTS[c]) for c in COLUMNS]
    vector: Expression = vectors[0]
    for more in vectors[1:]:
        vector = vector + more
    vector_sql, vector_params = _sql(vector)
    # one row per pair with its query's text (no join between two unnested lists, which the
    # planner cannot size); each document's vector is computed once (``MATERIALIZED``)
    sql = (
        f"WITH x AS MATERIALIZED (SELECT d.i, {vector_sql} AS v FROM {DOCS}) "  # noqa: S608 - compiled expressions; values are parameters
        "SELECT p.n FROM unnest(%s::int[], %s::text[]) WITH ORDINALITY AS p(d, s, n) "
        "JOIN x ON x.i = p.d WHERE x.v @@ p.s::tsquery"
    )
    params = [
        *vector_params,
        *_docs_params(docs),
        [d for _, d in pairs],
        [texts[q] for q, _ in pairs],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pairs[n - 1] for (n,) in cursor.fetchall()}
