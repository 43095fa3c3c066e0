"""Pages kept for visitors who are not signed in (``hub.floor.pagecache``): kept until the next
announced change, never served to (or stored from) anyone signed in, and never what a reader may
not see."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils.html import strip_tags

from communities.discussions.services.threads import do_edit_thread
from communities.events import announce
from communities.models import CommunityPage, Membership, ThreadPage, Visibility
from communities.people.services.membership import do_update_community_settings
from communities.people.services.tokens import do_create_token
from hub.floor.pagecache import bump, current_generation
from search.models import SearchQueryLog
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD_FREE = "Signed in as"


def announce_something() -> None:
    """A content generation to keep pages under (the first change makes one)."""
    with transaction.atomic():
        bump()


def quietly_retitle(thread: ThreadPage, title: str) -> None:
    """A change no service announces (as a raw database edit would be): kept pages do not see it."""
    ThreadPage.objects.filter(pk=thread.pk).update(title=title)


def test_a_visitor_gets_the_kept_page_until_a_change_is_announced(page_cache, client):
    thread = ThreadFactory(title="How do you plan gritting routes?")
    assert "How do you plan gritting routes?" in client.get(thread.url).content.decode()

    quietly_retitle(thread, "A title nobody announced")
    kept = client.get(thread.url).content.decode()
    assert "How do you plan gritting routes?" in kept  # the page kept for visitors

    thread = ThreadPage.objects.get(pk=thread.pk)
    do_edit_thread(
        thread=thread, editor=thread.owner, title="Gritting routes: what works?", body="Hi"
    )
    assert "Gritting routes: what works?" in client.get(thread.url).content.decode()


def test_a_visitors_autocomplete_and_results_are_kept_until_a_change_is_announced(
    page_cache, client
):
    thread = ThreadFactory(title="Gritting routes in winter")
    suggestions = "/search/autocomplete/?q=gritt"
    first = client.get(suggestions)
    assert "Gritting routes in winter" in first.content.decode()
    results = client.get("/search/?q=gritting")
    assert "Gritting routes in winter" in strip_tags(results.content.decode())

    quietly_retitle(thread, "Gritting depots nobody announced")
    kept = client.get(suggestions)
    assert kept.content == first.content
    assert "Server-Timing" not in kept  # a kept answer did not ask the search engine
    kept_results = client.get("/search/?q=gritting")
    assert kept_results.content == results.content

    thread = ThreadPage.objects.get(pk=thread.pk)
    do_edit_thread(thread=thread, editor=thread.owner, title="Gritting salt stocks", body="Hi")
    assert "Gritting salt stocks" in client.get(suggestions).content.decode()
    assert "Gritting salt stocks" in strip_tags(client.get("/search/?q=gritting").content.decode())


def test_every_kept_copy_of_a_visitors_results_is_logged_as_a_search(page_cache, client):
    ThreadFactory(title="Gritting routes in winter")
    announce_something()
    for _ in range(3):
        client.get("/search/?q=Gritting&type=thread")
    client.get("/search/?q=Gritting&type=thread&page=2")  # a later page is not another search

    logged = SearchQueryLog.objects.order_by("pk")
    assert [(log.query, log.filters, log.result_count, log.backend) for log in logged] == [
        ("gritting", "type=thread", 1, "database")
    ] * 3
    # a copy links its results through the first log, which says the same
    page = client.get("/search/?q=Gritting&type=thread").content.decode()
    assert f"s={logged[0].pk}&amp;" in page
    assert SearchQueryLog.objects.count() == 4


def test_the_generation_commits_and_rolls_back_with_the_change(page_cache):
    community = CommunityFactory()
    before = current_generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        announce("community", [community.pk], "edited")
        raise RuntimeError("the change fails")
    assert current_generation() == before
    announce("community", [community.pk], "edited")
    assert current_generation() != before


def test_a_community_made_private_is_gone_for_visitors_at_once(page_cache, client):
    owner = UserFactory()
    community = CommunityFactory(title="Winter maintenance", owner=owner)
    thread = ThreadFactory(community=community, title="Salt stock levels this winter")
    for url in (community.url, thread.url, "/communities/"):
        assert client.get(url).status_code == 200
    assert "Winter maintenance" in client.get("/communities/").content.decode()

    community = CommunityPage.objects.get(pk=community.pk)
    do_update_community_settings(
        community, by=owner, description="Private now.", tags=[], visibility=Visibility.PRIVATE
    )
    assert client.get(community.url).status_code == 404
    assert client.get(thread.url).status_code == 404
    assert "Winter maintenance" not in client.get("/communities/").content.decode()


READERS = ["anonymous", "non_member", "member", "staff"]


@pytest.mark.parametrize("visibility", [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE])
def test_every_reader_gets_what_they_would_without_kept_pages_in_any_order(settings, visibility):
    """The permission matrix with and without kept pages: each reader, asking in turn after every
    other reader (so every page another reader caused to be kept is there to leak), gets the same
    status, the same header and the same content as with the cache off."""
    community = CommunityFactory(title="Adult social care leads", visibility=visibility)
    thread = ThreadFactory(community=community, title="Charging policy for respite care")
    member = UserFactory(display_name="Member Reader")
    MembershipFactory(community=community, user=member)
    people = {
        "non_member": UserFactory(display_name="Outside Reader"),
        "member": member,
        "staff": UserFactory(display_name="Staff Reader", is_staff=True),
    }
    clients = {"anonymous": Client()}
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    urls = [community.url, thread.url, "/communities/", "/"]

    def seen(reader: str, url: str) -> tuple[int, bool, bool, str | None]:
        response = clients[reader].get(url)
        text = response.content.decode()
        signed_in_as = text.split(PASSWORD_FREE, 1)[1][:40] if PASSWORD_FREE in text else None
        return (
            response.status_code,
            "Charging policy for respite care" in text,
            "Adult social care leads" in text,
            signed_in_as,
        )

    settings.PAGE_CACHE_SECONDS = 0
    expected = {(reader, url): seen(reader, url) for reader in READERS for url in urls}
    assert expected[("anonymous", "/communities/")][2] == (visibility != Visibility.PRIVATE)

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    try:
        for order in (
            READERS,
            list(reversed(READERS)),
            ["member", "anonymous", "staff", "anonymous"],
        ):
            for url in urls:
                for reader in order:
                    assert seen(reader, url) == expected[(reader, url)], (reader, url, visibility)
    finally:
        cache.clear()


def test_a_session_or_a_token_is_never_served_a_kept_page(page_cache, client):
    thread = ThreadFactory(title="Library opening hours")
    client.get(thread.url)
    quietly_retitle(thread, "Library opening hours, revised")

    with_session = Client()
    with_session.cookies["sessionid"] = "not-a-session-of-anyone"
    assert "revised" in with_session.get(thread.url).content.decode()

    token = do_create_token(UserFactory(), name="reader")[1]
    by_token = client.get(thread.url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert "revised" in by_token.content.decode()
    assert "revised" not in client.get(thread.url).content.decode()  # visitors: the kept page


def test_a_signed_in_page_is_never_kept_for_visitors(page_cache, client):
    member = UserFactory(display_name="Signed Member")
    thread = ThreadFactory(title="Parking permits online")
    MembershipFactory(community=thread.community, user=member, role=Membership.Role.MEMBER)
    signed_in = Client()
    signed_in.force_login(member)
    assert "Signed Member" in signed_in.get(thread.url).content.decode()
    visitor_page = client.get(thread.url).content.decode()
    assert "Signed Member" not in visitor_page and "Sign in" in visitor_page
    assert "Signed Member" in signed_in.get(thread.url).content.decode()


def test_publishing_linked_data_or_a_page_in_wagtail_changes_the_generation(page_cache):
    from linkeddata.services.publish import record_publication
    from tests.factories import site_tree

    home = site_tree()
    before = current_generation()
    with transaction.atomic():
        record_publication(reference=True)
    after_data = current_generation()
    assert after_data != before
    home.save_revision().publish()
    assert current_generation() != after_data
