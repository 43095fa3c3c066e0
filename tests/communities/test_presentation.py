"""How threads, the library and forms present themselves: tags, breadcrumbs, sign-in to reply."""

import re

import pytest

from tests.factories import CommunityFactory, GoodPracticeFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_threads_show_their_tags_and_the_tag_filter_lists_existing_tags(client, home_page):
    community = CommunityFactory(title="Waste and recycling")
    thread = ThreadFactory(community=community, title="Bin tagging", tags=["contamination", "bins"])
    ThreadFactory(community=community, title="Garden waste charges", tags=["charging"])

    listing = client.get(community.url).content.decode()
    assert '<li class="tag">contamination</li>' in listing  # on the thread list
    assert '<select id="thread-tag" name="tag">' in listing
    assert "<option>bins</option><option>charging</option><option>contamination</option>" in listing

    filtered = client.get(community.url, {"tag": "charging"}).content.decode()
    assert "<option selected>charging</option>" in filtered
    assert "Garden waste charges" in filtered and "Bin tagging" not in filtered

    page = client.get(thread.url).content.decode()
    assert f'href="{community.url}?tag=contamination">contamination</a>' in page


def test_thread_breadcrumbs_and_a_sign_in_link_for_anonymous_readers(client, home_page):
    community = CommunityFactory(title="Waste and recycling")
    thread = ThreadFactory(community=community, title="Bin tagging")
    page = client.get(thread.url).content.decode()
    assert '<li><a href="/communities/">Communities</a></li>' in page
    assert f'<li><a href="{community.url}">Waste and recycling</a></li>' in page
    assert '<li aria-current="page">Bin tagging</li>' in page
    assert f'href="/accounts/login/?next={thread.url}%23reply">Sign in to reply</a>' in page


def test_case_study_breadcrumbs_and_library_results_before_filters(client, home_page):
    case = GoodPracticeFactory(title="Weekly food waste roll-out")
    library = client.get("/good-practice/").content.decode()
    assert library.index('id="results-heading"') < library.index("<details")
    assert "Filter and sort" in library
    page = client.get(case.url).content.decode()
    assert '<li><a href="/good-practice/">Good practice</a></li>' in page


def test_no_label_says_optional_twice(client, home_page):
    client.force_login(UserFactory())
    html = client.get("/community-proposals/new/").content.decode()
    assert "Topics (optional)" in html
    assert not re.search(r"\(optional\)\s*(<[^>]+>\s*)*\(optional\)", html)
