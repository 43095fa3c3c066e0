"""The dashboard: "new since my last visit" written at most once in ``DASHBOARD_SEEN_MINUTES``, and
the same number of queries whatever the member's communities hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from communities.benchmarks.data import add_threads
from communities.models import NotificationSettings
from tests.communities.discussions.test_query_counts import queries
from tests.factories import CommunityFactory, MembershipFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def seen_at(user):
    return NotificationSettings.objects.get(user=user).dashboard_seen_at


def test_a_visit_is_written_at_most_once_in_the_setting_s_minutes(client, settings):
    settings.DASHBOARD_SEEN_MINUTES = 15
    community = CommunityFactory(title="Coastal erosion")
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    client.force_login(member)
    client.get(reverse("dashboard"))
    first = seen_at(member)
    assert first is not None

    ThreadFactory(community=community, title="Managed retreat funding")
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count("Managed retreat funding") == 2  # new since the visit, and unanswered
    assert seen_at(member) == first  # a reload within 15 minutes writes nothing
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count("Managed retreat funding") == 2  # still new in this sitting

    earlier = first - timedelta(minutes=16)
    NotificationSettings.objects.filter(user=member).update(dashboard_seen_at=earlier)
    client.get(reverse("dashboard"))  # new since 16 minutes ago; this visit is written
    assert seen_at(member) > first
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count("Managed retreat funding") == 1  # unanswered only: no longer new


def test_every_visit_is_written_when_the_setting_is_0(client, settings):
    settings.DASHBOARD_SEEN_MINUTES = 0
    member = UserFactory()
    client.force_login(member)
    client.get(reverse("dashboard"))
    first = seen_at(member)
    client.get(reverse("dashboard"))
    assert seen_at(member) > first


@pytest.mark.parametrize("minutes", [0, 15])
def test_the_dashboard_costs_the_same_with_few_and_many_threads(client, settings, minutes):
    settings.DASHBOARD_SEEN_MINUTES = minutes
    member = UserFactory()
    mine = CommunityFactory()
    MembershipFactory(community=mine, user=member)
    other = CommunityFactory()
    MembershipFactory(community=other, user=member)
    watched = ThreadFactory(community=other)
    client.force_login(member)
    client.post(reverse("watch-thread", args=[watched.pk]), {"level": "watching"})
    add_threads(mine, UserFactory(), 3, prefix="Few")
    small = queries(client, reverse("dashboard"))
    add_threads(mine, UserFactory(), 60, prefix="Many")
    add_threads(CommunityFactory(), UserFactory(), 30, prefix="Elsewhere")
    assert queries(client, reverse("dashboard")) == small


def test_the_dashboard_lists_only_threads_the_member_may_read(client):
    """A watched thread in a community the member has since left (restricted) is not listed."""
    from communities.models import Visibility
    from communities.people.services.membership import do_leave

    member = UserFactory()
    closed = CommunityFactory(visibility=Visibility.RESTRICTED)
    MembershipFactory(community=closed, user=member)
    thread = ThreadFactory(community=closed, title="Members-only budget figures")
    client.force_login(member)
    client.post(reverse("watch-thread", args=[thread.pk]), {"level": "watching"})
    assert "Members-only budget figures" in client.get(reverse("dashboard")).content.decode()
    do_leave(member, closed)
    assert "Members-only budget figures" not in client.get(reverse("dashboard")).content.decode()
