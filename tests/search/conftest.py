"""Search tests run against the real Elasticsearch node (the ``elasticsearch`` fixture)."""

from __future__ import annotations

import pytest

from communities.models import Membership
from search import documents
from search.client import alias_name
from search.indexes import ensure_index
from search.indexing import do_index_pending


class SearchIndex:
    def __init__(self, client):
        self.client = client

    def sync(self) -> None:
        """Index what the outbox holds (as the task would after commit) and make it searchable."""
        result = do_index_pending(include_backoff=True)
        assert not result.unreachable, result.errors
        self.client.indices.refresh(index=alias_name())

    def ids(self) -> list[str]:
        self.client.indices.refresh(index=alias_name())
        response = self.client.search(
            index=alias_name(), size=10_000, _source=False, query={"match_all": {}}
        )
        return [hit["_id"] for hit in response["hits"]["hits"]]


@pytest.fixture
def search_index(elasticsearch, home_page, settings, indexes_ahead):
    documents.clear_caches()
    indexes_ahead.use_live_index(settings)  # one made ahead, beside the tests before
    ensure_index()
    index = SearchIndex(elasticsearch)
    index.sync()
    return index


def ban(community, user) -> None:
    Membership.objects.filter(community=community, user=user).update(
        status=Membership.Status.BANNED
    )


def find(user, query_string: str):
    """Search as ``user`` with the page's parameters (``"q=bins&type=thread"``)."""
    from django.http import QueryDict

    from search.queries import parse_params, run_search

    return run_search(user, parse_params(QueryDict(query_string)))


def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def page_text(response) -> str:
    """The page's text as a person reads it: highlights (``<mark>``) and other tags left out."""
    from django.utils.html import strip_tags

    return strip_tags(response.content.decode())
