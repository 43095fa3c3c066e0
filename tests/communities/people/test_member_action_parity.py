"""Membership actions answer people who may not take them the same way whoever they target: a
member, someone with no membership row, or no one at all. Over HTTP against a live server."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from communities.models import JoinRequest, Membership, Visibility
from communities.people.services.membership import do_request_to_join
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.live_http import Answer, LiveClient

pytestmark = pytest.mark.django_db(transaction=True)


def normalised(answer: Answer) -> tuple[int, str]:
    """Status and body, without the per-response CSRF token."""
    return answer.status, re.sub(r'value="[A-Za-z0-9]{64}"', 'value=""', answer.text)


@pytest.fixture
def community(home_page):
    owner = UserFactory(display_name="Olu Owner")
    community = CommunityFactory(title="Housing", visibility=Visibility.RESTRICTED, owner=owner)
    return community


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_member_actions_answer_the_same_whoever_is_targeted(live_server, community, role):
    actor = UserFactory()
    MembershipFactory(community=community, user=actor, role=role)
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    banned = UserFactory()
    MembershipFactory(community=community, user=banned, status="banned")
    outsider = UserFactory()  # an account with no membership row here
    missing = (get_user_model().objects.order_by("-pk").first().pk or 0) + 1000
    client = LiveClient.as_user(live_server.url, actor)

    actions = ["role"] if role == "facilitator" else ["remove", "ban", "unban", "role"]
    for action in actions:
        answers = {
            who: normalised(
                client.post(
                    f"/communities/{community.slug}/members/{user_id}/{action}/",
                    {"role": "owner"},
                )
            )
            for who, user_id in (
                ("member", member.pk),
                ("banned", banned.pk),
                ("outsider", outsider.pk),
                ("missing", missing),
            )
        }
        statuses = {who: answer[0] for who, answer in answers.items()}
        assert set(statuses.values()) == {403}, (action, statuses)
        assert len({answer[1] for answer in answers.values()}) == 1, action
    # Nothing changed.
    assert Membership.objects.get(community=community, user=member).status == "active"
    assert Membership.objects.get(community=community, user=member).role == "member"
    assert not Membership.objects.filter(community=community, user=outsider).exists()


def test_join_request_decisions_answer_the_same_whether_or_not_the_request_exists(
    live_server, community
):
    asker = UserFactory()
    join_request = do_request_to_join(asker, community, "Please")
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    missing = (JoinRequest.objects.order_by("-pk").first().pk or 0) + 1000
    client = LiveClient.as_user(live_server.url, member)

    for decision in ("approve", "decline"):
        existing = client.post(
            f"/communities/{community.slug}/requests/{join_request.pk}/", {"decision": decision}
        )
        absent = client.post(
            f"/communities/{community.slug}/requests/{missing}/", {"decision": decision}
        )
        assert existing.status == absent.status == 403
        assert normalised(existing) == normalised(absent)
    assert JoinRequest.objects.get(pk=join_request.pk).status == JoinRequest.Status.PENDING
