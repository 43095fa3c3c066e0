"""Old URLs of moved content redirect only people who may read where it went: a thread moved
into a private or restricted community, or into a community made private later, is a 404 at its
old address to everyone else. Attacks over HTTP against a live server on PostgreSQL."""

from __future__ import annotations

import pytest
from wagtail.contrib.redirects.models import Redirect

from communities.models import ThreadPage, Visibility
from communities.people.services.membership import do_update_community_settings
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory
from tests.live_http import LiveClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places(home_page):
    facilitator = UserFactory(display_name="Fay Facilitator")
    open_community = CommunityFactory(title="Open waste", owner=facilitator)
    private = CommunityFactory(
        title="Chief officers", visibility=Visibility.PRIVATE, owner=facilitator
    )
    restricted = CommunityFactory(
        title="Procurement leads", visibility=Visibility.RESTRICTED, owner=facilitator
    )
    reader = UserFactory(display_name="Rae Reader")
    MembershipFactory(community=open_community, user=reader)
    private_member = UserFactory(display_name="Pat Private")
    MembershipFactory(community=private, user=private_member)
    MembershipFactory(community=restricted, user=private_member)
    return {
        "facilitator": facilitator,
        "open": open_community,
        "private": private,
        "restricted": restricted,
        "reader": reader,
        "member": private_member,
    }


def move(live_server, places, thread: ThreadPage, to) -> str:
    """Move ``thread`` to ``to`` through the hub's moderation page; returns its new URL."""
    facilitator = LiveClient.as_user(live_server.url, places["facilitator"])
    answer = facilitator.post(
        f"/communities/{places['open'].slug}/moderation/threads/{thread.pk}/",
        {"action": "move", "to": to.pk},
    )
    assert answer.status == 302, answer.text
    moved = ThreadPage.objects.get(pk=thread.pk)
    assert moved.community_id == to.pk
    return moved.url


@pytest.mark.parametrize("destination", ["private", "restricted"])
def test_a_thread_moved_into_a_closed_community_is_a_404_at_its_old_url(
    live_server, places, destination
):
    thread = ThreadFactory(
        community=places["open"], author=places["reader"], title="Budget for 2027"
    )
    old_url = thread.url
    assert LiveClient(live_server.url).get(old_url).status == 200
    new_url = move(live_server, places, thread, places[destination])
    assert Redirect.objects.filter(redirect_page_id=thread.pk).exists()  # Wagtail recorded one

    for who in (None, places["reader"], UserFactory()):  # anonymous, a former reader, a stranger
        answer = LiveClient.as_user(live_server.url, who).get(old_url)
        assert answer.status == 404, (who, answer.status, answer.location)
        assert "location" not in answer.headers
        assert new_url not in answer.text and places[destination].slug not in answer.text
    # The same page as an address that never existed (but for the address itself, in "Sign in").
    never = f"{places['open'].url}no-such-thread/"
    never_existed = LiveClient(live_server.url).get(never).text.replace(never, "…")
    assert LiveClient(live_server.url).get(old_url).text.replace(old_url, "…") == never_existed

    # A member of the new community is redirected there.
    answer = LiveClient.as_user(live_server.url, places["member"]).get(old_url)
    assert answer.status in (301, 302) and answer.location.endswith(new_url)
    assert LiveClient.as_user(live_server.url, places["member"]).get(new_url).status == 200


def test_an_old_url_stops_redirecting_when_the_community_becomes_private(live_server, places):
    second_open = CommunityFactory(title="Open recycling", owner=places["facilitator"])
    MembershipFactory(community=second_open, user=places["member"])
    thread = ThreadFactory(community=places["open"], author=places["reader"], title="Glass")
    old_url = thread.url
    new_url = move(live_server, places, thread, second_open)

    anonymous = LiveClient(live_server.url)
    answer = anonymous.get(old_url)
    assert answer.status in (301, 302) and answer.location.endswith(new_url)  # public: followed

    do_update_community_settings(
        second_open,
        by=places["facilitator"],
        description=second_open.description,
        tags=[],
        visibility=Visibility.PRIVATE,
    )
    for who in (None, places["reader"]):
        answer = LiveClient.as_user(live_server.url, who).get(old_url)
        assert answer.status == 404 and "location" not in answer.headers
    answer = LiveClient.as_user(live_server.url, places["member"]).get(old_url)
    assert answer.status in (301, 302) and answer.location.endswith(new_url)
