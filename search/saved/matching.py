"""Which saved searches a new item answers: read functions, no writes.

Matching scales by doing the exact work only where it can pay off, in two steps:

1. **Sieve** (no database, no engine): saved searches are grouped by identical query and filters,
   and each distinct query is tried once against each new item's document (as indexed): the item
   must pass the query's filters and contain, for every word looked for, the start of that word or
   of one of its synonyms (what the database search asks of its candidates). It lets through every
   item a search could find, and very little else.
2. **Confirm** as the member, with the search the search page uses at that moment (Elasticsearch,
   restricted to the new items' ids in one multi-search request per batch; or the database search's
   own visibility, candidate and full-text tests when Elasticsearch is off or failing). The
   member's permissions are part of that search, so nothing they may not read is ever confirmed.
"""

from __future__ import annotations

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
from elasticsearch_dsl import Search

from communities.models import GoodPracticePage
from communities.permissions import readable_posts, readable_threads
from hub.floor.actor import Actor
from search import synonyms
from search.client import SEARCH_ERRORS, alias_name, get_client, is_enabled
from search.documents import DOC_TYPES
from search.queries import FACETS_BY_PARAM, SearchParams, build_search, permission_filter

logger = logging.getLogger(__name__)

# What a saved search delivers: content people post, not communities, members or data pages.
DELIVERED_TYPES = ("thread", "post", "good_practice")
FILTER_FIELDS = {p: f.field for p, f in FACETS_BY_PARAM.items()}
MSEARCH_BATCH = 200
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


@lru_cache(maxsize=20_000)
def _terms(q: str) -> tuple[synonyms.Term, ...]:
    return tuple(synonyms.terms(q))


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    return all(fold(word)[:PREFIX] in text for word in words)


def sieve(query: Query, item: Item) -> bool:
    """Whether a search for ``query`` could find ``item`` (see the module's docstring, step 1)."""
    for param, values in query.filters:
        have = item.source.get(FILTER_FIELDS.get(param, param))
        have_values = set(have) if isinstance(have, list) else {have}
        if not have_values & set(values):
            return False
    if not query.q:
        return True
    positive = [t for t in _terms(query.q) if not t.negated]
    if not positive:
        return False  # only words to leave out: the search asks for a word to look for
    return all(any(_has_word(item.text, words) for words in t.alternatives) for t in positive)


def sieved(queries: Iterable[Query], items: Sequence[Item]) -> dict[Query, list[Item]]:
    """For each distinct query, the items it could find (queries finding none are left out)."""
    out: dict[Query, list[Item]] = {}
    for query in set(queries):
        found = [item for item in items if sieve(query, item)]
        if found:
            out[query] = found
    return out


# -- step 2: confirm with the search itself, as the member ------------------------------------------


Candidate = tuple[int, int, Query, list[Item]]  # (saved search id, member id, query, items)


def confirm(candidates: Sequence[Candidate]) -> dict[int, list[Item]]:
    """Per saved search id, the items its member's search finds now (permissions included).

    Elasticsearch when it is on, else (or when it fails) the database search, exactly as
    ``search.services.searching.do_search`` chooses."""
    if not candidates:
        return {}
    users = get_user_model().objects.in_bulk({user_id for _, user_id, _, _ in candidates})
    ready = [(sid, users[uid], q, items) for sid, uid, q, items in candidates if uid in users]
    ready = [c for c in ready if c[1].is_active]
    if is_enabled():
        try:
            return _confirm_elasticsearch(ready)
        except SEARCH_ERRORS as exc:
            logger.error("saved searches matched through the database: %s", exc)
    return _confirm_database(ready)


def _body(user: Actor, query: Query, rule: object, items: Sequence[Item]) -> dict[str, Any]:
    """The search request of ``query`` as ``user`` (under ``rule``), for these items only."""
    search = build_search(user, query.params(), rule).filter(
        "ids", values=[item.doc_id for item in items]
    )
    body = search.to_dict()
    for unused in ("aggs", "suggest", "highlight", "sort", "from"):
        body.pop(unused, None)
    body.update(size=len(items), _source=False, track_total_hits=False)
    return body


def _confirm_elasticsearch(ready: Sequence[tuple[int, Actor, Query, list[Item]]]) -> dict:
    visitor = AnonymousUser()
    visitor_rule = permission_filter(visitor)
    public = _public_in_index(ready, visitor_rule)
    # What a visitor may see, every member may: public items are asked once per distinct query
    # (under the visitor's rule); the rest per saved search, under its member's own rule.
    shared: dict[Query, list[Item]] = {}
    for _sid, _user, query, items in ready:
        for item in items:
            listed = shared.setdefault(query, [])
            if item.doc_id in public and all(i.doc_id != item.doc_id for i in listed):
                listed.append(item)
    requests: list[tuple[Any, dict[str, Any]]] = [
        (query, _body(visitor, query, visitor_rule, items))
        for query, items in shared.items()
        if items
    ]
    rules: dict[int, object] = {}
    for sid, user, query, items in ready:
        own = [item for item in items if item.doc_id not in public]
        if own:
            key = int(user.pk or 0)
            if key not in rules:
                rules[key] = permission_filter(user)
            requests.append((sid, _body(user, query, rules[key], own)))
    answers: dict[Any, set[str]] = {}
    client = get_client()
    for start in range(0, len(requests), MSEARCH_BATCH):
        batch = requests[start : start + MSEARCH_BATCH]
        searches: list[dict[str, Any]] = []
        for _key, body in batch:
            searches += [{"index": alias_name()}, body]
        response = client.msearch(searches=searches)
        for (key, _), answer in zip(batch, response["responses"], strict=True):
            if "error" in answer:  # as a failed search: the database answers instead
                raise TransportError(str(answer["error"])[:500])
            answers[key] = {hit["_id"] for hit in answer["hits"]["hits"]}
    found: dict[int, list[Item]] = {}
    for sid, _user, query, items in ready:
        ids = answers.get(query, set()) | answers.get(sid, set())
        matched = [item for item in items if item.doc_id in ids]
        if matched:
            found[sid] = matched
    return found


def _public_in_index(
    ready: Sequence[tuple[int, Actor, Query, list[Item]]], rule: object
) -> set[str]:
    """The ids among the candidates' items that a visitor may see (one request)."""
    ids = sorted({item.doc_id for _, _, _, items in ready for item in items})
    search = Search(using=get_client(), index=alias_name()).filter("ids", values=ids)
    if rule is not None:
        search = search.filter(rule)
    return {hit.meta.id for hit in search.source(False)[: len(ids)].execute()}


def _visible(user: Actor, doc_type: str) -> QuerySet[Any]:
    """What ``user`` may see of one delivered type: the same permission functions as the database
    search's ``visible_querysets``, without building the other types' querysets."""
    if doc_type == "thread":
        return readable_threads(user)
    if doc_type == "post":
        return readable_posts(user)
    return GoodPracticePage.objects.published()


def _confirm_database(ready: Sequence[tuple[int, Actor, Query, list[Item]]]) -> dict:
    # The database search's own tests (search.services.fallback): what the member may see and the
    # full-text match (its candidates' word filter is the sieve's); it knows only the type filter.
    from search.services.fallback import engine

    rank = engine().rank

    found: dict[int, list[Item]] = {}
    # Whether the member may see the item depends on the member only; whether the words find it,
    # on the query only: each is asked once, however many saved searches share it.
    may_see: dict[tuple[int, str], bool] = {}
    words_find: dict[tuple[str, str], bool] = {}
    for sid, user, query, items in ready:
        terms = list(_terms(query.q))
        if not terms or all(t.negated for t in terms):
            continue  # the database search finds nothing without a word to look for
        types = dict(query.filters).get("type")
        key = int(user.pk or 0)
        matched = []
        for item in items:
            if types and item.doc_type not in types:
                continue
            if (query.q, item.doc_id) not in words_find:  # the sieve was the candidate step
                words_find[(query.q, item.doc_id)] = bool(rank([item.source], terms))
            if not words_find[(query.q, item.doc_id)]:
                continue
            if (0, item.doc_id) not in may_see:  # what a visitor may see, every member may
                anyone = _visible(AnonymousUser(), item.doc_type)
                may_see[(0, item.doc_id)] = anyone.filter(pk=item.obj.pk).exists()
            if may_see[(0, item.doc_id)]:
                matched.append(item)
                continue
            if (key, item.doc_id) not in may_see:
                visible = _visible(user, item.doc_type)
                may_see[(key, item.doc_id)] = visible.filter(pk=item.obj.pk).exists()
            if may_see[(key, item.doc_id)]:
                matched.append(item)
        if matched:
            found[sid] = matched
    return found


def group_by_query(
    rows: Iterable[tuple[int, int, str, dict[str, list[Any]]]],
) -> dict[Query, list[tuple[int, int]]]:
    """(saved search id, member id) per distinct query, from (id, member, q, filters) rows."""
    groups: dict[Query, list[tuple[int, int]]] = defaultdict(list)
    for sid, user_id, q, filters in rows:
        groups[Query.of(q, filters)].append((sid, user_id))
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
    for query, found in sieved(groups, items).items():
        for sid, user_id in groups[query]:
            mine = [i for i in found if i.source.get("owner_id") != user_id]
            if since is not None:
                mine = [i for i in mine if i.published_at > since[sid]]
            if mine:
                candidates.append((sid, user_id, query, mine))
    return confirm(candidates)
