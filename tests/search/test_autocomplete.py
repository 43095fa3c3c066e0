"""Autocomplete as the header search box uses it: titles and tags starting with what was typed,
in any case, whatever characters were typed, only from what the searcher may see."""

import re

import pytest

from communities.models import Visibility
from search.queries import autocomplete
from tests.factories import CommunityFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(search_index):
    community = CommunityFactory(title="Planning obligations", tags=["S106 agreements"])
    ThreadFactory(
        community=community,
        title="Anti-social behaviour orders",
        tags=["anti-social behaviour", "ASB", "s106"],
    )
    ThreadFactory(community=community, title="Section 106 viability", tags=["s106", "viability"])
    ThreadFactory(community=community, title="Food waste caddies", tags=["food waste"])
    private = CommunityFactory(title="Closed planning group", visibility=Visibility.PRIVATE)
    ThreadFactory(community=private, title="Secret s106 deal", tags=["s106 hush"])
    search_index.sync()
    return {"private": private}


def labels(items: list[dict[str, str]], kind: str) -> list[str]:
    return [item["label"] for item in items if item["kind"] == kind]


def test_tags_starting_with_what_was_typed_are_offered_in_any_case_most_used_first(tagged):
    assert labels(autocomplete(anonymous(), "S1"), "tag") == ["s106", "S106 agreements"]
    assert labels(autocomplete(anonymous(), "anti-SOC"), "tag") == ["anti-social behaviour"]
    assert labels(autocomplete(anonymous(), "food w"), "tag") == ["food waste"]
    assert "Anti-social behaviour orders" in labels(autocomplete(anonymous(), "anti-soc"), "page")


@pytest.mark.parametrize("typed", ["s1.*", "[s]", "s(", "a|b", '"s', "s\\", "#@&<>~", "ß", "éa"])
def test_characters_that_mean_something_in_a_pattern_are_only_text(tagged, typed):
    items = autocomplete(anonymous(), typed)

    assert all(re.match(re.escape(typed), tag, re.I) for tag in labels(items, "tag"))


def test_the_permission_filter_holds_for_titles_and_tags(tagged):
    for prefix in ("s106", "secret", "closed"):
        suggested = " ".join(i["label"] for i in autocomplete(anonymous(), prefix)).lower()
        assert "hush" not in suggested and "secret" not in suggested and "closed" not in suggested

    staff = autocomplete(UserFactory(is_staff=True), "s106")
    assert "s106 hush" in labels(staff, "tag")


def test_the_page_and_autocomplete_say_elasticsearchs_own_time(client, tagged):
    for path, q in (("/search/", "viability"), ("/search/autocomplete/", "via")):
        response = client.get(path, {"q": q})

        assert response.status_code == 200
        timing = re.fullmatch(
            r'search;dur=(\d+);desc="Elasticsearch took"', response["Server-Timing"]
        )
        assert timing, response["Server-Timing"]
    assert "Section 106 viability" in labels(response.json()["results"], "page")
