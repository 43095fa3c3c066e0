"""The search page, its API twin, result clicks and analytics, as a visitor uses them."""

import csv
import io
from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from communities.models import Visibility
from communities.people.services.profiles import do_create_member
from search.models import SearchClick, SearchQueryLog
from tests.factories import AreaFactory, CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.search.conftest import anonymous, find, page_text

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    '"unbalanced quotes',
    "title:(foo AND bar",
    "*:*",
    "a" * 10_000,
    "bins\x07\x1b[31m",
    "🗑️ ♻️ recycling",
    "إعادة التدوير",
    "((((((",
    "foo~2 bar^3 /regex/",
    "\\",
    "-",
    "|",
    '""',
    "OR OR AND NOT",
]


@pytest.fixture
def content(search_index):
    community = CommunityFactory(title="Waste and recycling", tags=["recycling"])
    threads = [
        ThreadFactory(
            community=community, title=f"Recycling question {i}", body="Bins and caddies."
        )
        for i in range(23)
    ]
    PostFactory(thread=threads[0], body="Caddies cost £3 each.")
    private = CommunityFactory(title="Hidden group", visibility=Visibility.PRIVATE)
    secret = ThreadFactory(community=private, title="Recycling secret plan", body="Quibblethorpe")
    search_index.sync()
    return {"community": community, "threads": threads, "secret": secret}


def test_the_search_page_shows_results_facets_and_pages(client, content):
    page = client.get("/search/", {"q": "recycling"}).content.decode()

    assert "25 results for “recycling”, page 1 of 2" in page
    assert "question 12" in page
    assert (
        'name="type" value="thread"' in page
    )  # facets are checkboxes in the form: they work without JS
    assert 'Thread <span class="count">(23)</span></label>' in page  # each value's count, labelled
    assert "Next page" in page and "page=2" in page
    assert "Recycling secret plan" not in page

    second = client.get("/search/", {"q": "recycling", "page": "2"}).content.decode()
    assert "page 2 of 2" in second and "Previous page" in second

    filtered = client.get(
        "/search/", {"q": "recycling", "type": "thread", "tag": "recycling"}
    ).content.decode()
    assert "Remove filter: type thread" in filtered


def test_of_threads_saying_the_same_the_recent_ones_come_first_on_every_page(content, search_index):
    """Recency lifts a result (rescored over the best matches by their words): of 30 threads with
    the same words, the ten started three years ago come after the twenty started today, page
    after page, and no thread is on two pages."""
    community = content["community"]
    three_years_ago = timezone.now() - timedelta(days=3 * 365)
    with mock.patch("django.utils.timezone.now", return_value=three_years_ago):
        old = [
            ThreadFactory(community=community, title=f"Kerbside glass {i}", body="Glass.")
            for i in range(10)
        ]
    recent = [
        ThreadFactory(community=community, title=f"Kerbside glass {i}", body="Glass.")
        for i in range(10, 30)
    ]
    search_index.sync()

    first = find(anonymous(), "q=kerbside+glass")
    second = find(anonymous(), "q=kerbside+glass&page=2")

    assert first.total == 30
    assert {hit.title for hit in first.hits} == {t.title for t in recent}
    assert {hit.title for hit in second.hits} == {t.title for t in old}


def test_a_result_shows_its_date_as_the_site_writes_dates_and_titles_are_escaped(
    client, search_index
):
    community = CommunityFactory(title="Bins & <b>caddies</b>")
    thread = ThreadFactory(community=community, title="Caddy rollout", body="Caddies for all.")
    search_index.sync()

    page = client.get("/search/", {"q": "caddy rollout"}).content.decode()

    hit = next(
        h for h in find(anonymous(), "q=caddy rollout").hits if h.doc_id.endswith(f"-{thread.pk}")
    )
    day = date.fromisoformat(hit.date)
    assert f'<time datetime="{hit.date}">{day.day} {day:%B} {day.year}</time>' in page
    # in the result's line and as the community facet's label, never as markup
    assert page.count("Bins &amp; &lt;b&gt;caddies&lt;/b&gt;") >= 2
    assert "<b>caddies</b>" not in page


# A test below that checks several cases (odd queries, NUL characters, odd pages and filters) checks
# them on one set-up (the same content, indexed once); each case is checked alone and a failure names it.


def test_any_query_gets_results_or_a_clear_message(client, content):
    for query in BAD_QUERIES:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
        api = client.get("/api/search/", {"q": query})
        assert api.status_code == 200, query
        assert client.get("/search/autocomplete/", {"q": query}).status_code == 200, query


def test_a_nul_character_is_refused_with_a_message_on_every_search_door(client, content):
    # PostgreSQL cannot store or compare text with NUL in it: every door says so instead of failing.
    for params in [{"q": "bins\x00\x07"}, {"q": "recycling", "council": "\x00"}]:
        page = client.get("/search/", params)
        assert page.status_code == 400 and "NUL" in page.content.decode(), params
        api = client.get("/api/search/", params)
        assert api.status_code == 400 and "NUL" in api.json()["detail"], params
        assert client.get("/search/autocomplete/", params).status_code == 400, params


def test_a_very_long_query_is_shortened_with_a_notice(client, content):
    page = client.get("/search/", {"q": "recycling " * 1000}).content.decode()
    assert "shortened to its first 500 characters" in page


ODD_PARAMS = [
    {"q": "recycling", "page": "999"},
    {"q": "recycling", "page": "-3"},
    {"q": "recycling", "page": "abc"},
    {"q": "recycling", "page": "9" * 40},
    {"q": "recycling", "type": "nonsense"},
    {"q": "recycling", "community": "x1"},
    {"q": "recycling", "year": "99999999999"},
    {"q": "recycling", "tag": "no such tag"},
    {"q": "", "region": "Nowhere"},
    {"q": "recycling", "council": "\x07"},
    {"q": "recycling", "page": "²"},
    {"q": "recycling", "year": "²"},
    {"q": "recycling", "community": "²"},
]


def test_odd_pages_and_filters_are_handled(client, content):
    for params in ODD_PARAMS:
        response = client.get("/search/", params)
        assert response.status_code == 200, params


def test_a_page_past_the_end_shows_the_last_page(client, content):
    page = client.get("/search/", {"q": "recycling", "page": "999"}).content.decode()
    assert "only 2 pages of results" in page and "page 2 of 2" in page


def test_the_api_uses_the_same_query_builder_and_rules(client, content):
    data = client.get("/api/search/", {"q": "recycling", "type": "thread"}).json()
    assert data["total"] == 23 and data["backend"] == "elasticsearch"
    assert {f["param"] for f in data["facets"]} == {"type", "community", "year"}
    assert all("secret" not in r["title"] for r in data["results"])

    suggestions = client.get("/api/search/autocomplete", {"q": "recycling q"}).json()
    assert suggestions and suggestions[0]["label"].startswith("Recycling question")
    assert client.get("/search/autocomplete/", {"q": "recycling s"}).json() == {"results": []}
    related = client.get(f"/api/search/related/thread-{content['secret'].pk}").json()
    assert related == []


def test_a_click_is_logged_and_leads_to_the_result_only_if_visible(client, content):
    client.get("/search/", {"q": "recycling"})
    log = SearchQueryLog.objects.get()
    thread = content["threads"][0]

    response = client.get("/search/go/", {"s": log.pk, "doc": f"thread-{thread.pk}", "pos": "1"})
    assert response.status_code == 302 and response["Location"] == thread.url
    assert SearchClick.objects.get().doc_id == f"thread-{thread.pk}"
    hidden = client.get(
        "/search/go/", {"s": log.pk, "doc": f"thread-{content['secret'].pk}", "pos": "2"}
    )
    assert hidden.status_code == 404  # its address would reveal its title
    assert client.get("/search/go/", {"s": "x", "doc": "nonsense", "pos": "y"}).status_code == 404
    assert client.get("/search/go/", {"s": "²", "doc": "thread-²", "pos": "²"}).status_code == 404


def test_searches_are_logged_with_council_and_region_but_no_identity(client, content):
    leeds = AreaFactory(code="LDS", short_name="Leeds", region="Yorkshire and The Humber")
    user = do_create_member(
        email="officer@leeds.example.gov.uk",
        password="correct-horse-battery",
        display_name="Leeds Officer",
        council=leeds,
    )
    client.force_login(user)
    client.get("/search/", {"q": "Recycling"})
    client.get("/search/", {"q": "glorpington"})

    logs = {log.query: log for log in SearchQueryLog.objects.all()}
    assert (
        logs["recycling"].result_count == 25
        and logs["recycling"].region == "Yorkshire and The Humber"
    )
    assert logs["glorpington"].result_count == 0 and logs["glorpington"].council == leeds
    field_names = {f.name for f in SearchQueryLog._meta.get_fields()}
    assert not field_names & {"user", "user_id", "session", "ip_address"}


def test_staff_see_top_and_zero_result_searches_by_region_and_download_csv(client, content):
    kent = AreaFactory(code="KEN", short_name="Kent", region="South East")
    searcher = do_create_member(
        email="k@kent.example.gov.uk", password=None, display_name="K", council=kent
    )
    client.force_login(searcher)
    for query in ["recycling", "recycling", "=HYPERLINK(1)", "flarble"]:
        client.get("/search/", {"q": query})
    assert client.get("/search/analytics/").status_code == 403
    client.logout()
    assert client.get("/search/analytics/").status_code == 302

    client.force_login(UserFactory(is_staff=True))
    page = client.get(
        "/search/analytics/", {"region": "South East", "period": "7"}
    ).content.decode()
    assert "Top searches in South East" in page and "recycling" in page and "flarble" in page

    response = client.get("/search/analytics/", {"region": "South East", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["date", "query", "filters"]
    assert [row[1] for row in rows[1:]] == ["recycling", "recycling", "'=hyperlink(1)", "flarble"]
    assert all(row[4] == "South East" for row in rows[1:])


def test_with_elasticsearch_unreachable_the_page_falls_back_with_a_notice(
    client, content, settings, unused_tcp_port
):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"
    page = page_text(client.get("/search/", {"q": "recycling"}))
    assert (
        "simpler mode" in page
        and "Recycling question 12" in page
        and "Recycling secret plan" not in page
    )
    labels = [
        i["label"] for i in client.get("/search/autocomplete/", {"q": "recy"}).json()["results"]
    ]
    assert "Recycling question 12" in labels or any(
        label.startswith("Recycling") for label in labels
    )
    assert "Recycling secret plan" not in labels  # from the database, through the same rules


def test_when_elasticsearch_answers_but_cannot_search_the_page_falls_back_with_a_notice(
    client, content, settings
):
    # The node is up but has no such index: each search of the multi-search fails on its own.
    settings.ELASTICSEARCH_INDEX_PREFIX = "no-such-index"
    page = page_text(client.get("/search/", {"q": "recycling", "type": "thread"}))
    assert "simpler mode" in page and "Recycling question 12" in page
    assert "Recycling secret plan" not in page


def test_without_elasticsearch_the_database_search_obeys_the_same_rules(
    client, home_page, settings
):
    settings.ELASTICSEARCH_URL = ""
    open_c = CommunityFactory(title="Open waste group")
    private = CommunityFactory(title="Private waste group", visibility=Visibility.PRIVATE)
    ThreadFactory(community=open_c, title="Waste rounds")
    ThreadFactory(community=private, title="Waste secrets")

    page = page_text(client.get("/search/", {"q": "waste"}))
    assert "Waste rounds" in page and "Open waste group" in page
    assert "Waste secrets" not in page and "Private waste group" not in page
    assert "simpler mode" not in page
    for query in BAD_QUERIES:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_the_analytics_refusal_says_why(client, home_page):
    client.force_login(UserFactory())

    response = client.get("/search/analytics/")

    assert response.status_code == 403
    assert "Search analytics are for site staff." in page_text(response)
