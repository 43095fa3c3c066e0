"""The database search (no Elasticsearch, or Elasticsearch failing): a real search, on the real database.

Stemming, the shared synonyms, the same fields (service areas, councils), plain-text highlights,
"did you mean", autocomplete, and councils and measures as results of their own.
"""

import re
from html import unescape

import pytest

from communities.models import Visibility
from search.services.fallback import database_autocomplete
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    GoodPracticeFactory,
    PostFactory,
    ThreadFactory,
    service_area,
)
from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures
from tests.search.conftest import anonymous, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def database(settings, home_page):
    settings.ELASTICSEARCH_URL = ""


def find(query_string: str, user=None):
    from django.http import QueryDict

    from search.queries import parse_params
    from search.services.searching import do_search

    return do_search(user or anonymous(), parse_params(QueryDict(query_string)))


def test_words_are_stemmed_and_ranked_title_first(database):
    community = CommunityFactory(title="Waste services")
    in_title = ThreadFactory(
        community=community, title="Food waste caddy liners", body="Who supplies yours?"
    )
    in_body = ThreadFactory(
        community=community, title="Weekly rounds", body="We sized the food waste **caddy** order."
    )

    results = find("q=food waste caddies")

    assert results.backend == "database"
    assert [h.doc_id for h in results.hits][:2] == [
        f"thread-{in_title.pk}",
        f"thread-{in_body.pk}",
    ]


def test_snippets_are_plain_text_with_marks(database):
    thread = ThreadFactory(
        title="Caddy roll-out", body="How did you size the **caddy roll-out** and the _liners_?"
    )

    hit = next(h for h in find("q=liners").hits if h.doc_id == f"thread-{thread.pk}")

    assert "<mark>liners</mark>" in hit.snippet
    assert "**" not in hit.snippet and "_liners_" not in hit.snippet


@pytest.mark.parametrize("query", ["ASB", "anti-social behaviour", '"antisocial behaviour"'])
def test_the_shared_synonyms_work_on_the_database(database, query):
    thread = ThreadFactory(title="Tackling anti-social behaviour in parks", body="Wardens.")
    acronym = ThreadFactory(title="ASB case reviews", body="Community triggers.")

    found = {h.doc_id for h in find(f"q={query}").hits}

    assert {f"thread-{thread.pk}", f"thread-{acronym.pk}"} <= found


def test_service_areas_and_councils_are_searched(database):
    leeds = AreaFactory(
        code="LDS", gss_code="E08000035", name="Leeds City Council", short_name="Leeds"
    )
    case = GoodPracticeFactory(
        title="Home care commissioning by outcomes",
        summary="Paying providers for outcomes.",
        service_areas=[service_area("Adult social care › Commissioning")],
        councils=[leeds],
    )

    assert f"good_practice-{case.pk}" in {h.doc_id for h in find("q=adult social care").hits}
    assert f"good_practice-{case.pk}" in {h.doc_id for h in find("q=Leeds").hits}


@pytest.mark.usefixtures("recycling")
def test_a_council_or_measure_result_leads_to_its_page(database, client):
    for query, kind, address in [
        ("Leeds", "area", "/doc/area/E08000035"),
        ("recycling rate", "measure", "/doc/measure/recycling"),
    ]:
        page = client.get("/search/", {"q": query}).content.decode()
        clicks = re.findall(rf'href="(/search/go/\?[^"]*doc={kind}-\d+[^"]*)"', page)
        assert clicks, query

        response = client.get(unescape(clicks[0]))  # the result's link, as a reader follows it

        assert response.status_code == 302 and response["Location"] == address
        assert client.get(address).status_code == 200


@pytest.mark.usefixtures("recycling")
def test_councils_and_measures_are_results_of_their_own(database):
    leeds = find("q=Leeds")
    by_code = find("q=E08000035")
    measure = find("q=recycling rate")

    assert "/doc/area/E08000035" in [h.url for h in leeds.hits]
    assert "/doc/area/E08000035" in [h.url for h in by_code.hits][:5]
    assert "/doc/measure/recycling" in [h.url for h in measure.hits][:5]
    types = {v.value: v.count for f in measure.facets if f.param == "type" for v in f.values}
    assert types.get("measure") == 1
    only = find("q=recycling rate&type=measure")
    assert [h.url for h in only.hits] == ["/doc/measure/recycling"]


def test_did_you_mean_and_autocomplete(database):
    ThreadFactory(
        title="Contamination in recycling bins", body="Stickers on bins.", tags=["kerbside"]
    )

    assert find("q=contamnation").suggestion == "contamination"
    labels = [item["label"] for item in database_autocomplete(anonymous(), "contam")]
    assert "Contamination in recycling bins" in labels
    assert "kerbside" in [item["label"] for item in database_autocomplete(anonymous(), "kerb")]


def test_the_page_says_calmly_where_results_come_from(client, database):
    ThreadFactory(title="Garden waste subscriptions")

    page = page_text(client.get("/search/", {"q": "garden"}))

    assert "Garden waste subscriptions" in page
    assert page.count("database search") == 1


@pytest.fixture
def filtered_hub(home_page):
    """Two councils in two regions, two communities, a thread with a reply, and a case study."""
    from communities.models import CommunityIndexPage
    from communities.people.services.communities import do_create_community

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
    case = GoodPracticeFactory(
        title="Recycling contamination down by a third",
        summary="Stickers and letters.",
        service_areas=[service_area("Waste › Recycling")],
        councils=[kent],
        tags=["contamination"],
    )
    return {"waste": waste, "thread": thread, "case": case}


FILTERED = [
    "q=recycling",
    "q=recycling&type=thread&type=community",
    "q=recycling&type=thread&type=community&community={waste}",
    "q=recycling&council=KEN",
    "q=recycling&region=South+East&type=good_practice",
    "q=recycling&service_area=Waste",
    "q=recycling&tag=recycling",
    "q=recycling&tag=recycling&tag=contamination",
    "q=recycling&year={year}",
    "q=recycling&year=1999",
    "tag=recycling",
    "tag=contamination&tag=recycling&type=good_practice",
]


def _shown(results) -> tuple:
    """What a searcher sees of a search, order of equally ranked results and facet values aside."""
    return (
        results.total,
        sorted(h.doc_id for h in results.hits),
        sorted(
            (f.param, v.value, v.label, v.count, v.selected)
            for f in results.facets
            for v in f.values
        ),
    )


def test_every_filter_and_facet_count_is_the_same_as_elasticsearchs(search_index, filtered_hub):
    """The database search offers Elasticsearch's filters with the same disjunctive counts: each
    facet counts under every other facet's filter, over what the searcher may see."""
    from django.http import QueryDict
    from django.utils import timezone

    from search.queries import parse_params, run_search
    from search.services.fallback import database_search

    search_index.sync()
    values = {"waste": filtered_hub["waste"].pk, "year": timezone.now().year}
    for query in FILTERED:
        query = query.format(**values)
        from_elasticsearch = run_search(anonymous(), parse_params(QueryDict(query)))
        from_database = database_search(anonymous(), parse_params(QueryDict(query)))
        assert bool(from_database.total) == ("1999" not in query), query
        assert _shown(from_database) == _shown(from_elasticsearch), query


def test_filters_work_on_the_database_search_page(client, database, filtered_hub):
    waste, thread = filtered_hub["waste"], filtered_hub["thread"]

    body = client.get(
        "/api/search/", {"q": "recycling", "type": ["thread", "community"], "community": waste.pk}
    ).json()
    assert body["backend"] == "database"
    assert {r["id"] for r in body["results"]} == {f"community-{waste.pk}", f"thread-{thread.pk}"}
    assert not [n for n in body["notices"] if "filter" in n.lower()]
    counts = {
        v["value"]: (v["count"], v["selected"])
        for f in body["facets"]
        if f["param"] == "type"
        for v in f["values"]
    }
    assert counts == {"community": (1, True), "thread": (1, True), "post": (1, False)}
    page = page_text(client.get("/search/", {"q": "recycling", "council": "KEN"}))
    assert "Recycling contamination down by a third" in page and "Recycling in Kent" in page
    assert "Rates by month" not in page  # the Leeds community's thread
    assert "only the type" not in page


def test_a_tag_offered_by_autocomplete_links_to_a_filter_that_works(client, database, filtered_hub):
    (tag,) = [i for i in database_autocomplete(anonymous(), "contam") if i["kind"] == "tag"]

    body = client.get(tag["url"].replace("/search/", "/api/search/")).json()
    page = page_text(client.get(tag["url"]))

    assert body["results"] and {r["id"] for r in body["results"]} == {
        f"good_practice-{filtered_hub['case'].pk}"
    }
    assert "Recycling contamination down by a third" in page and "1 result" in page


def test_titles_are_highlighted_and_escaped(database):
    thread = ThreadFactory(title="Caddy <b>liners</b> & bags", body="Which liners?")

    hit = next(h for h in find("q=liners").hits if h.doc_id == f"thread-{thread.pk}")

    assert hit.title_html == "Caddy &lt;b&gt;<mark>liners</mark>&lt;/b&gt; &amp; bags"
    assert hit.title == "Caddy <b>liners</b> & bags"


def test_each_database_ranks_with_its_own_full_text_search(database):
    from django.db import connection

    from search.services.fallback import engine, fts5, postgres

    expected = postgres if connection.vendor == "postgresql" else fts5
    ThreadFactory(title="Composting schemes", body="Residents compost at home.")
    ThreadFactory(title="Garden waste", body="A composting subscription.")

    assert engine() is expected
    assert [h.title for h in find("q=composted").hits] == ["Composting schemes", "Garden waste"]


NASTY = [
    '"recycling',
    '"',
    '""',
    "recycling)",
    "(recycling",
    "((((((",
    "title:(foo AND bar",
    "*",
    "recy*",
    "*:*",
    "-",
    "-recycling",
    "NOT recycling",
    "recycling AND",
    "AND",
    "OR OR OR",
    "recycling NEAR bins",
    "NEAR(recycling bins)",
    "recycling:bins",
    "^bins",
    "bins^3 foo~2 /regex/",
    "\\",
    "'",
    "'; DROP TABLE communities_post; --",
    "{}[]<>|&&||!",
    "🗑️ ♻️ recycling",
    "إعادة التدوير",
    "Ünïcödé café",
    "a" * 10_000,
    "recycling " * 300,
    "bins\x07\x1b[31m",
    # PostgreSQL's tsquery syntax (to_tsquery, websearch_to_tsquery)
    "recycling & bins",
    "recycling | bins",
    "!recycling",
    "!!recycling",
    "recycling <-> bins",
    "recycling <2> bins",
    "recycl:*",
    "recycling:A",
    "recycling:*AB & !(bins | ",
    "& | ! <-> :*",
    "'recycling' & 'bins'",
    "the",
    "the and of OR to",
    '"the of"',
    "-the recycling",
]


@pytest.mark.parametrize("backend", ["database", "elasticsearch"])
def test_any_input_gets_results_or_a_notice_on_every_door(
    client, home_page, settings, request, backend
):
    if backend == "elasticsearch":
        request.getfixturevalue("search_index")
    else:
        settings.ELASTICSEARCH_URL = ""
    open_c = CommunityFactory(title="Recycling network", visibility=Visibility.OPEN)
    thread = ThreadFactory(community=open_c, title="Recycling bins", body="Contamination.")
    PostFactory(thread=thread, body="Recycling stickers work.")
    if backend == "elasticsearch":
        request.getfixturevalue("search_index").sync()

    for query in NASTY:
        page = client.get("/search/", {"q": query})
        api = client.get("/api/search/", {"q": query})
        complete = client.get("/search/autocomplete/", {"q": query})
        api_complete = client.get("/api/search/autocomplete", {"q": query})
        assert (page.status_code, api.status_code) == (200, 200), query
        assert (complete.status_code, api_complete.status_code) == (200, 200), query
        body = api.json()
        assert body["backend"] == backend
        assert 'id="result-count"' in page.content.decode() or body["notices"], query
        assert isinstance(complete.json()["results"], list)
    assert client.get("/api/search/", {"q": '"recycling'}).json()["total"] >= 1
    assert client.get("/search/", {"q": '"'}).status_code == 200


def test_a_publication_indexes_councils_and_measures_in_elasticsearch(search_index, request):
    """Importing figures records a publication; search hears of it in the same transaction."""
    request.getfixturevalue("recycling")  # imported through linked data's import service
    search_index.sync()

    from search.queries import parse_params, run_search

    leeds = run_search(anonymous(), parse_params({"q": "Leeds"}))
    measure = run_search(anonymous(), parse_params({"q": "recycling rate"}))
    by_code = run_search(anonymous(), parse_params({"q": "E08000035"}))

    assert "/doc/area/E08000035" in [h.url for h in leeds.hits][:5]
    assert "/doc/area/E08000035" in [h.url for h in by_code.hits][:5]
    assert "/doc/measure/recycling" in [h.url for h in measure.hits][:5]
    types = {v.value for f in measure.facets if f.param == "type" for v in f.values}
    assert "measure" in types
