"""A community's facilitators are told when someone asks to join or flags a post, in the app
(and by email for flags); other members are not."""

import pytest
from django.core import mail

from communities.discussions.services.moderation import do_flag_post, do_flag_thread
from communities.models import Notification, Visibility
from communities.people.services.membership import do_request_to_join
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(home_page):
    return UserFactory(display_name="Olive Owner")


@pytest.fixture
def community(owner):
    return CommunityFactory(title="SEND leaders", visibility=Visibility.RESTRICTED, owner=owner)


def test_a_request_to_join_tells_the_facilitators_in_the_app(
    community, owner, client, django_capture_on_commit_callbacks
):
    facilitator = UserFactory()
    MembershipFactory(community=community, user=facilitator, role="facilitator")
    plain = UserFactory()
    MembershipFactory(community=community, user=plain)
    requester = UserFactory(display_name="Rita Requester")

    with django_capture_on_commit_callbacks(execute=True):
        do_request_to_join(requester, community, "I lead our SEND team.")

    told = Notification.objects.filter(kind=Notification.Kind.JOIN_REQUEST, community=community)
    assert {n.recipient for n in told} == {owner, facilitator}
    # The request's own email: the notification does not send a second.
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([owner.email, facilitator.email])
    assert client.login(username=facilitator.username, password=PASSWORD)
    listing = client.get("/notifications/").content.decode()
    assert "A request to join" in listing and "I lead our SEND team." in listing
    notification = told.get(recipient=facilitator)
    location = client.get(f"/notifications/{notification.pk}/")["Location"]
    assert location == f"/communities/{community.slug}/requests/"


def test_a_flag_tells_the_facilitators_in_the_app_and_by_email_but_not_the_flagger(
    community, owner, django_capture_on_commit_callbacks
):
    member, flagger = UserFactory(), UserFactory()
    MembershipFactory(community=community, user=flagger)
    post = PostFactory(thread=ThreadFactory(community=community, author=member), author=member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        do_flag_post(post, by=flagger, reason="personal_data", detail="It names a resident.")

    told = Notification.objects.filter(kind=Notification.Kind.FLAG)
    assert [n.recipient for n in told] == [owner]
    assert "It names a resident." in told[0].message
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert f"/communities/{community.slug}/moderation/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        do_flag_post(post, by=flagger, reason="abuse")  # an updated report: no second notice
    assert Notification.objects.filter(kind=Notification.Kind.FLAG).count() == 1


def test_a_flag_on_a_thread_tells_its_facilitators(
    community, owner, django_capture_on_commit_callbacks
):
    member, flagger = UserFactory(), UserFactory()
    MembershipFactory(community=community, user=flagger)
    thread = ThreadFactory(community=community, author=member)

    with django_capture_on_commit_callbacks(execute=True):
        do_flag_thread(thread, by=flagger, reason="spam")

    assert Notification.objects.get(kind=Notification.Kind.FLAG).recipient == owner


def test_a_facilitator_who_steps_down_no_longer_sees_the_community_s_notifications(community):
    from communities.models import Membership
    from communities.permissions import readable_notifications

    facilitator = UserFactory()
    MembershipFactory(community=community, user=facilitator, role="facilitator")
    do_request_to_join(UserFactory(), community)
    assert readable_notifications(facilitator).count() == 1

    Membership.objects.filter(user=facilitator).update(role=Membership.Role.MEMBER)

    assert readable_notifications(facilitator).count() == 0
