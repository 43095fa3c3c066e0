"""Searching, whichever door the search comes in by (the page or the API)."""

from __future__ import annotations

import logging

from hub.floor.actor import Actor
from search import queries
from search.client import SEARCH_ERRORS, is_enabled
from search.queries import SearchParams, SearchResults
from search.services.fallback import database_autocomplete, database_search

logger = logging.getLogger(__name__)

FALLBACK_NOTICE = "Search is running in a simpler mode for now: results come from the database."
DATABASE_NOTICE = "Results come from the hub's database search."


def do_search(user: Actor, params: SearchParams) -> SearchResults:
    """Results ``user`` may see: from Elasticsearch, or from the database when it is off or failing."""
    if not is_enabled():
        return database_search(user, params, notice=DATABASE_NOTICE)
    try:
        return queries.run_search(user, params)
    except SEARCH_ERRORS as exc:
        logger.error("search fell back to the database: %s", exc)
        results = database_search(user, params, notice=FALLBACK_NOTICE)
        results.keepable = False  # for this moment only: the engine is back within seconds
        return results


def do_autocomplete(user: Actor, prefix: str) -> queries.Suggestions:
    """Suggestions as the user types: from Elasticsearch, or the database when it is off or failing."""
    if not is_enabled():
        return queries.Suggestions(database_autocomplete(user, prefix))
    try:
        return queries.autocomplete(user, prefix)
    except SEARCH_ERRORS as exc:
        logger.warning("autocomplete from the database: %s", exc)
        suggestions = queries.Suggestions(database_autocomplete(user, prefix))
        suggestions.keepable = False  # for this moment only, as a search's fallback
        return suggestions


def do_related(user: Actor, doc_id: str, size: int = 5) -> list[queries.Hit]:
    """Related threads and good practice for a page ``user`` is looking at (empty if unavailable)."""
    if not is_enabled():
        return []
    try:
        return queries.related(user, doc_id, size=size)
    except SEARCH_ERRORS as exc:
        logger.warning("related content unavailable: %s", exc)
        return []
