"""Creating versioned indexes and swapping the alias between them."""

from __future__ import annotations

import logging

from django.utils import timezone
from elasticsearch import Elasticsearch

from search.client import SEARCH_ERRORS, alias_name, building_alias_name, get_client
from search.documents import INDEX_SETTINGS, index_body

ADMIN_TIMEOUT_SECONDS = 120
MERGE_TIMEOUT_SECONDS = 3600  # merging a freshly built index: minutes at ten times the seed

logger = logging.getLogger(__name__)


def admin_client() -> Elasticsearch:
    """The client with a timeout for index administration, slower than a search on a busy node."""
    return get_client().options(request_timeout=ADMIN_TIMEOUT_SECONDS)


def new_index_name() -> str:
    return f"{alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def indexes_behind(alias: str) -> list[str]:
    client = admin_client()
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).body)


def ensure_index() -> str:
    """The index behind the alias, creating a first versioned index if there is none."""
    current = indexes_behind(alias_name())
    if current:
        return current[-1]
    name = new_index_name()
    body = index_body()
    body["aliases"] = {alias_name(): {"is_write_index": True}}
    admin_client().indices.create(index=name, **body)
    return name


def create_building_index() -> str:
    """A new, empty index reachable through the building alias (so live updates reach it)."""
    name = new_index_name()
    body = index_body()
    body["aliases"] = {building_alias_name(): {}}
    # no refreshes while loading; deletes remembered long enough that a rebuild's older copy loses to them
    # (and the translog synced in the background: a failed rebuild is simply run again)
    body["settings"]["index"] = {
        **body["settings"]["index"],
        "refresh_interval": "-1",
        "gc_deletes": "12h",
        "translog": {"durability": "async"},
    }
    admin_client().indices.create(index=name, **body)
    return name


def swap_alias(new_index: str) -> list[str]:
    """Point the alias at ``new_index`` in one atomic step; returns the indexes it left."""
    client = admin_client()
    old = indexes_behind(alias_name())
    actions: list[dict[str, dict[str, str | bool]]] = [
        {"remove": {"index": index, "alias": alias_name()}} for index in old
    ]
    actions.append({"add": {"index": new_index, "alias": alias_name(), "is_write_index": True}})
    actions.append({"remove": {"index": new_index, "alias": building_alias_name()}})
    client.indices.update_aliases(actions=actions)
    return old


def write_targets() -> list[str]:
    """Where an update must go: the live index, and a rebuild's new index while one runs.

    Read *after* the documents were read from the database (see ``search.indexing``), so an update
    either reaches the new index or was read before the rebuild began reading.
    """
    targets = [ensure_index()]
    targets += [i for i in indexes_behind(building_alias_name()) if i not in targets]
    return targets


def finish_building(index: str) -> None:
    """Make a freshly loaded index searchable as a live one is."""
    client = admin_client()
    client.indices.put_settings(
        index=index,
        settings={
            "index": {
                "refresh_interval": INDEX_SETTINGS["refresh_interval"],
                "translog": {"durability": "request"},
            }
        },
    )
    client.indices.refresh(index=index)
    # A bulk load leaves tens of segments; merged into one, searches over many matches (facets
    # count every match) took about two thirds of the time at full size. A merge that outlasts
    # the wait goes on in the node, and the index is searchable meanwhile.
    try:
        client.options(request_timeout=MERGE_TIMEOUT_SECONDS).indices.forcemerge(
            index=index, max_num_segments=1
        )
    except SEARCH_ERRORS as error:
        logger.warning("Merging the new index %s did not finish in time: %s", index, error)


def drop_indexes(names: list[str]) -> None:
    if names:
        admin_client().indices.delete(index=",".join(names))
