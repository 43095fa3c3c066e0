"""'Waiting for you': each person sees counts of what they may act on, in the header (in a fixed,
small number of queries; none for anonymous visitors) and on the dashboard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.discussions.services.moderation import do_flag_post
from communities.good_practice.queries import Waiting, waiting_for
from communities.good_practice.services import do_create_good_practice
from communities.models import Visibility
from communities.people.services.membership import do_request_to_join
from communities.people.services.proposals import do_propose_community
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
    good_practice_editor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    """A restricted community with a request and a flag, a case study in review, a proposal."""
    facilitator = UserFactory(display_name="Fay Facilitator")
    community = CommunityFactory(
        title="Community safety", visibility=Visibility.RESTRICTED, owner=facilitator
    )
    member = UserFactory(display_name="Mo Member")
    MembershipFactory(community=community, user=member)
    post = PostFactory(thread=ThreadFactory(community=community, author=member), author=member)
    do_flag_post(post, by=member, reason="spam")
    do_request_to_join(UserFactory(), community, "Please let me in.")
    editor = good_practice_editor()
    do_create_good_practice(
        author=member,
        data={
            "title": "Tag and educate",
            "summary": "Crews tagged bins.",
            "problem": "Contamination.",
            "approach": "Tag and revisit.",
            "outcomes": "It fell.",
        },
        submit=True,
    )
    staff = UserFactory(is_staff=True, display_name="Sam Staff")
    do_propose_community(by=member, title="Coastal councils", description="Erosion.")
    return {
        "facilitator": facilitator,
        "member": member,
        "editor": editor,
        "staff": staff,
        "community": community,
    }


def test_each_person_counts_only_what_they_may_act_on(world):
    assert waiting_for(world["facilitator"]) == Waiting(flags=1, join_requests=1)
    assert waiting_for(world["editor"]) == Waiting(reviews=1, admin=True)
    assert waiting_for(world["member"]) == Waiting()  # their own case study is not theirs to review
    assert waiting_for(world["staff"]) == Waiting(
        reviews=1, flags=1, join_requests=1, proposals=1, admin=True
    )
    assert waiting_for(UserFactory()) == Waiting()


def test_the_header_counts_in_two_queries_at_most_and_none_for_visitors(world):
    from django.contrib.auth.models import AnonymousUser

    for person in ["facilitator", "editor", "staff", "member"]:
        with CaptureQueriesContext(connection) as queries:
            waiting_for(world[person])
        assert len(queries) <= 2, (person, [q["sql"] for q in queries])
    with CaptureQueriesContext(connection) as queries:
        waiting_for(AnonymousUser())
    assert len(queries) == 0


def test_the_header_and_dashboard_lead_each_person_to_what_waits(world, client):
    community = world["community"]
    assert client.login(username=world["facilitator"].username, password=PASSWORD)

    header = client.get("/").content.decode()
    assert "Waiting for you" in header and "(2)" in header
    assert "Flagged posts to moderate: 1" in header and "Requests to join: 1" in header
    dashboard = client.get("/dashboard/").content.decode()
    assert f'href="/communities/{community.slug}/moderation/"' in dashboard
    assert f'href="/communities/{community.slug}/requests/"' in dashboard
    assert "1 flagged post to moderate in Community safety" in dashboard

    client.logout()
    assert client.login(username=world["editor"].username, password=PASSWORD)
    header = client.get("/").content.decode()
    assert "Case studies to review: 1" in header and 'href="/admin/"' in header

    client.logout()
    assert client.login(username=world["staff"].username, password=PASSWORD)
    assert "Community proposals: 1" in client.get("/").content.decode()

    client.logout()
    assert client.login(username=world["member"].username, password=PASSWORD)
    assert "Waiting for you" not in client.get("/").content.decode()
    client.logout()
    assert "Waiting for you" not in client.get("/").content.decode()


def test_a_member_with_nothing_to_act_on_costs_the_header_one_small_query(world):
    """Most signed-in people neither edit good practice nor facilitate: one query says so, and
    nothing unread is one more, whatever their communities hold."""
    from communities.discussions.services.notifications import unread_count

    with CaptureQueriesContext(connection) as queries:
        assert waiting_for(world["member"]) == Waiting()
        assert unread_count(world["member"]) == 0
    assert len(queries) == 2, [q["sql"] for q in queries]
