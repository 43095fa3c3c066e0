"""Search through the database, with the same permission rules, fields, boosts and synonyms.

Used when ``ELASTICSEARCH_URL`` is unset and whenever Elasticsearch fails. It works the same on
SQLite and PostgreSQL:

1. candidates: per type of content, what the searcher may see (``visible_querysets``, the
   communities' own permission functions) narrowed in the database to rows containing the start
   of every word looked for (a superset of the matches, at most ``LIMIT`` per type);
2. ranking: the candidates' documents, built by the same functions as the Elasticsearch
   documents (``search.documents``), go into an in-memory SQLite FTS5 table with the Porter
   stemmer, searched with BM25 and the Elasticsearch path's field boosts; the query is built from
   words only (``synonyms.terms``), so nothing a person types reaches FTS5 as syntax;
3. highlights are FTS5's snippets, escaped, with ``<mark>`` around matches; "did you mean" picks
   close words from titles and tags the searcher may see, offered only if the corrected search
   finds something.

Fewer filters than Elasticsearch: the type of content only.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import and_, or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from communities.models import (
    CommunityTag,
    GoodPracticePage,
    GoodPracticeTag,
    Profile,
    ThreadTag,
)
from communities.permissions import (
    listable_communities,
    readable_posts,
    readable_threads,
    visible_profile_filter,
)
from hub.floor.actor import Actor
from linkeddata.services.areas import searchable_areas, searchable_measures
from search import synonyms
from search.documents import DOC_TYPES
from search.queries import (
    PER_PAGE,
    FacetResult,
    FacetValue,
    Hit,
    SearchParams,
    SearchResults,
    clean_text,
    council_names,
)

LIMIT = 500  # candidates considered per type of content
PREFIX = 4  # characters of each word a candidate must contain (so "caddies" finds "caddy")
OPEN, CLOSE = "\x02", "\x03"  # highlight markers (control characters never reach a query)
COLUMNS = ("title", "tags", "service_areas", "places", "summary", "body")
BOOSTS = (4.0, 3.0, 3.0, 3.0, 2.0, 1.0)  # as ``search.queries.SEARCH_FIELDS``
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE docs USING fts5(title, tags, service_areas, places, summary, body, "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
INSERT = (
    "INSERT INTO docs (rowid, title, tags, service_areas, places, summary, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# bm25's weights: BOOSTS, column by column
SELECT = (
    "SELECT rowid, highlight(docs, 0, ?, ?), snippet(docs, 5, ?, ?, ' … ', 24), "
    "snippet(docs, 4, ?, ?, ' … ', 24) FROM docs WHERE docs MATCH ? "
    "ORDER BY bm25(docs, 4.0, 3.0, 3.0, 3.0, 2.0, 1.0)"
)

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
MULTI_VALUED = ("tags__", "councils__", "service_areas__", "expertise__")

NO_WORDS = "Type a word to search for: punctuation alone finds nothing."
ONLY_EXCLUSIONS = "Add a word to look for as well as the words to leave out."


def visible_querysets(user: Actor) -> dict[str, QuerySet[Any]]:
    """Per type of content, what ``user`` may see: the database twin of ``permission_filter``."""
    return {
        "community": listable_communities(user),
        "thread": readable_threads(user),
        "post": readable_posts(user).select_related("thread"),
        "good_practice": GoodPracticePage.objects.published(),
        "profile": Profile.objects.filter(visible_profile_filter(user), user__is_active=True),
        "area": searchable_areas(),
        "measure": searchable_measures(),
    }


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


def _candidates(
    user: Actor, terms: list[synonyms.Term], wanted: Iterable[str]
) -> dict[str, list[dict]]:
    """Per type, the documents (as indexed) of visible rows that may match."""
    found: dict[str, list[dict]] = {}
    for name, queryset in visible_querysets(user).items():
        if name not in wanted:
            continue
        rows = queryset.filter(_candidate_filter(name, terms))
        if any(f.startswith(MULTI_VALUED) for f in CANDIDATE_FIELDS[name]):
            rows = queryset.filter(pk__in=rows.values("pk"))  # joins repeat rows: one each
        pks = list(rows.order_by("-pk").values_list("pk", flat=True)[:LIMIT])
        doc_type = DOC_TYPES[name]
        docs = []
        for obj in doc_type.queryset().filter(pk__in=pks):
            source = doc_type.source(obj)
            if source is not None:
                docs.append(source)
        found[name] = docs
    return found


# -- ranking ---------------------------------------------------------------------------------------


def _phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def match_expression(terms: list[synonyms.Term]) -> str:
    """An FTS5 query of quoted words only: every positive term, none of the negated ones."""

    def group(term: synonyms.Term) -> str:
        return "(" + " OR ".join(_phrase(a) for a in term.alternatives) + ")"

    positive = " AND ".join(group(t) for t in terms if not t.negated)
    negative = "".join(f" NOT {group(t)}" for t in terms if t.negated)
    return positive + negative


def _searchable(doc: dict) -> tuple[str, ...]:
    councils = council_names(list(doc.get("councils") or []))
    places = doc.get("places") or " ".join(councils.values())
    return (
        doc.get("title") or "",
        " ".join(doc.get("tags") or []),
        " ".join(doc.get("service_areas") or []),
        places,
        doc.get("summary") or "",
        doc.get("body") or "",
    )


def _marked(text: str) -> SafeString:
    """FTS5 output with markers as escaped HTML with ``<mark>`` (the text itself is escaped)."""
    return mark_safe(escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))  # noqa: S308


def _rank(docs: list[dict], expression: str) -> list[tuple[dict, str, str]]:
    """(document, marked title, marked snippet) for the documents matching, best first."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(CREATE_TABLE)
        db.executemany(INSERT, [(i, *_searchable(doc)) for i, doc in enumerate(docs)])
        rows = db.execute(SELECT, (OPEN, CLOSE, OPEN, CLOSE, OPEN, CLOSE, expression)).fetchall()
    finally:
        db.close()
    out = []
    for rowid, title, body, summary in rows:
        doc = docs[rowid]
        snippet = body if OPEN in body else summary if OPEN in summary else ""
        if not snippet:
            plain = doc.get("summary") or doc.get("body") or ""
            snippet = plain[:240] + ("…" if len(plain) > 240 else "")
        out.append((doc, title, snippet))
    return out


def _hit(doc: dict, title: str, snippet: str) -> Hit:
    doc_type = DOC_TYPES[doc["doc_type"]]
    date = doc.get("date")
    return Hit(
        doc_type.doc_id(doc["object_id"]),
        doc_type.name,
        doc_type.label,
        doc.get("title") or "",
        doc.get("url") or "",
        _marked(snippet),
        date.date().isoformat() if isinstance(date, datetime) else None,
        tags=list(doc.get("tags") or []),
        title_html=None,  # titles shown as written
    )


def _matches(user: Actor, terms: list[synonyms.Term], wanted: Iterable[str]) -> dict[str, list]:
    by_type = _candidates(user, terms, wanted)
    everything = [doc for docs in by_type.values() for doc in docs]
    ranked = _rank(everything, match_expression(terms)) if everything else []
    out: dict[str, list] = {name: [] for name in by_type}
    out["*"] = ranked
    for row in ranked:
        out[row[0]["doc_type"]].append(row)
    return out


# -- did you mean ----------------------------------------------------------------------------------


def _vocabulary(user: Actor) -> set[str]:
    """Words of the titles and tags ``user`` may see (never of what they may not)."""
    visible = visible_querysets(user)
    texts: list[str] = []
    for name, field in (
        ("community", "title"),
        ("thread", "title"),
        ("good_practice", "title"),
        ("area", "short_name"),
        ("measure", "label"),
    ):
        texts += visible[name].values_list(field, flat=True)[:5000]
    texts += _visible_tags(user, "")
    return {w for text in texts for w in synonyms.WORD.findall(text.lower()) if len(w) > 2}


def did_you_mean(user: Actor, q: str) -> str:
    """``q`` with unknown words replaced by close known ones, if that finds something ``user`` may see."""
    vocabulary = _vocabulary(user)
    corrected, changed = q, False
    for word in set(synonyms.WORD.findall(q)):
        low = word.lower()
        if len(low) < 4 or low in vocabulary or not low.isalpha():
            continue
        close = difflib.get_close_matches(low, vocabulary, n=1, cutoff=0.75)
        if close:
            corrected = corrected.replace(word, close[0])
            changed = True
    if not changed:
        return ""
    found = _matches(user, synonyms.terms(corrected), DOC_TYPES)
    return corrected if found["*"] else ""


# -- the search ------------------------------------------------------------------------------------


def database_search(user: Actor, params: SearchParams, notice: str = "") -> SearchResults:
    """Results for ``params.q`` that ``user`` may see, ranked across types, filtered by type if asked."""
    notices = list(params.notices) + ([notice] if notice else [])
    other_filters = [p for p in params.filters if p != "type"]
    if other_filters:
        notices.append("Filters other than the type of content are not available right now.")
    if not params.q:
        return SearchResults(params, 0, [], [], "database", notices=notices)
    terms = synonyms.terms(params.q)
    if not terms:
        return SearchResults(params, 0, [], [], "database", notices=[*notices, NO_WORDS])
    if all(t.negated for t in terms):
        return SearchResults(params, 0, [], [], "database", notices=[*notices, ONLY_EXCLUSIONS])
    found = _matches(user, terms, DOC_TYPES)
    selected = params.filters.get("type") or []
    everything = [row for row in found["*"] if not selected or row[0]["doc_type"] in selected]
    pages = max(1, -(-len(everything) // PER_PAGE))
    page = min(params.page, pages)
    chosen = everything[(page - 1) * PER_PAGE : page * PER_PAGE]
    facet = FacetResult(
        "type",
        "Type of content",
        [
            FacetValue(name, DOC_TYPES[name].label, len(found[name]), name in selected)
            for name in DOC_TYPES
            if found.get(name) or name in selected
        ],
    )
    results = SearchResults(
        params,
        len(everything),
        [_hit(*row) for row in chosen],
        [facet] if facet.values else [],
        "database",
        page=page,
        notices=notices,
    )
    if len(everything) < 5:
        results.suggestion = did_you_mean(user, params.q)
    return results


# -- autocomplete ----------------------------------------------------------------------------------

TAG_MODELS: dict[str, type[Model]] = {
    "community": CommunityTag,
    "thread": ThreadTag,
    "good_practice": GoodPracticeTag,
}
TITLE_FIELDS = {
    "community": "title",
    "thread": "title",
    "good_practice": "title",
    "area": "short_name",
    "measure": "label",
}


def _visible_tags(user: Actor, prefix: str) -> list[str]:
    """Tag names on content ``user`` may see, starting with ``prefix``."""
    visible = visible_querysets(user)
    names: dict[str, None] = {}
    for name, model in TAG_MODELS.items():
        rows = model._default_manager.filter(content_object__in=visible[name].values("pk"))
        if prefix:
            rows = rows.filter(tag__name__istartswith=prefix)
        names.update(dict.fromkeys(rows.values_list("tag__name", flat=True).distinct()[:200]))
    return list(names)


def _starts_a_word(text: str, prefix: str) -> bool:
    text, prefix = text.lower(), prefix.lower()
    return text.startswith(prefix) or f" {prefix}" in f" {text}"


def database_autocomplete(user: Actor, prefix: str, size: int = 8) -> list[dict[str, str]]:
    """Titles and tags starting with what the user has typed, from what they may see."""
    prefix = clean_text(prefix, 100)
    if not synonyms.WORD.search(prefix):
        return []
    tags = [t for t in _visible_tags(user, prefix) if _starts_a_word(t, prefix)][:3]
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
