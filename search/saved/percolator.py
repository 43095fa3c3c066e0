"""The saved searches' distinct queries, kept in Elasticsearch as percolator queries.

Each distinct query (words and filters, ``matching.Query``) is one document of the index behind the
alias ``<prefix>-saved-queries``, whose ``query`` field holds what the search page asks of the
content index for it (``search.queries.text_query`` and the filters' ``terms``, without the
permission filter, which is checked per member afterwards). Percolating new documents then answers
"which saved queries find this item" in one request, whatever the number of saved searches.

Kept in step by the saved-search services (a task after each create, change and delete: the query is
added, or removed once no saved search uses it), rebuilt with the search index
(``manage.py search_rebuild``), and checked before every match (``ensure``), which adds any query
missing because Elasticsearch was down when it was saved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from search.client import get_client
from search.documents import index_body as content_index_body
from search.queries import FACETS_BY_PARAM, text_query
from search.saved.matching import Item, Query, searchable

PAGE = 5_000  # matched queries read per request
BULK = 5_000  # queries written per bulk request
TIMEOUT_SECONDS = 120


def alias() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-saved-queries"


def _client() -> Any:
    return get_client().options(request_timeout=TIMEOUT_SECONDS)


def index_body() -> dict[str, Any]:
    """The content index's settings and mapping (documents are read as they are indexed) with the
    percolator field ``query`` and the query's ``key``."""
    body = content_index_body()
    properties = body["mappings"].setdefault("properties", {})
    properties["query"] = {"type": "percolator"}
    properties["key"] = {"type": "keyword"}
    return body


def key(query: Query) -> str:
    """A stable name for a distinct query (its percolator document's id)."""
    text = json.dumps([query.q, [[k, list(v)] for k, v in query.filters]], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def percolator_query(query: Query) -> dict[str, Any]:
    """What the search page asks of the content for ``query``, less the permission filter: the
    words (scored or not, a document matches the same) and every filter (the page's post filter)."""
    must = text_query(query.q).to_dict() if query.q else {"match_all": {}}
    filters = [
        {"terms": {FACETS_BY_PARAM[param].field: list(values)}}
        for param, values in query.filters
        if param in FACETS_BY_PARAM
    ]
    return {"bool": {"must": [must], "filter": filters}}


def _new_index() -> str:
    name = f"{alias()}-{timezone.now():%Y%m%d%H%M%S%f}"
    _client().indices.create(index=name, **index_body())
    return name


def _current() -> list[str]:
    client = _client()
    if not client.indices.exists_alias(name=alias()):
        return []
    return sorted(client.indices.get_alias(name=alias()).body)


def ensure_index() -> str:
    """The index behind the alias, created (empty) if there is none."""
    current = _current()
    if current:
        return current[-1]
    name = _new_index()
    _client().indices.put_alias(index=name, name=alias())
    return name


def _write(index: str, queries: Iterable[Query], *, refresh: bool) -> int:
    written = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            _client().bulk(operations=batch, refresh=refresh, filter_path="errors")
            batch.clear()

    for query in queries:
        if not searchable(query):
            continue
        name = key(query)
        batch += [
            {"index": {"_index": index, "_id": name}},
            {"key": name, "query": percolator_query(query)},
        ]
        written += 1
        if len(batch) >= 2 * BULK:
            flush()
    flush()
    return written


def do_put(queries: Iterable[Query]) -> int:
    """Add (or replace) these queries; how many were written."""
    return _write(ensure_index(), queries, refresh=True)


def do_drop(queries: Iterable[Query]) -> None:
    """Remove these queries (no saved search uses them any more)."""
    operations = [{"delete": {"_index": ensure_index(), "_id": key(q)}} for q in queries]
    if operations:
        _client().bulk(operations=operations, refresh=True, filter_path="errors")


def ensure(queries: Sequence[Query]) -> int:
    """Make sure every one of ``queries`` is in the index (one count when they all are); how many
    were missing and written."""
    wanted = {key(q): q for q in queries if searchable(q)}
    if not wanted:
        return 0
    index = ensure_index()
    client = _client()
    found = client.count(index=index, query={"ids": {"values": list(wanted)}})["count"]
    if found == len(wanted):
        return 0
    have: set[str] = set()
    names = list(wanted)
    for start in range(0, len(names), BULK):
        answer = client.mget(index=index, ids=names[start : start + BULK], source=False)
        have |= {doc["_id"] for doc in answer["docs"] if doc.get("found")}
    return _write(index, (q for k, q in wanted.items() if k not in have), refresh=True)


def percolate(queries: Sequence[Query], items: Sequence[Item]) -> dict[Query, list[Item]]:
    """For each of ``queries`` (the others in the index are ignored), the ``items`` it finds,
    in requests of ``PAGE`` matched queries."""
    ensure(queries)
    by_key = {key(q): q for q in queries if searchable(q)}
    if not by_key or not items:
        return {}
    documents = [_jsonable(item.source) for item in items]
    found: dict[Query, list[Item]] = {}
    after: list[Any] | None = None
    client = _client()
    while True:
        extra: dict[str, Any] = {"search_after": after} if after else {}
        answer = client.search(
            index=alias(),
            query={
                "constant_score": {
                    "filter": {"percolate": {"field": "query", "documents": documents}}
                }
            },
            size=PAGE,
            sort=[{"key": "asc"}],
            source=False,
            track_total_hits=False,
            **extra,
        )
        hits = answer["hits"]["hits"]
        for hit in hits:
            query = by_key.get(hit["_id"])
            if query is None:
                continue
            slots = hit.get("fields", {}).get("_percolator_document_slot", [])
            found[query] = [items[slot] for slot in slots]
        if len(hits) < PAGE:
            return found
        after = hits[-1]["sort"]


def _jsonable(source: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in source.items()}


def do_rebuild(queries: Iterable[Query]) -> tuple[str, int]:
    """A new index holding exactly ``queries``, swapped in behind the alias (the old one dropped);
    the new index's name and how many queries it holds."""
    name = _new_index()
    written = _write(name, queries, refresh=False)
    client = _client()
    client.indices.refresh(index=name)
    old = _current()
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias()}} for i in old]
    actions.append({"add": {"index": name, "alias": alias()}})
    client.indices.update_aliases(actions=actions)
    if old:
        client.indices.delete(index=",".join(old))
    return name, written
