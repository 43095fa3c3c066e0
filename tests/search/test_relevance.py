"""What a searcher finds, on the real Elasticsearch node: ranking, phrases, synonyms, spelling, facets."""

import pytest

from communities.models import CommunityIndexPage
from communities.people.services.communities import do_create_community
from linkeddata.models import Area
from tests.factories import AreaFactory, CommunityFactory, PostFactory, ThreadFactory
from tests.search.conftest import anonymous, find

pytestmark = pytest.mark.django_db


def test_a_title_match_outranks_a_body_match(search_index):
    community = CommunityFactory(title="Waste services")
    in_title = ThreadFactory(
        community=community, title="Composting schemes", body="What do you offer residents?"
    )
    in_body = ThreadFactory(
        community=community, title="Garden waste", body="We moved to a composting subscription."
    )
    search_index.sync()

    threads = [h.doc_id for h in find(anonymous(), "q=composting").hits if h.doc_type == "thread"]

    assert threads == [f"thread-{in_title.pk}", f"thread-{in_body.pk}"]


def test_a_quoted_phrase_finds_only_the_phrase(search_index):
    community = CommunityFactory()
    phrase = ThreadFactory(
        community=community, title="Food waste collections", body="Weekly rounds."
    )
    ThreadFactory(
        community=community, title="Waste of food in schools", body="Collections of leftovers."
    )
    search_index.sync()

    hits = find(anonymous(), 'q="food waste"&type=thread').hits

    assert [h.doc_id for h in hits] == [f"thread-{phrase.pk}"]


def test_exclusion_and_or(search_index):
    community = CommunityFactory()
    cctv = ThreadFactory(community=community, title="CCTV in parks", body="Cameras and lighting.")
    lighting = ThreadFactory(community=community, title="Street lighting", body="LED replacement.")
    search_index.sync()

    assert {h.doc_id for h in find(anonymous(), "q=lighting -cameras&type=thread").hits} == {
        f"thread-{lighting.pk}"
    }
    assert {h.doc_id for h in find(anonymous(), "q=cctv OR LED&type=thread").hits} == {
        f"thread-{cctv.pk}",
        f"thread-{lighting.pk}",
    }


@pytest.mark.parametrize("query", ["ASB", "asb", "anti-social behaviour", '"antisocial behaviour"'])
def test_local_government_synonyms_work_both_ways(search_index, query):
    community = CommunityFactory()
    acronym = ThreadFactory(
        community=community, title="Using the ASB case review", body="Who chairs your panels?"
    )
    words = ThreadFactory(
        community=community,
        title="Noise at night",
        body="Anti-social behaviour in parks after dark.",
    )
    ThreadFactory(community=community, title="Social care budgets", body="Behaviour of the market.")
    search_index.sync()

    found = {h.doc_id for h in find(anonymous(), f"q={query}&type=thread").hits}

    assert found == {f"thread-{acronym.pk}", f"thread-{words.pk}"}


def test_a_misspelling_gets_a_suggestion_that_finds_something(search_index):
    community = CommunityFactory()
    ThreadFactory(
        community=community, title="Recycling contamination", body="Tagging bins cut contamination."
    )
    search_index.sync()

    results = find(anonymous(), "q=contaminaton")

    assert results.total == 0
    assert results.suggestion == "contamination"
    assert find(anonymous(), f"q={results.suggestion}").total > 0


def test_highlights_mark_the_words_found(search_index):
    community = CommunityFactory()
    ThreadFactory(
        community=community,
        title="Bins",
        body="Participation climbed after the <b>leaflet</b> campaign.",
    )
    search_index.sync()

    hit = find(anonymous(), "q=leaflet&type=thread").hits[0]

    assert "<mark>leaflet</mark>" in hit.snippet
    assert "&lt;b&gt;" in hit.snippet  # the indexed text is escaped, never rendered as markup


def test_a_long_title_is_shown_whole_with_its_words_marked(search_index):
    """A title is not a snippet: however long, and however many sentences, the whole of it shows."""
    title = (
        "Lessons from three years of running a shared service for highways maintenance. "
        "What we would do differently next time, and what the procurement taught us about "
        "liability, insurance and the small print of framework agreements for gritting"
    )
    ThreadFactory(community=CommunityFactory(), title=title, body="Notes from the programme.")
    search_index.sync()

    hit = find(anonymous(), "q=gritting&type=thread").hits[0]

    assert hit.title_html == title.replace("gritting", "<mark>gritting</mark>")


def test_facets_count_and_filters_combine(search_index):
    leeds = AreaFactory(
        code="LDS", name="Leeds City Council", short_name="Leeds", region="Yorkshire and The Humber"
    )
    kent = AreaFactory(
        code="KEN", name="Kent County Council", short_name="Kent", region="South East"
    )
    index = CommunityIndexPage.objects.get()
    waste = do_create_community(
        index=index,
        title="Waste",
        description="Bins and recycling.",
        councils=[leeds],
        tags=["recycling"],
    )
    do_create_community(
        index=index, title="Recycling in Kent", description="Recycling rates.", councils=[kent]
    )
    thread = ThreadFactory(
        community=waste, title="Recycling rates", body="Rates by month.", tags=["recycling"]
    )
    PostFactory(thread=thread, body="Our recycling rate rose.")
    search_index.sync()

    results = find(anonymous(), "q=recycling")
    facets = {f.param: {v.label: v.count for v in f.values} for f in results.facets}
    assert facets["type"] == {"Community": 2, "Thread": 1, "Reply": 1}
    assert facets["council"] == {"Leeds": 1, "Kent": 1}
    assert facets["region"] == {"Yorkshire and The Humber": 1, "South East": 1}
    assert facets["community"] == {"Waste": 3, "Recycling in Kent": 1}
    assert facets["tag"] == {"recycling": 2}

    filtered = find(anonymous(), f"q=recycling&type=thread&type=community&community={waste.pk}")
    assert {h.doc_id for h in filtered.hits} == {f"community-{waste.pk}", f"thread-{thread.pk}"}
    # a facet's own counts ignore its own filter (so other values can be added), not the others'
    type_counts = {
        v.value: (v.count, v.selected)
        for v in next(f for f in filtered.facets if f.param == "type").values
    }
    assert type_counts == {"community": (1, True), "thread": (1, True), "post": (1, False)}
    assert Area.objects.count() >= 2


def test_autocomplete_offers_titles_and_tags(search_index):
    community = CommunityFactory(title="Housing and homelessness", tags=["homelessness"])
    ThreadFactory(
        community=community, title="Temporary accommodation costs", tags=["temporary accommodation"]
    )
    search_index.sync()

    labels = [item["label"] for item in _autocomplete("tempor")]
    assert labels == ["temporary accommodation", "Temporary accommodation costs"]
    assert "Housing and homelessness" in [item["label"] for item in _autocomplete("housing and h")]


def test_more_like_this_finds_related_threads_and_good_practice(search_index):
    community = CommunityFactory()
    thread = ThreadFactory(
        community=community,
        title="Contamination in recycling bins",
        body="Tagging contaminated recycling bins and crew feedback.",
    )
    similar = ThreadFactory(
        community=community,
        title="Recycling bin tagging",
        body="Crew feedback tags on contaminated recycling bins.",
    )
    ThreadFactory(community=community, title="Street lighting", body="LED lanterns.")
    search_index.sync()

    from search.queries import related

    assert [h.doc_id for h in related(anonymous(), f"thread-{thread.pk}")] == [
        f"thread-{similar.pk}"
    ]


def _autocomplete(prefix):
    from search.queries import autocomplete

    return autocomplete(anonymous(), prefix)


def test_a_word_form_found_is_marked_in_the_title_as_in_the_body(search_index):
    ThreadFactory(
        community=CommunityFactory(),
        title="Garden waste collection",
        body="The collection starts in March.",
    )
    search_index.sync()

    hit = find(anonymous(), "q=collections&type=thread").hits[0]

    assert hit.title_html == "Garden waste <mark>collection</mark>"
    assert "The <mark>collection</mark> starts" in hit.snippet


def test_a_word_finds_its_forms_but_not_other_words_that_start_the_same(search_index):
    community = CommunityFactory()
    forms = [
        ThreadFactory(community=community, title=title, body="What worked for you?")
        for title in ("Parking permits", "Car parks at night", "Park and ride", "Parked vans")
    ]
    ThreadFactory(community=community, title="Parkland management", body="Trees and paths.")
    ThreadFactory(community=community, title="Parkinson's support", body="Carers and clinics.")
    search_index.sync()

    found = {h.doc_id for h in find(anonymous(), "q=parking&type=thread").hits}

    assert found == {f"thread-{t.pk}" for t in forms}


def test_word_forms_are_the_word_and_its_stems_inflections():
    from search.queries import word_forms

    assert {"caddies", "caddy"} <= set(word_forms("caddies"))
    assert {"caddies", "caddy"} <= set(word_forms("Caddy"))
    assert {"parking", "park", "parks", "parked"} <= set(word_forms("parking"))
    assert not {"parkland", "parkinson"} & set(word_forms("parking"))
    assert {"service", "services", "serviced", "servicing"} <= set(word_forms("services"))
    assert {"waste", "wasted", "wasting"} <= set(word_forms("waste"))


def test_every_word_found_is_marked_wherever_it_was_found(search_index):
    """The words of one search can be found in different fields: each is marked where it is."""
    ThreadFactory(
        community=CommunityFactory(),
        title="Garden waste",
        body="Our collection moved to fortnightly.",
        tags=["composting"],
    )
    search_index.sync()

    hit = find(anonymous(), "q=garden collections&type=thread").hits[0]
    assert hit.title_html == "<mark>Garden</mark> waste"
    assert "Our <mark>collection</mark> moved" in hit.snippet

    hit = find(anonymous(), "q=composting fortnightly&type=thread").hits[0]
    assert "to <mark>fortnightly</mark>." in hit.snippet
