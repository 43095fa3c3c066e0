"""Which saved searches a new item answers: read functions, no writes.

Saved searches are grouped by identical query and filters (``Query``), and matching scales with
the number of distinct queries and members, never with one search request per saved search:

1. **Sieve** (no database, no engine): each distinct query is tried on each new item's document
   (as indexed): the item must pass the query's filters and contain, for every word looked for,
   the start of that word or of one of its synonyms (the database search's candidate step). It lets
   through every item a search could find, and very little else.
2. **What each distinct query finds** of what the sieve let through, with the test of the search
   the page uses at that moment: on Elasticsearch, the page's words and filters on those items'
   ids, one search per distinct query in multi-search requests; on the database, its engine's
   full-text test, for every pair in one statement (PostgreSQL) or per pair (SQLite's FTS5).
3. **What each member may read**, asked for all of them at once (``communities.permissions.
   readers_among``, the communities' own rule): an item for everyone goes to all, a community's only
   to those who may read that community now. A member's own items are never delivered.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.utils import timezone
from elastic_transport import TransportError

from communities.models import GoodPracticePage
from communities.permissions import readable_posts, readable_threads, readers_among
from hub.floor.actor import Actor
from search import synonyms
from search.client import SEARCH_ERRORS, alias_name, get_client, is_enabled
from search.documents import DOC_TYPES
from search.queries import FACETS_BY_PARAM, SearchParams, text_query

logger = logging.getLogger(__name__)

# What a saved search delivers: content people post, not communities, members or data pages.
DELIVERED_TYPES = ("thread", "post", "good_practice")
FILTER_FIELDS = {p: f.field for p, f in FACETS_BY_PARAM.items()}
MSEARCH_BATCH = 500
PREFIX = 4  # as the database search's candidates: the first four letters of each word


@dataclass
class Item:
    """A newly published thread, reply or case study, as the search indexes it."""

    doc_id: str
    doc_type: str
    obj: Model
    source: dict[str, Any]
    text: str = field(repr=False, default="")

    @property
    def title(self) -> str:
        return str(self.source.get("title") or "")

    @property
    def published_at(self) -> datetime:
        obj: Any = self.obj
        when = obj.created_at if self.doc_type == "post" else obj.first_published_at
        return when or timezone.now()


@dataclass(frozen=True)
class Query:
    """A saved search's query and filters, the key its saved searches are grouped by."""

    q: str
    filters: tuple[tuple[str, tuple[Any, ...]], ...]

    @classmethod
    def of(cls, q: str, filters: dict[str, list[Any]]) -> Query:
        return cls(q, tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items() if v)))

    def params(self) -> SearchParams:
        return SearchParams(q=self.q, filters={k: list(v) for k, v in self.filters})


def fold(text: str) -> str:
    """Lower case without accents, for the sieve."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def items_for(kind: str, pks: Iterable[int]) -> list[Item]:
    """The live documents of ``kind`` with these ids (nothing for a kind no saved search delivers)."""
    if kind not in DELIVERED_TYPES:
        return []
    doc_type = DOC_TYPES[kind]
    items = []
    for obj in doc_type.queryset().filter(pk__in=list(pks)).order_by("pk"):
        source = doc_type.source(obj)
        if source is None or source.get("status") != "live":
            continue
        text = " ".join(
            str(source.get(name) or "") for name in ("title", "summary", "body", "places")
        )
        text += " " + " ".join(
            str(v) for name in ("tags", "service_areas") for v in source.get(name) or []
        )
        items.append(Item(doc_type.doc_id(obj.pk), kind, obj, source, fold(text)))
    return items


CACHED_QUERIES = 1 << 18  # distinct queries whose words are kept parsed (several per saved search)


@lru_cache(maxsize=CACHED_QUERIES)
def _terms(q: str) -> tuple[synonyms.Term, ...]:
    return tuple(synonyms.terms(q))


@lru_cache(maxsize=CACHED_QUERIES)
def _needles(q: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Per word to look for, its alternatives, each as the folded starts of its words."""
    return tuple(
        tuple(tuple(fold(word)[:PREFIX] for word in words) for words in t.alternatives)
        for t in _terms(q)
        if not t.negated
    )


def sieve(query: Query, item: Item) -> bool:
    """Whether a search for ``query`` could find ``item`` (see the module's docstring, step 1)."""
    for param, values in query.filters:
        have = item.source.get(FILTER_FIELDS.get(param, param))
        have_values = set(have) if isinstance(have, list) else {have}
        if not have_values & set(values):
            return False
    if not query.q:
        return True
    needles = _needles(query.q)
    if not needles:
        return True  # no word to look for: the engine alone knows (``searchable``)
    text = item.text
    return all(any(all(n in text for n in words) for words in term) for term in needles)


def sieved(queries: Iterable[Query], items: Sequence[Item]) -> dict[Query, list[Item]]:
    """For each distinct query, the items it could find (queries finding none are left out)."""
    out: dict[Query, list[Item]] = {}
    for query in set(queries):
        found = [item for item in items if sieve(query, item)]
        if found:
            out[query] = found
    return out


# -- step 2: the search's own test, for every distinct query at once --------------------------------


def searchable(query: Query) -> bool:
    """Whether the database search can find anything for ``query``: words to look for, or filters
    alone (only words to leave out, or only punctuation, find nothing there; Elasticsearch's
    ``simple_query_string`` finds what lacks the words left out)."""
    if not query.q:
        return bool(query.filters)
    return any(not t.negated for t in _terms(query.q))


def found_by_queries(
    queries: Iterable[Query], items: Sequence[Item]
) -> tuple[dict[Query, list[Item]], bool]:
    """For each distinct query, the ``items`` its search finds, before permissions, and whether
    Elasticsearch answered: Elasticsearch when it is on, else (or when it fails) the database
    search's own test, as ``search.services.searching.do_search`` chooses its backend."""
    queries = set(queries)
    if not queries or not items:
        return {}, is_enabled()
    if is_enabled():
        try:
            return _found_in_elasticsearch(sieved(queries, items)), True
        except SEARCH_ERRORS as exc:
            logger.error("saved searches matched through the database: %s", exc)
    return _found_in_database(sieved([q for q in queries if searchable(q)], items), items), False


@lru_cache(maxsize=CACHED_QUERIES)
def _text_query(q: str) -> str:
    return json.dumps(text_query(q).to_dict() if q else {"match_all": {}})


def _request(query: Query, items: Sequence[Item]) -> dict[str, Any]:
    """The search page's query and filters for ``query`` (``build_search``: its words, its post
    filter), on these live items only; permissions are read afterwards, for every member at once."""
    filters: list[dict[str, Any]] = [
        {"ids": {"values": [item.doc_id for item in items]}},
        {"term": {"status": "live"}},
    ]
    filters += [
        {"terms": {FILTER_FIELDS[param]: list(values)}}
        for param, values in query.filters
        if param in FILTER_FIELDS
    ]
    return {
        "query": {"bool": {"must": [json.loads(_text_query(query.q))], "filter": filters}},
        "size": len(items),
        "_source": False,
        "track_total_hits": False,
    }


def _found_in_elasticsearch(candidates: Mapping[Query, list[Item]]) -> dict[Query, list[Item]]:
    """Each distinct query asked once, of the items the sieve let through for it, in multi-search
    requests of ``MSEARCH_BATCH`` queries."""
    order = list(candidates)
    client = get_client()
    found: dict[Query, list[Item]] = {}
    for start in range(0, len(order), MSEARCH_BATCH):
        batch = order[start : start + MSEARCH_BATCH]
        searches: list[dict[str, Any]] = []
        for query in batch:
            searches += [{"index": alias_name()}, _request(query, candidates[query])]
        answers = client.msearch(searches=searches)["responses"]
        for query, answer in zip(batch, answers, strict=True):
            if "error" in answer:  # as a failed search: the database answers instead
                raise TransportError(str(answer["error"])[:500])
            ids = {hit["_id"] for hit in answer["hits"]["hits"]}
            hits = [item for item in candidates[query] if item.doc_id in ids]
            if hits:
                found[query] = hits
    return found


def _found_in_database(
    candidates: Mapping[Query, list[Item]], items: Sequence[Item]
) -> dict[Query, list[Item]]:
    """The database search's test after its candidate step (the sieve): its engine's full-text
    match, for every candidate pair at once on PostgreSQL."""
    from search.services.fallback import engine

    if not candidates:
        return {}
    order = list(candidates)
    position = {item.doc_id: i for i, item in enumerate(items)}
    texts = [list(_terms(q.q)) for q in order]
    pairs = [
        (qi, position[item.doc_id])
        for qi, query in enumerate(order)
        if query.q
        for item in candidates[query]
    ]
    chosen = engine()
    if hasattr(chosen, "matches"):
        matched = chosen.matches([item.source for item in items], texts, pairs)
    else:  # one engine run per pair (SQLite's in-memory FTS5)
        matched = {(qi, d) for qi, d in pairs if chosen.rank([items[d].source], texts[qi])}
    found: dict[Query, list[Item]] = {}
    for qi, query in enumerate(order):
        if not query.q:  # filters alone: the newest content that passes them, which new items are
            found[query] = list(candidates[query])
            continue
        hits = [item for item in candidates[query] if (qi, position[item.doc_id]) in matched]
        if hits:
            found[query] = hits
    return found


# -- step 3: what each member may read, for every member at once -----------------------------------


Candidate = tuple[int, int, Query, list[Item]]  # (saved search id, member id, query, items)


def readable_by_members(candidates: Sequence[Candidate], elastic: bool) -> dict[int, list[Item]]:
    """Per saved search id, its items that its member may read now: the permission filter of the
    search in use (``permission_filter`` on the documents' audience and community, or the database
    search's ``visible_querysets``), asked for every member at once through
    ``communities.permissions.readers_among``. Inactive members are told nothing."""
    if not candidates:
        return {}
    user_ids = {uid for _, uid, _, _ in candidates}
    active = set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .values_list("pk", flat=True)
    )
    items = {item.doc_id: item for _, _, _, found in candidates for item in found}
    public = {doc_id for doc_id, item in items.items() if _public(item, elastic)}
    community_ids = {
        item.source["community_id"]
        for item in items.values()
        if item.doc_id not in public and item.source.get("audience") == "community"
    }
    readers = readers_among(active, community_ids, live=elastic) if community_ids else {}
    found: dict[int, list[Item]] = {}
    for sid, uid, _query, listed in candidates:
        if uid not in active:
            continue
        mine = [
            item
            for item in listed
            if item.doc_id in public or uid in readers.get(item.source.get("community_id") or 0, ())
        ]
        if mine:
            found[sid] = mine
    return found


def _public(item: Item, elastic: bool) -> bool:
    """Whether every member may see ``item``: on Elasticsearch, a live document for everyone or
    every signed-in member (``permission_filter``); on the database, what a visitor may see."""
    if elastic:
        return item.source.get("status") == "live" and item.source.get("audience") in (
            "everyone",
            "signed_in",
        )
    return _visible(AnonymousUser(), item.doc_type).filter(pk=item.obj.pk).exists()


def _visible(user: Actor, doc_type: str) -> QuerySet[Any]:
    """What ``user`` may see of one delivered type: the same permission functions as the database
    search's ``visible_querysets``, without building the other types' querysets."""
    if doc_type == "thread":
        return readable_threads(user)
    if doc_type == "post":
        return readable_posts(user)
    return GoodPracticePage.objects.published()


def group_by_query(
    rows: Iterable[tuple[int, int, str, dict[str, list[Any]]]],
) -> dict[Query, list[tuple[int, int]]]:
    """(saved search id, member id) per distinct query, from (id, member, q, filters) rows."""
    groups: dict[Query, list[tuple[int, int]]] = defaultdict(list)
    for sid, user_id, q, filters in rows:
        query = Query.of(q, filters) if filters else Query(q, ())
        groups[query].append((sid, user_id))
    return groups


def match(
    rows: Iterable[tuple[int, int, str, dict[str, list[Any]]]],
    items: Sequence[Item],
    since: Mapping[int, datetime] | None = None,
) -> dict[int, list[Item]]:
    """Per saved search id, the ``items`` its member's search finds now (``rows``: id, member, q,
    filters); ``since``: per saved search, only items published after it. Never a member's own."""
    groups = group_by_query(rows)
    candidates: list[Candidate] = []
    by_query, elastic = found_by_queries(groups, items)
    for query, found in by_query.items():
        for sid, user_id in groups[query]:
            mine = [i for i in found if i.source.get("owner_id") != user_id]
            if since is not None:
                mine = [i for i in mine if i.published_at > since[sid]]
            if mine:
                candidates.append((sid, user_id, query, mine))
    return readable_by_members(candidates, elastic)
