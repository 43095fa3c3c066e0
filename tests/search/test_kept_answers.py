"""Search answers kept per content generation and permission filter, on the real node: a repeated
search is answered without asking the engine again, yet every reader still sees only what they may
read, a committed change shows in the next search, and an answer from an index still catching up is
never kept."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction

from communities.models import Visibility
from hub.floor.pagecache import bump
from search.client import alias_name
from search.services.searching import FALLBACK_NOTICE
from tests.factories import CommunityFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous, find, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings, search_index):
    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()
    with transaction.atomic():
        bump()  # a content generation to keep them under
    return search_index


def searches_run(client) -> int:
    """How many searches the node has run on the live index (its own statistics)."""
    stats = client.indices.stats(index=alias_name(), metric="search")
    return stats["_all"]["total"]["search"]["query_total"]


def test_a_repeated_search_is_answered_without_asking_the_engine_again(kept):
    community = CommunityFactory(title="Waste", visibility=Visibility.OPEN)
    ThreadFactory(community=community, title="Glass recycling rounds", body="Kerbside glass.")
    kept.sync()

    first = find(anonymous(), "q=glass")
    asked = searches_run(kept.client)
    again = find(anonymous(), "q=glass")

    assert searches_run(kept.client) == asked
    assert again.took_ms is None and first.took_ms is not None  # no Server-Timing either
    assert [h.doc_id for h in again.hits] == [h.doc_id for h in first.hits] != []
    assert again.total == first.total
    assert [(f.param, [(v.value, v.count) for v in f.values]) for f in again.facets] == [
        (f.param, [(v.value, v.count) for v in f.values]) for f in first.facets
    ]
    find(anonymous(), "q=glass&page=2")  # another page is another search
    assert searches_run(kept.client) > asked


def test_a_kept_answer_is_never_shown_to_a_reader_with_another_filter(kept):
    member = UserFactory()
    private = CommunityFactory(title="Closed", visibility=Visibility.PRIVATE)
    ThreadFactory(
        community=private, author=member, title="Quillwort budgets", body="Quillwort plans."
    )
    kept.sync()

    assert find(member, "q=quillwort").total == 1
    assert find(member, "q=quillwort").total == 1  # kept, for this reader's filter
    assert find(anonymous(), "q=quillwort").total == 0
    assert find(UserFactory(), "q=quillwort").total == 0


def test_a_committed_change_shows_in_the_next_search(kept):
    community = CommunityFactory(title="Roads", visibility=Visibility.OPEN)
    ThreadFactory(community=community, title="Pothole surveys", body="Potholes.")
    kept.sync()
    assert find(anonymous(), "q=pothole").total == 1

    community.visibility = Visibility.PRIVATE
    community.save_revision().publish()  # a new generation, with the change
    kept.sync()

    assert find(anonymous(), "q=pothole").total == 0


def test_an_answer_from_an_index_still_catching_up_is_not_kept(kept):
    community = CommunityFactory(title="Parks", visibility=Visibility.OPEN)
    kept.sync()
    ThreadFactory(community=community, title="Bracken clearance", body="Bracken.")
    # announced, but the indexing task has not yet run
    assert find(anonymous(), "q=bracken").total == 0

    kept.sync()  # the index catches up; the generation stays the same

    assert find(anonymous(), "q=bracken").total == 1


def test_an_index_found_current_is_asked_again_once_a_change_commits(kept):
    community = CommunityFactory(title="Parks", visibility=Visibility.OPEN)
    kept.sync()
    assert find(anonymous(), "q=bracken").total == 0  # the index is current: kept
    ThreadFactory(community=community, title="Bracken clearance", body="Bracken.")
    # a new generation, whose change the indexing task has not yet made searchable
    assert find(anonymous(), "q=bracken").total == 0

    kept.sync()  # the generation stays the same

    assert find(anonymous(), "q=bracken").total == 1


@pytest.fixture
def kept_pages(kept, settings):
    settings.PAGE_CACHE_SECONDS = 60
    return kept


def test_a_visitors_results_page_from_an_index_catching_up_is_not_kept(kept_pages, client):
    community = CommunityFactory(title="Parks", visibility=Visibility.OPEN)
    kept_pages.sync()
    ThreadFactory(community=community, title="Bracken clearance", body="Bracken.")
    assert "Bracken clearance" not in page_text(client.get("/search/?q=bracken"))

    kept_pages.sync()

    assert "Bracken clearance" in page_text(client.get("/search/?q=bracken"))
    assert client.get("/search/?q=bracken").content == client.get("/search/?q=bracken").content


@pytest.fixture
def bracken_indexed(kept_pages):
    """A thread about bracken in an open community, in the index."""
    community = CommunityFactory(title="Parks", visibility=Visibility.OPEN)
    ThreadFactory(community=community, title="Bracken clearance", body="Bracken.")
    kept_pages.sync()


@pytest.fixture
def engine_unreachable(settings, unused_tcp_port):
    """While in it, nothing answers at the engine's address (the hub falls back to the database)."""

    @contextmanager
    def unreachable() -> Iterator[None]:
        engine = settings.ELASTICSEARCH_URL
        settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"
        try:
            yield
        finally:
            settings.ELASTICSEARCH_URL = engine

    return unreachable


def test_a_visitors_results_page_from_the_fallback_is_not_kept(
    bracken_indexed, engine_unreachable, client
):
    with engine_unreachable():
        assert FALLBACK_NOTICE in page_text(client.get("/search/?q=bracken"))

    assert FALLBACK_NOTICE not in page_text(client.get("/search/?q=bracken"))


def test_a_visitors_suggestions_from_an_index_catching_up_are_not_kept(kept_pages, client):
    community = CommunityFactory(title="Parks", visibility=Visibility.OPEN)
    kept_pages.sync()
    ThreadFactory(community=community, title="Bracken clearance", body="Bracken.")
    assert "Bracken clearance" not in client.get("/search/autocomplete/?q=brack").content.decode()

    kept_pages.sync()

    assert "Bracken clearance" in client.get("/search/autocomplete/?q=brack").content.decode()


def test_a_visitors_suggestions_from_the_fallback_are_not_kept(
    bracken_indexed, engine_unreachable, client
):
    with engine_unreachable():
        fallback = client.get("/search/autocomplete/?q=brack")
        assert "Bracken clearance" in fallback.content.decode()
        assert "Server-Timing" not in fallback  # from the database: the engine was not asked

    assert "Server-Timing" in client.get("/search/autocomplete/?q=brack")  # asked afresh
