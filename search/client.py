"""The Elasticsearch connection and the names of the hub's index."""

from __future__ import annotations

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

# Everything that means "Elasticsearch could not answer": callers log it and fall back.
SEARCH_ERRORS = (TransportError, ApiError)

_CLIENTS: dict[tuple[str, int], Elasticsearch] = {}


def is_enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def get_client() -> Elasticsearch:
    """A client for ``ELASTICSEARCH_URL`` (one per URL, reused across requests)."""
    key = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
    if key not in _CLIENTS:
        _CLIENTS[key] = Elasticsearch(
            settings.ELASTICSEARCH_URL,
            request_timeout=settings.ELASTICSEARCH_TIMEOUT,
            max_retries=0,
        )
    return _CLIENTS[key]


def alias_name() -> str:
    """The alias every search reads and every update writes through."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-content"


def building_alias_name() -> str:
    """While a rebuild runs, the new index also answers to this name so updates reach it too."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-content-building"
