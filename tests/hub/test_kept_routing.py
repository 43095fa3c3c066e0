"""What every Wagtail page view asks again, kept per content generation (``hub.floor.fragments``):
the request's site and root page, the home page's children, and whether any view restriction
exists. A restriction or site saved in the admin applies at once; with none, a page view reads
none of them."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Page, PageViewRestriction, Site

from communities.models import GoodPracticePage
from tests.communities.discussions.test_query_counts import queries
from tests.factories import (
    CommunityFactory,
    GoodPracticeFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kept", [False, True], ids=["rendered", "kept"])
def test_a_view_restriction_added_in_the_admin_applies_at_once(settings, kept, kept_fragments):
    settings.FRAGMENT_CACHE_SECONDS = 300 if kept else 0
    case_study = GoodPracticeFactory(title="Shared legal services")
    thread = ThreadFactory(title="Procurement frameworks")
    visitor, member = Client(), Client()
    member.force_login(UserFactory())
    for client in (visitor, member):
        assert client.get(case_study.url).status_code == 200
        assert client.get(thread.url).status_code == 200
    assert "Shared legal services" in member.get("/good-practice/").content.decode()

    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=case_study.pk), restriction_type=PageViewRestriction.LOGIN
    )
    response = visitor.get(case_study.url)
    assert response.status_code == 302 and "login/?next=" in response["Location"]
    assert member.get(case_study.url).status_code == 200
    assert not GoodPracticePage.objects.published().filter(pk=case_study.pk).exists()
    assert visitor.get(thread.url).status_code == 200  # elsewhere, nothing changes

    restriction.delete()
    assert visitor.get(case_study.url).status_code == 200
    assert GoodPracticePage.objects.published().filter(pk=case_study.pk).exists()


def test_a_restriction_on_an_ancestor_covers_the_pages_below(kept_fragments):
    thread = ThreadFactory(title="Procurement frameworks")
    visitor = Client()
    assert visitor.get(thread.url).status_code == 200
    PageViewRestriction.objects.create(
        page=Page.objects.get(pk=thread.get_parent().pk), restriction_type=PageViewRestriction.LOGIN
    )
    assert visitor.get(thread.url).status_code == 302


def test_a_site_changed_in_the_admin_routes_at_once(kept_fragments, client):
    thread = ThreadFactory(title="Procurement frameworks")
    assert client.get(thread.url).status_code == 200
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    other_root = Page.objects.get(depth=1).add_child(instance=Page(title="Elsewhere", slug="else"))
    site.root_page = other_root
    site.save()
    assert client.get(thread.url).status_code == 404
    site.root_page = home
    site.save()
    assert client.get(thread.url).status_code == 200


def test_kept_routing_saves_queries_on_every_page_type(client, settings, kept_fragments):
    """Signed in, the thread, community and case-study pages cost fewer queries with routing and
    view restrictions kept than without, the same on a small and a larger site."""
    from communities.benchmarks.data import add_replies, add_threads

    reader = UserFactory()
    community = CommunityFactory()
    MembershipFactory(community=community, user=reader)
    thread = ThreadFactory(community=community)
    add_replies(thread, [UserFactory()], 5)
    case_study = GoodPracticeFactory()
    client.force_login(reader)
    urls = [thread.url, community.url, case_study.url, "/"]
    settings.FRAGMENT_CACHE_SECONDS = 0
    rendered = {url: queries(client, url) for url in urls}
    settings.FRAGMENT_CACHE_SECONDS = 300
    small = {url: queries(client, url) for url in urls}
    add_threads(community, UserFactory(), 40, prefix="More")
    add_replies(thread, [reader], 60)  # the reader's own: edit controls on them
    for _ in range(5):
        GoodPracticeFactory()
    large = {url: queries(client, url) for url in urls}
    assert small == large
    for url in urls[:3]:
        assert small[url] <= rendered[url] - 3, (url, small, rendered)
