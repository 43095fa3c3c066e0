"""A search matching more documents than are counted exactly (``SEARCH_EXACT_COUNTS_UP_TO``) shows
its total and facet counts as estimates from a sample, says so, and the sample holds only what the
reader may see. Run with a small limit, so a few replies are "many"."""

import re

import pytest

from communities.models import Visibility
from search.queries import about
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous, find, page_text

pytestmark = pytest.mark.django_db

LIMIT = 10
VISIBLE = 15  # the open community, its thread and its 13 replies: what a visitor finds


@pytest.fixture
def many(search_index, settings):
    settings.SEARCH_EXACT_COUNTS_UP_TO = LIMIT
    author = UserFactory()
    open_community = CommunityFactory(title="Waste and recycling", visibility=Visibility.OPEN)
    thread = ThreadFactory(
        community=open_community, author=author, title="Recycling rounds", body="Kerbside rounds."
    )
    for i in range(13):
        PostFactory(thread=thread, author=author, body=f"Our recycling rounds, answer {i}.")
    private = CommunityFactory(title="Quillwort cabinet", visibility=Visibility.PRIVATE)
    hidden = ThreadFactory(
        community=private, author=author, title="Recycling budget", body="Closed recycling plans."
    )
    for i in range(50):
        PostFactory(thread=hidden, author=author, body=f"Private recycling figures, row {i}.")
    search_index.sync()
    return {"author": author, "open": open_community, "private": private}


def shown_total(text: str) -> tuple[bool, int]:
    match = re.search(r"(About )?([\d,]+) results? for", text)
    assert match, text[:2000]
    return bool(match.group(1)), int(match.group(2).replace(",", ""))


def test_a_search_matching_more_than_is_counted_shows_estimates_and_says_so(client, many):
    text = page_text(client.get("/search/", {"q": "recycling"}))

    estimated, total = shown_total(text)
    assert estimated and LIMIT <= total <= 2 * VISIBLE  # at most twice what a half sample holds
    assert "estimated from a sample" in text
    assert "Quillwort" not in text
    # every facet value held by too few of the sample to tell (fewer than 25 of the half sampled)
    # is offered without a number
    assert "Reply" in text and "(about" not in text and "(13)" not in text

    client.force_login(many["author"])  # who reads the private community's 51 documents too
    text = page_text(client.get("/search/", {"q": "recycling"}))
    assert re.search(r"Reply\s+\(about \d+\)", text)  # enough replies sampled to count them


def test_the_api_says_when_its_counts_are_estimates(client, many):
    estimated = client.get("/api/search/", {"q": "recycling"}).json()
    exact = client.get("/api/search/", {"q": "kerbside"}).json()

    assert estimated["estimated"] is True and LIMIT <= estimated["total"] <= 2 * VISIBLE
    assert {v["count"] for f in estimated["facets"] for v in f["values"]} == {None}  # too few
    assert exact["estimated"] is False and exact["total"] == 1


def test_estimates_are_read_only_from_what_the_reader_may_see(many):
    outsider = find(anonymous(), "q=recycling")
    assert outsider.estimated and outsider.total <= 2 * VISIBLE  # not the 52 private ones as well
    assert all(
        v.label != "Quillwort cabinet" for f in outsider.facets for v in f.values
    )  # nor their community among the facets

    insider = find(many["author"], "q=recycling")  # a member of the private community
    assert insider.estimated and insider.total > 2 * VISIBLE
    assert any(v.label == "Quillwort cabinet" for f in insider.facets for v in f.values)


def test_an_estimated_total_counts_only_the_filtered_results(many):
    # a member of both communities, filtering to the open one: its 15, not the private 52 besides
    filtered = find(many["author"], f"q=recycling&community={many['open'].pk}")

    assert filtered.estimated and LIMIT <= filtered.total <= 2 * VISIBLE
    assert "Quillwort cabinet" not in {h.community for h in filtered.hits}


def test_a_search_within_the_limit_is_counted_exactly(client, many, settings):
    settings.SEARCH_EXACT_COUNTS_UP_TO = 1000
    text = page_text(client.get("/search/", {"q": "recycling"}))

    assert shown_total(text) == (False, VISIBLE)
    assert "estimated" not in text and "(about " not in text


def test_estimated_counts_keep_two_significant_figures():
    assert about(1_316_480) == 1_300_000
    assert about(10_449) == 10_000
    assert about(15_501) == 16_000
    assert about(87) == 87
