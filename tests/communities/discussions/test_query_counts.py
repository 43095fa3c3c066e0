"""No N+1: the thread and community pages run the same number of queries whatever their size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.benchmarks.data import add_replies, add_threads
from communities.discussions.services.threads import do_toggle_helpful
from communities.models import Post, Visibility
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    """The queries of one request for ``url`` as a running site serves it: after one request has
    filled the process's caches (content types, Wagtail's site root), which a test that runs after
    a database flush starts without."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def reader(home_page, client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED])
def test_thread_page_with_10_and_300_posts(client, reader, visibility):
    community = CommunityFactory(visibility=visibility)
    MembershipFactory(community=community, user=reader)
    authors = [UserFactory() for _ in range(5)]
    small, large = ThreadFactory(community=community), ThreadFactory(community=community)
    add_replies(small, authors, 10)
    add_replies(large, authors, 300)
    for post in Post.objects.filter(thread__in=[small, large])[:400:7]:
        do_toggle_helpful(post=post, user=reader)

    assert queries(client, small.url) == queries(client, large.url)
    assert queries(client, f"{large.url}?page=5") == queries(client, small.url)


def add_mentioning_replies(thread, authors, count: int) -> None:
    """``count`` replies that each mention one of ``authors`` (public profiles, so every mention is a link)."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.text import slugify

    from communities.markdown import render_markdown
    from communities.models import ThreadPage

    start = timezone.now() - timedelta(days=1)
    bodies = [f"Thanks @{slugify(author.profile.display_name)}, that helped." for author in authors]
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=authors[n % len(authors)],
            body=bodies[n % len(authors)],
            body_html=render_markdown(bodies[n % len(authors)]),
            created_at=start + timedelta(seconds=n),
        )
        for n in range(count)
    )
    ThreadPage.objects.filter(pk=thread.pk).update(reply_count=count)


def test_thread_page_with_mentions_in_10_and_300_posts(client, reader):
    from communities.models import ProfileVisibility

    community = CommunityFactory()
    authors = [
        UserFactory(display_name=f"Mentioned Person{n}", visibility=ProfileVisibility.PUBLIC)
        for n in range(25)
    ]
    small, large = ThreadFactory(community=community), ThreadFactory(community=community)
    add_mentioning_replies(small, authors, 10)
    add_mentioning_replies(large, authors, 300)

    assert 'class="mention" href="/members/' in client.get(large.url).content.decode()
    assert queries(client, small.url) == queries(client, large.url)
    assert queries(client, f"{large.url}?page=5") == queries(client, small.url)


def test_community_page_with_10_and_300_threads(client, reader):
    small, large = CommunityFactory(), CommunityFactory()
    author = UserFactory()
    add_threads(small, author, 10, prefix="Small")
    add_threads(large, author, 300, prefix="Large")

    assert queries(client, small.url) == queries(client, large.url)
    client.logout()
    assert queries(client, small.url) == queries(client, large.url)


# -- Every page type: the same number of queries on a small site and on a larger one ---------------


def grow(reader, scale: int, label: str) -> None:
    """Add ``scale`` × (communities, members, threads, replies, case studies), the reader a member
    of some of the new communities."""
    from communities.benchmarks.data import (
        bulk_case_studies,
        bulk_communities,
        bulk_members,
        bulk_memberships,
        bulk_posts,
        bulk_threads,
    )
    from communities.models import CommunityIndexPage, GoodPracticeIndexPage

    members = bulk_members(10 * scale, prefix=f"{label}-member")
    communities = bulk_communities(
        CommunityIndexPage.objects.get(), 3 * scale, members[0], prefix=f"{label}-community"
    )
    bulk_memberships(communities, [reader.pk, *members], per_member=2 * scale)
    threads = []
    for community in communities:
        threads.extend(bulk_threads(community, members, 3))
    bulk_posts(threads, members, 20 * scale)
    bulk_case_studies(GoodPracticeIndexPage.objects.get(), 2 * scale, prefix=f"{label}-case")


SITE_PAGES = [
    "/",
    "/communities/",
    "/communities/?visibility=open&q=community",
    "/members/",
    "/good-practice/",
    "/search/?q=service+costs",
    "/search/autocomplete/?q=serv",
    "/sparql",
]
SIGNED_IN_PAGES = ["/dashboard/", "/notifications/", "/members/me/communities/"]


def page_queries(client, signed_in: bool, community, thread, case_study) -> dict[str, int]:
    urls = [*SITE_PAGES, community.url, thread.url, case_study.url]
    if signed_in:
        urls += SIGNED_IN_PAGES
    return {url: queries(client, url) for url in urls}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_page_type_on_a_small_and_a_larger_site(client, signed_in):
    from communities.models import GoodPracticePage, ThreadPage

    reader = UserFactory()
    community = CommunityFactory()
    MembershipFactory(community=community, user=reader)
    authors = [UserFactory() for _ in range(3)]
    thread = ThreadFactory(community=community)
    add_replies(thread, authors, 5)
    grow(reader, 1, "small")
    case_study = GoodPracticePage.objects.get(slug="small-case-1")
    if signed_in:
        client.force_login(reader)
    small = page_queries(client, signed_in, community, thread, case_study)

    grow(reader, 12, "large")  # 36 more communities: two pages of the list
    add_threads(community, authors[0], 40, prefix="More")
    add_replies(thread, authors, 60)
    assert ThreadPage.objects.count() > 100
    large = page_queries(client, signed_in, community, thread, case_study)

    assert large == small


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED])
def test_a_thread_page_reads_the_viewers_membership_once(client, reader, visibility):
    """Reading, posting, facilitating, flagging, voting and editing are all asked about; the
    membership table is read once for them all."""
    community = CommunityFactory(visibility=visibility)
    MembershipFactory(community=community, user=reader)
    thread = ThreadFactory(community=community, author=reader)
    add_replies(thread, [reader, UserFactory()], 30)
    client.get(thread.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(thread.url)
    assert "Post reply" in response.content.decode()  # a member who may post
    # rows read from the table itself (the header's unread count filters through it in a subquery)
    reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "communities_membership"')]
    assert len(reads) == 1, reads


def test_pages_kept_for_visitors_cost_one_query_on_a_small_and_a_larger_site(client, settings):
    """With pages kept for visitors (``PAGE_CACHE_SECONDS``), every page type but search's results
    and SPARQL (never kept) is one query on a small and on a larger site: the content generation."""
    from django.core.cache import cache

    from communities.models import GoodPracticePage
    from hub.floor.pagecache import bump

    reader = UserFactory()
    community = CommunityFactory()
    thread = ThreadFactory(community=community)
    add_replies(thread, [UserFactory()], 5)
    grow(reader, 1, "small")
    case_study = GoodPracticePage.objects.get(slug="small-case-1")
    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    kept = [url for url in SITE_PAGES if not url.startswith(("/search/?", "/sparql"))]
    assert "/search/autocomplete/?q=serv" in kept
    kept += [community.url, thread.url, case_study.url]
    try:
        small = {url: queries(client, url) for url in kept}
        grow(reader, 12, "large")
        add_replies(thread, [UserFactory()], 60)
        bump()  # as the announcements of the new content would (the bulk writes make none)
        large = {url: queries(client, url) for url in kept}
    finally:
        cache.clear()
    assert small == large == dict.fromkeys(kept, 1)


def test_kept_lists_for_a_signed_in_reader_on_a_small_and_a_larger_site(client, settings):
    """With the thread list and the library's results kept per reader class
    (``FRAGMENT_CACHE_SECONDS``), a signed-in reader's community and library pages run the same
    number of queries on a small and on a larger site, and fewer than rendered every time."""
    from django.core.cache import cache

    from hub.floor.pagecache import bump

    reader = UserFactory()
    community = CommunityFactory()
    MembershipFactory(community=community, user=reader)
    add_threads(community, UserFactory(), 5, prefix="Few")
    grow(reader, 1, "small")
    client.force_login(reader)
    urls = [community.url, "/good-practice/"]
    rendered = {url: queries(client, url) for url in urls}
    settings.FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    try:
        small = {url: queries(client, url) for url in urls}
        grow(reader, 12, "large")
        add_threads(community, UserFactory(), 40, prefix="More")
        bump()  # as the announcements of the new content would (the bulk writes make none)
        large = {url: queries(client, url) for url in urls}
    finally:
        cache.clear()
    assert small == large
    assert all(small[url] < rendered[url] for url in urls), (small, rendered)
