"""RSS and Atom per community and thread; members-only content through a resettable secret link."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from communities.discussions.services.notifications import do_reset_feed_token, preferences_for
from communities.models import Visibility
from communities.models.tokens import token_digest
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_open_community_and_thread_feeds_in_rss_and_atom(client, home_page):
    community = CommunityFactory(title="Waste and recycling")
    thread = ThreadFactory(community=community, title="Food waste rollout")
    PostFactory(thread=thread, body="We used **caddies**.")
    PostFactory(thread=thread, body="Deleted reply").__class__.objects.filter(
        body="Deleted reply"
    ).update(is_deleted=True)

    rss = client.get(reverse("community-feed-rss", args=[community.slug]))
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item/title")  # noqa: S314 - our own output
    assert [i.text for i in items] == ["Food waste rollout"]
    atom = client.get(reverse("community-feed-atom", args=[community.slug]))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Food waste rollout" in atom.content

    thread_feed = client.get(reverse("thread-feed-rss", args=[thread.pk])).content.decode()
    assert (
        "&lt;strong&gt;caddies&lt;/strong&gt;" in thread_feed and "Deleted reply" not in thread_feed
    )
    assert client.get(reverse("thread-feed-atom", args=[thread.pk])).status_code == 200


def test_restricted_content_only_through_the_members_secret_link_which_can_be_reset(
    client, home_page
):
    community = CommunityFactory(visibility=Visibility.RESTRICTED)
    thread = ThreadFactory(community=community, title="Members only topic")
    member = UserFactory()
    MembershipFactory(community=community, user=member)

    assert client.get(reverse("community-feed-rss", args=[community.slug])).status_code == 403
    assert client.get(reverse("thread-feed-rss", args=[thread.pk])).status_code == 403
    client.force_login(member)  # a session does not open the public feed either
    assert client.get(reverse("community-feed-rss", args=[community.slug])).status_code == 403

    token = do_reset_feed_token(member)  # the raw token is only ever in the links
    secret = reverse("private-community-feed-rss", args=[token, community.slug])
    assert b"Members only topic" in client.get(secret).content
    assert (
        client.get(reverse("private-thread-feed-atom", args=[token, thread.pk])).status_code == 200
    )

    client.post(reverse("reset-feed-token"))
    assert preferences_for(member).feed_token_digest != token_digest(token)
    assert client.get(secret).status_code == 404
    do_reset_feed_token(member)


def test_private_community_feeds_are_404_to_non_members(client, home_page):
    community = CommunityFactory(visibility=Visibility.PRIVATE)
    outsider = UserFactory()
    token = do_reset_feed_token(outsider)
    assert client.get(reverse("community-feed-rss", args=[community.slug])).status_code == 404
    assert (
        client.get(reverse("private-community-feed-rss", args=[token, community.slug])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("private-community-feed-rss", args=["not-a-token", community.slug])
        ).status_code
        == 404
    )
