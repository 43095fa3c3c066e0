"""Search through the database, with the same permission rules, fields, boosts, synonyms and filters.

Used when ``ELASTICSEARCH_URL`` is unset and whenever Elasticsearch fails. The same public functions
on both databases; only the ranking engine differs (``engine()``):

1. candidates: per type of content, what the searcher may see (``visible_querysets``, the
   communities' own permission functions) narrowed in the database to rows containing the start
   of every word looked for (a superset of the matches, at most ``LIMIT`` per type), which
   PostgreSQL finds through trigram indexes (``communities`` migration 0009, ``_narrowed``);
2. ranking: the candidates' documents, built by the same functions as the Elasticsearch
   documents (``search.documents``), are ranked over the Elasticsearch path's fields and boosts by
   PostgreSQL's full-text search (``postgres``) or, on SQLite, an in-memory FTS5 table (``fts5``);
   the query is built from words only (``synonyms.terms``, the shared synonym list), so nothing a
   person types reaches either engine as syntax;
3. filters and facets: the ranked documents carry the fields Elasticsearch filters and facets on,
   so every filter of the page and the API applies, with the same disjunctive counts (each facet
   counts under every other facet's filter), over what the searcher may see only;
4. highlights (titles and passages) are the engine's, escaped, with ``<mark>`` around matches;
   "did you mean" looks for close words in the titles and tags the searcher may see (pg_trgm, or
   difflib on SQLite), offered only if the corrected search finds something.

Counts and filters cover the candidates: with more than ``LIMIT`` rows of one type containing the
words (or, with filters and no words, more than ``LIMIT`` of one type), the newest are considered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import and_, or_
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Model, Q, QuerySet

from hub.floor.actor import Actor
from search import synonyms
from search.documents import DOC_TYPES
from search.queries import (
    FACETS,
    PER_PAGE,
    Hit,
    SearchParams,
    SearchResults,
    _community_titles,
    _facets,
    clean_text,
)
from search.services.fallback import fts5, postgres
from search.services.fallback.text import OPEN, marked, pick_snippet
from search.services.fallback.visible import (
    TITLE_FIELDS,
    visible_querysets,
    visible_tag_names,
)

__all__ = [
    "database_autocomplete",
    "database_search",
    "did_you_mean",
    "engine",
    "visible_querysets",
]

LIMIT = 500  # candidates considered per type of content
PREFIX = 4  # characters of each word a candidate must contain (so "caddies" finds "caddy")

# the database fields holding each searched text, per type (the documents' sources)
CANDIDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "community": (
        "title",
        "description",
        "tags__name",
        "councils__short_name",
        "councils__gss_code",
    ),
    "thread": ("title", "body", "tags__name"),
    "post": ("body",),
    "good_practice": (
        "title",
        "summary",
        "problem",
        "approach",
        "outcomes",
        "evidence",
        "savings_measurement",
        "tags__name",
        "service_areas__name",
        "service_areas__parent__name",
        "councils__short_name",
        "councils__name",
        "councils__gss_code",
    ),
    "profile": ("display_name", "job_title", "bio", "expertise__name", "council__short_name"),
    "area": ("short_name", "name", "gss_code", "former_gss_codes"),
    "measure": ("label", "description", "source"),
}
# the types whose fields lie in several large tables, looked for through their trigram indexes first
# (``_narrowed``); communities and case studies number a few thousand at most
NARROWED = ("thread", "profile")
NARROW = 2000  # most ids of one type a term's rows are narrowed to (more: the plain filter)
MULTI_VALUED = ("tags__", "councils__", "service_areas__", "expertise__")
# each filter's values in a document (the Elasticsearch fields of ``search.queries.FACETS``)
FACET_FIELDS = {facet.param: facet.field for facet in FACETS}
FACET_SIZES = {"year": 30}  # values shown per facet (20 otherwise, as Elasticsearch's)

NO_WORDS = "Type a word to search for: punctuation alone finds nothing."
ONLY_EXCLUSIONS = "Add a word to look for as well as the words to leave out."


def engine() -> ModuleType:
    """The ranking engine for the database in use: PostgreSQL's own full-text search, or FTS5."""
    return postgres if connection.vendor == "postgresql" else fts5


# -- candidates ------------------------------------------------------------------------------------


def _stem_prefix(word: str) -> str:
    return word if len(word) <= PREFIX else word[:PREFIX]


def _contains_all(fields: tuple[str, ...], words: Iterable[str]) -> Q:
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{f}__icontains": _stem_prefix(w)}) for f in fields)) for w in words),
    )


def _candidate_filter(doc_type: str, terms: list[synonyms.Term]) -> Q:
    fields = CANDIDATE_FIELDS[doc_type]
    return reduce(
        and_,
        (
            reduce(or_, (_contains_all(fields, words) for words in term.alternatives))
            for term in terms
            if not term.negated
        ),
    )


def _holding(model: type[Model], fields: tuple[str, ...], term: synonyms.Term) -> QuerySet[Any]:
    """The ids of ``model``'s rows (visible or not) holding, in one of ``fields``, the longest word
    of one of ``term``'s alternatives (so every row ``_candidate_filter`` keeps for ``term``): one
    ``SELECT`` per field and alternative, each served by its own trigram index on PostgreSQL, in
    one ``UNION ALL`` (an ``OR`` across the joined tables cannot use them)."""
    each = [
        model._base_manager.filter(**{f"{f}__icontains": _stem_prefix(max(words, key=len))})
        .order_by()
        .values_list("pk", flat=True)
        for words in term.alternatives
        for f in fields
    ]
    return each[0].union(*each[1:], all=True)


def _narrowed(queryset: QuerySet[Any], doc_type: str, terms: list[synonyms.Term]) -> QuerySet[Any]:
    """``queryset`` limited to the ids that may match each term, for terms found in at most
    ``NARROW`` rows: a rare word is then looked for through the indexes instead of through every
    visible row, while a common one keeps the plain filter, which stops at the ``LIMIT`` newest."""
    for term in terms:
        if term.negated:
            continue
        ids = list(_holding(queryset.model, CANDIDATE_FIELDS[doc_type], term)[: NARROW + 1])
        if len(ids) <= NARROW:  # all of them (counted with repeats: the union's rows, not its ids)
            queryset = queryset.filter(pk__in=sorted(set(ids)))
    return queryset


def _candidates(user: Actor, terms: list[synonyms.Term]) -> list[dict]:
    """The documents (as indexed) of visible rows that may match ``terms`` (with no terms: the
    newest visible rows), ``LIMIT`` per type at most."""
    found: list[dict] = []
    for name, queryset in visible_querysets(user).items():
        rows = queryset
        if terms:
            if name in NARROWED and connection.vendor == "postgresql":  # SQLite has no index
                queryset = _narrowed(queryset, name, terms)
            rows = queryset.filter(_candidate_filter(name, terms))
            if any(f.startswith(MULTI_VALUED) for f in CANDIDATE_FIELDS[name]):
                rows = queryset.filter(pk__in=rows.values("pk"))  # joins repeat rows: one each
        pks = list(rows.order_by("-pk").values_list("pk", flat=True)[:LIMIT])
        doc_type = DOC_TYPES[name]
        for obj in doc_type.queryset().filter(pk__in=pks):
            source = doc_type.source(obj)
            if source is not None:
                found.append(source)
    return found


def _matches(user: Actor, terms: list[synonyms.Term]) -> list[dict]:
    """The documents ``user`` may see matching ``terms``, best first (no terms: newest first)."""
    docs = _candidates(user, terms)
    if not terms:
        dated = [d for d in docs if isinstance(d.get("date"), datetime)]
        dated.sort(key=lambda d: d["date"], reverse=True)
        return dated + [d for d in docs if not isinstance(d.get("date"), datetime)]
    return [docs[i] for i in engine().rank(docs, terms)] if docs else []


# -- filters and facets ----------------------------------------------------------------------------


def _values(doc: dict, param: str) -> set[str]:
    """The values of filter ``param`` in ``doc``, as strings (as the filter's values are compared)."""
    value = doc.get(FACET_FIELDS[param])
    if value is None or value == "":
        return set()
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return {str(value)}


def _passes(doc: dict, selected: dict[str, set[str]], leave_out: str = "") -> bool:
    """Whether ``doc`` has one of the selected values of every filter (but ``leave_out``)."""
    return all(
        _values(doc, param) & values for param, values in selected.items() if param != leave_out
    )


def _buckets(docs: list[dict], selected: dict[str, set[str]]) -> dict[str, list[dict[str, Any]]]:
    """Per facet, its values and counts under every other facet's filter (disjunctive facets),
    shaped as Elasticsearch's buckets (``key``, ``doc_count``), most frequent first."""
    out = {}
    kinds = {facet.param: facet.kind for facet in FACETS}
    for param in FACET_FIELDS:
        counts: Counter[str] = Counter()
        for doc in docs:
            if _passes(doc, selected, leave_out=param):
                counts.update(_values(doc, param))
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: FACET_SIZES.get(param, 20)]
        out[param] = [
            {"key": int(k) if kinds[param] == "int" else k, "doc_count": n} for k, n in top
        ]
    return out


# -- did you mean ----------------------------------------------------------------------------------


def did_you_mean(user: Actor, q: str) -> str:
    """``q`` with unknown words replaced by close known ones, if that finds something ``user`` may see."""
    words = {
        w: w.lower()
        for w in set(synonyms.WORD.findall(q))
        if len(w) >= 4 and w.isalpha() and w not in ("AND", "OR", "NOT")
    }
    if not words:
        return ""
    found = engine().corrections(user, sorted(set(words.values())))
    corrected, changed = q, False
    for word, low in words.items():
        if low in found:
            corrected = corrected.replace(word, found[low])
            changed = True
    terms = synonyms.terms(corrected)
    if not changed or all(t.negated for t in terms):
        return ""
    return corrected if _matches(user, terms) else ""


# -- the search ------------------------------------------------------------------------------------


def _hit(doc: dict, title: str, snippet: str, communities: dict[int, tuple[str, bool]]) -> Hit:
    doc_type = DOC_TYPES[doc["doc_type"]]
    date = doc.get("date")
    community = ""
    if doc["doc_type"] != "community" and doc.get("community_id"):
        community = communities.get(doc["community_id"], ("", False))[0]
    return Hit(
        doc_type.doc_id(doc["object_id"]),
        doc_type.name,
        doc_type.label,
        doc.get("title") or "",
        doc.get("url") or "",
        marked(snippet),
        date.date().isoformat() if isinstance(date, datetime) else None,
        community=community,
        tags=list(doc.get("tags") or []),
        title_html=marked(title) if OPEN in title else None,
    )


def database_search(user: Actor, params: SearchParams, notice: str = "") -> SearchResults:
    """Results for ``params`` that ``user`` may see, ranked across types, with every filter."""
    notices = list(params.notices) + ([notice] if notice else [])
    if not params.q and not params.filters:
        return SearchResults(params, 0, [], [], "database", notices=notices)
    terms = synonyms.terms(params.q) if params.q else []
    if params.q and not terms:
        return SearchResults(params, 0, [], [], "database", notices=[*notices, NO_WORDS])
    if terms and all(t.negated for t in terms):
        return SearchResults(params, 0, [], [], "database", notices=[*notices, ONLY_EXCLUSIONS])
    found = _matches(user, terms)
    selected = {p: {str(v) for v in values} for p, values in params.filters.items()}
    everything = [doc for doc in found if _passes(doc, selected)]
    pages = max(1, -(-len(everything) // PER_PAGE))
    page = min(params.page, pages)
    chosen = everything[(page - 1) * PER_PAGE : page * PER_PAGE]
    buckets = _buckets(found, selected)
    communities = _community_titles(
        user,
        {d["community_id"] for d in chosen if d.get("community_id")}
        | {b["key"] for b in buckets["community"]},
    )
    shown = engine().marks(chosen, terms) if terms else [(d["title"], "", "") for d in chosen]
    results = SearchResults(
        params,
        len(everything),
        [
            _hit(doc, title, pick_snippet(doc, body, summary), communities)
            for doc, (title, body, summary) in zip(chosen, shown, strict=True)
        ],
        _facets(user, params, buckets, communities),
        "database",
        page=page,
        notices=notices,
    )
    if terms and len(everything) < 5:
        results.suggestion = did_you_mean(user, params.q)
    return results


# -- autocomplete ----------------------------------------------------------------------------------


def _starts_a_word(text: str, prefix: str) -> bool:
    text, prefix = text.lower(), prefix.lower()
    return text.startswith(prefix) or f" {prefix}" in f" {text}"


def database_autocomplete(user: Actor, prefix: str, size: int = 8) -> list[dict[str, str]]:
    """Titles and tags starting with what the user has typed, from what they may see."""
    prefix = clean_text(prefix, 100)
    if not synonyms.WORD.search(prefix):
        return []
    tags = [t for t in visible_tag_names(user, prefix) if _starts_a_word(t, prefix)][:3]
    items = [
        {"kind": "tag", "label": tag, "url": f"/search/?{urlencode({'tag': tag})}", "type": "Tag"}
        for tag in sorted(tags, key=str.lower)
    ]
    visible = visible_querysets(user)
    for name, field in TITLE_FIELDS.items():
        if len(items) >= size:
            break
        doc_type = DOC_TYPES[name]
        rows = visible[name].filter(**{f"{field}__icontains": prefix}).order_by("-pk")
        pks = [
            pk for pk, title in rows.values_list("pk", field)[:50] if _starts_a_word(title, prefix)
        ][: size - len(items)]
        for obj in doc_type.queryset().filter(pk__in=pks):
            source = doc_type.source(obj)
            if source:
                items.append(
                    {
                        "kind": "page",
                        "label": source["title"],
                        "url": source["url"],
                        "type": doc_type.label,
                    }
                )
    return items[:size]
