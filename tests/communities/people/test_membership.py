import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from communities.errors import Refusal
from communities.models import Invitation, JoinRequest, Membership, ModerationAction, Visibility
from communities.people.services.communities import do_add_member
from communities.people.services.membership import (
    INVITATION_SALT,
    do_accept_invitation,
    do_ban,
    do_change_role,
    do_invite,
    do_join,
    do_leave,
    do_request_to_join,
    do_withdraw_invitation,
    invitation_token,
)
from communities.permissions import can_read_community, can_see_community
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(home_page):
    return UserFactory(display_name="Olive Owner")


def status_of(user, community):
    membership = Membership.objects.filter(user=user, community=community).first()
    return membership.status if membership else None


def test_one_click_join_of_an_open_community(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    user = UserFactory()
    client.force_login(user)

    assert "Join this community" in client.get(community.url).content.decode()
    response = client.post(reverse("join-community", args=[community.slug]))

    assert response.status_code == 302
    assert status_of(user, community) == "active"
    assert "Leave this community" in client.get(community.url).content.decode()


def test_anonymous_visitors_are_asked_to_sign_in_to_join(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)

    assert "create an account" in client.get(community.url).content.decode()
    response = client.post(reverse("join-community", args=[community.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_restricted_and_private_communities_cannot_be_joined_with_one_click(owner):
    user = UserFactory()
    for visibility in (Visibility.RESTRICTED, Visibility.PRIVATE):
        with pytest.raises(Refusal):
            do_join(user, CommunityFactory(visibility=visibility, owner=owner))


def test_request_approved_with_a_message_the_requester_sees(
    client, owner, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    requester = UserFactory(display_name="Rita Requester")
    client.force_login(requester)

    assert "Ask to join this community" in client.get(community.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("request-to-join", args=[community.slug]), {"message": "I run our SEND team."}
        )
    assert status_of(requester, community) == "pending"
    assert not can_read_community(requester, community)
    assert mail.outbox[-1].to == [owner.email] and "Rita Requester" in mail.outbox[-1].subject

    client.force_login(owner)
    queue = client.get(reverse("community-requests", args=[community.slug])).content.decode()
    assert "I run our SEND team." in queue
    join_request = JoinRequest.objects.get(user=requester)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("decide-join-request", args=[community.slug, join_request.pk]),
            {"decision": "approve", "response": "Welcome aboard"},
        )

    assert status_of(requester, community) == "active"
    assert can_read_community(requester, community)
    assert mail.outbox[-1].to == [requester.email] and "Welcome aboard" in mail.outbox[-1].body
    client.force_login(requester)
    mine = client.get(reverse("my-memberships")).content.decode()
    assert "Approved" in mine and "Welcome aboard" in mine
    assert ModerationAction.objects.filter(
        community=community, kind="approve_request", subject=requester
    ).exists()


def test_declined_request_is_shown_to_the_requester_who_may_ask_again(client, owner):
    community = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    requester = UserFactory()
    join_request = do_request_to_join(requester, community, "Please")
    client.force_login(owner)
    client.post(
        reverse("decide-join-request", args=[community.slug, join_request.pk]),
        {"decision": "decline", "response": "This group is for SEND leads only"},
    )

    assert status_of(requester, community) is None
    client.force_login(requester)
    page = client.get(community.url).content.decode()
    assert "was declined" in page and "SEND leads only" in page
    do_request_to_join(requester, community, "I am now a SEND lead")
    assert status_of(requester, community) == "pending"


def test_asking_twice_or_as_a_member_is_refused(owner):
    community = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    requester = UserFactory()
    do_request_to_join(requester, community)
    with pytest.raises(Refusal, match="already asked"):
        do_request_to_join(requester, community)
    with pytest.raises(Refusal, match="already a member"):
        do_request_to_join(owner, community)


def test_only_facilitators_decide_requests(client, owner):
    community = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    member = UserFactory()
    do_add_member(community, member)
    join_request = do_request_to_join(UserFactory(), community)
    client.force_login(member)

    assert client.get(reverse("community-requests", args=[community.slug])).status_code == 403
    response = client.post(
        reverse("decide-join-request", args=[community.slug, join_request.pk]),
        {"decision": "approve"},
    )
    assert response.status_code == 403
    assert JoinRequest.objects.get(pk=join_request.pk).status == "pending"


def invitation_link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("testserver")[-1]


def test_invitation_to_a_private_community_for_someone_without_an_account(
    client, owner, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community-invite", args=[community.slug]),
            {"email": "New.Person@kent.example.gov.uk"},
        )
    link = invitation_link(mail.outbox[-1])
    client.logout()

    landing = client.get(link).content.decode()
    assert "Create an account with new.person@kent.example.gov.uk" in landing
    signup = reverse("signup") + "?next=" + link
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            signup,
            {
                "display_name": "New Person",
                "email": "new.person@kent.example.gov.uk",
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
                "next": link,
            },
        )
    assert response["Location"] == link
    accepted = client.post(link)

    assert accepted.status_code == 302
    invited = Invitation.objects.get().accepted_by
    assert status_of(invited, community) == "active"
    assert can_see_community(invited, community)
    # single use
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.content.decode()


def test_invitation_for_an_existing_account_marks_them_invited_until_accepted(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    person = UserFactory(email="person@york.example.gov.uk")
    do_invite(community, email="PERSON@york.example.gov.uk", by=owner)

    assert status_of(person, community) == "invited"
    assert not can_see_community(person, community)
    client.force_login(person)
    assert client.get(community.url).status_code == 404


def test_invitation_link_cannot_be_used_by_another_account_forged_or_expired(
    client, owner, monkeypatch
):
    from communities.people.services.membership import invitation_token

    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    invitation = do_invite(community, email="someone@york.example.gov.uk", by=owner)
    token = invitation_token(invitation)
    intruder = UserFactory()
    client.force_login(intruder)

    refused = client.post(reverse("accept-invitation", args=[token]))
    assert (
        refused.status_code == 400
        and "sent to someone@york.example.gov.uk" in refused.content.decode()
    )
    assert status_of(intruder, community) is None

    forged = signing.dumps({"i": invitation.pk}, salt="something-else")
    assert client.get(reverse("accept-invitation", args=[forged])).status_code == 400

    monkeypatch.setattr("django.core.signing.time.time", lambda: 0)
    old = signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)
    monkeypatch.undo()
    expired = client.get(reverse("accept-invitation", args=[old]))
    assert expired.status_code == 400 and "expired" in expired.content.decode()


def test_only_facilitators_invite_and_bad_emails_are_explained(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    member = UserFactory()
    do_add_member(community, member)
    client.force_login(member)
    assert client.get(reverse("community-invite", args=[community.slug])).status_code == 403

    client.force_login(owner)
    page = client.post(
        reverse("community-invite", args=[community.slug]), {"email": "not-an-email"}
    )
    assert page.status_code == 200 and "Enter a valid email address" in page.content.decode()
    page = client.post(reverse("community-invite", args=[community.slug]), {"email": member.email})
    assert "already a member" in page.content.decode()


def test_banned_people_cannot_rejoin_request_or_be_invited_and_read_like_visitors(client, owner):
    open_community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    banned = UserFactory()
    for community in (open_community, restricted):
        do_add_member(community, banned)
        do_ban(community, banned, by=owner)

    with pytest.raises(Refusal, match="banned"):
        do_join(banned, open_community)
    with pytest.raises(Refusal, match="banned"):
        do_request_to_join(banned, restricted)
    with pytest.raises(Refusal, match="banned"):
        do_invite(restricted, email=banned.email, by=owner)
    assert can_read_community(banned, open_community)  # as anyone may
    assert not can_read_community(banned, restricted)
    client.force_login(banned)
    assert "you cannot join it" in client.get(open_community.url).content.decode()
    assert client.post(reverse("join-community", args=[open_community.slug])).status_code == 403


def test_facilitators_remove_and_ban_members_but_not_other_facilitators(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    facilitator, other_facilitator, member = UserFactory(), UserFactory(), UserFactory()
    do_add_member(community, facilitator, role=Membership.Role.FACILITATOR)
    do_add_member(community, other_facilitator, role=Membership.Role.FACILITATOR)
    do_add_member(community, member)
    client.force_login(facilitator)

    client.post(reverse("member-action", args=[community.slug, member.pk, "remove"]))
    assert status_of(member, community) == "left"
    response = client.post(
        reverse("member-action", args=[community.slug, other_facilitator.pk, "ban"])
    )
    assert response.status_code == 403 and status_of(other_facilitator, community) == "active"
    response = client.post(
        reverse("member-action", args=[community.slug, member.pk, "role"]), {"role": "facilitator"}
    )
    assert response.status_code == 403

    client.post(reverse("member-action", args=[community.slug, member.pk, "ban"]))
    assert status_of(member, community) == "banned"
    client.post(reverse("member-action", args=[community.slug, member.pk, "unban"]))
    assert status_of(member, community) == "left"
    kinds = list(
        ModerationAction.objects.filter(community=community).values_list("kind", flat=True)
    )
    assert {"remove_member", "ban_member", "unban_member"} <= set(kinds)


def test_owners_manage_facilitators_and_a_community_keeps_an_owner(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    member = UserFactory()
    do_add_member(community, member)
    client.force_login(owner)

    client.post(
        reverse("member-action", args=[community.slug, member.pk, "role"]), {"role": "facilitator"}
    )
    assert Membership.objects.get(user=member, community=community).role == "facilitator"
    with pytest.raises(Refusal, match="needs an owner"):
        do_change_role(community, owner, role="member", by=owner)
    with pytest.raises(Refusal, match="only owner"):
        do_leave(owner, community)
    do_change_role(community, member, role="owner", by=owner)
    do_leave(owner, community)
    assert status_of(owner, community) == "left"


def test_owners_change_settings_facilitators_cannot(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    facilitator = UserFactory()
    do_add_member(community, facilitator, role=Membership.Role.FACILITATOR)
    data = {
        "description": "Now members only.",
        "tags": "waste, contracts",
        "visibility": "restricted",
    }

    client.force_login(facilitator)
    assert (
        client.post(reverse("community-settings", args=[community.slug]), data).status_code == 403
    )

    client.force_login(owner)
    bad = client.post(
        reverse("community-settings", args=[community.slug]), {**data, "visibility": "secret"}
    )
    assert (
        bad.status_code == 200
        and "Error:" in bad.content.decode()
        and "Now members only." in bad.content.decode()
    )
    assert (
        client.post(reverse("community-settings", args=[community.slug]), data).status_code == 302
    )
    community.refresh_from_db()
    assert (community.description, community.visibility) == ("Now members only.", "restricted")
    assert sorted(t.name for t in community.tags.all()) == ["contracts", "waste"]
    assert not can_read_community(UserFactory(), community)
    assert ModerationAction.objects.filter(community=community, kind="change_settings").exists()


def test_leaving_a_community_and_withdrawing_a_request(client, owner):
    community = CommunityFactory(visibility=Visibility.OPEN, owner=owner)
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    member = UserFactory()
    do_join(member, community)
    do_request_to_join(member, restricted)
    client.force_login(member)

    client.post(reverse("leave-community", args=[community.slug]))
    client.post(reverse("leave-community", args=[restricted.slug]))

    assert status_of(member, community) == "left"
    assert status_of(member, restricted) == "left"
    assert not JoinRequest.objects.filter(user=member, status="pending").exists()
    do_join(member, community)  # leaving is not a ban
    assert status_of(member, community) == "active"


def test_private_community_sub_urls_are_404_for_outsiders(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    client.force_login(UserFactory())
    for name in [
        "community-members",
        "request-to-join",
        "community-requests",
        "community-invite",
        "community-settings",
        "moderation-queue",
        "moderation-log",
    ]:
        assert client.get(reverse(name, args=[community.slug])).status_code == 404, name
    for name in ["join-community", "leave-community"]:
        assert client.post(reverse(name, args=[community.slug])).status_code == 404, name


# -- Withdrawing invitations ----------------------------------------------------------------------


def pending_section(page: str) -> str:
    """The invite page's "Pending invitations" section, as the facilitator reads it."""
    return page.split('id="pending-invitations"', 1)[1].split("Earlier invitations", 1)[0]


def withdraw_button(email: str) -> str:
    return f'Withdraw <span class="visually-hidden">the invitation to {email}</span>'


def test_facilitator_withdraws_an_invitation_and_the_link_no_longer_lets_anyone_join(
    client, owner, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    facilitator = UserFactory(display_name="Fay Facilitator")
    do_add_member(community, facilitator, role=Membership.Role.FACILITATOR)
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community-invite", args=[community.slug]),
            {"email": "new.person@kent.example.gov.uk"},
        )
    link = invitation_link(mail.outbox[-1])
    invitation = Invitation.objects.get()

    pending = pending_section(
        client.get(reverse("community-invite", args=[community.slug])).content.decode()
    )
    assert "new.person@kent.example.gov.uk" in pending and "Fay Facilitator" in pending
    assert timezone.localtime(invitation.expires_at).strftime("%-d %B %Y") in pending
    assert withdraw_button("new.person@kent.example.gov.uk") in pending

    response = client.post(
        reverse("withdraw-invitation", args=[community.slug, invitation.pk]), follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain == [(reverse("community-invite", args=[community.slug]), 302)]
    assert "The invitation to new.person@kent.example.gov.uk is withdrawn" in page
    assert "new.person@kent.example.gov.uk" not in pending_section(page)
    assert "withdrawn on" in page and "by Fay Facilitator" in page
    log = client.get(reverse("moderation-log", args=[community.slug])).content.decode()
    assert "Withdrew an invitation" in log and "new.person@kent.example.gov.uk" in log

    client.logout()
    landing = client.get(link)
    assert (
        landing.status_code == 400 and "This invitation was withdrawn" in landing.content.decode()
    )
    person = UserFactory(email="new.person@kent.example.gov.uk")
    client.force_login(person)
    refused = client.post(link)
    assert refused.status_code == 400 and "was withdrawn" in refused.content.decode()
    assert status_of(person, community) is None
    assert not can_see_community(person, community)
    invitation.refresh_from_db()  # kept for the audit trail
    assert invitation.withdrawn_at is not None and invitation.withdrawn_by == facilitator


def test_withdrawing_an_invitation_to_an_existing_account_ends_its_invited_status(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    person = UserFactory(email="person@york.example.gov.uk")
    first = do_invite(community, email=person.email, by=owner)
    second = do_invite(community, email=person.email, by=owner)  # sent again
    assert status_of(person, community) == "invited"

    assert do_withdraw_invitation(second, by=owner) is True

    assert status_of(person, community) is None
    client.force_login(person)
    assert community.title not in client.get(reverse("my-memberships")).content.decode()
    for invitation in (first, second):  # no older link still lets them in
        response = client.post(reverse("accept-invitation", args=[invitation_token(invitation)]))
        assert response.status_code == 400 and "was withdrawn" in response.content.decode()
    assert status_of(person, community) is None
    assert (
        ModerationAction.objects.filter(
            community=community, kind="withdraw_invitation", subject=person
        ).count()
        == 1
    )


def test_withdrawing_twice_says_so_and_accepted_invitations_cannot_be_withdrawn(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    invitation = do_invite(community, email="someone@york.example.gov.uk", by=owner)
    url = reverse("withdraw-invitation", args=[community.slug, invitation.pk])
    client.force_login(owner)

    client.post(url)
    again = client.post(url, follow=True)

    assert again.status_code == 200
    assert (
        "The invitation to someone@york.example.gov.uk was already withdrawn."
        in again.content.decode()
    )
    assert ModerationAction.objects.filter(kind="withdraw_invitation").count() == 1

    person = UserFactory(email="joiner@york.example.gov.uk")
    accepted = do_invite(community, email=person.email, by=owner)
    do_accept_invitation(invitation_token(accepted), person)
    refused = client.post(reverse("withdraw-invitation", args=[community.slug, accepted.pk]))
    assert refused.status_code == 403 and "already accepted" in refused.content.decode()
    assert status_of(person, community) == "active"


def test_only_the_communitys_facilitators_withdraw_invitations(client, owner):
    restricted = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    private = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    member = UserFactory()
    do_add_member(restricted, member)
    invitations = {
        c: do_invite(c, email="someone@york.example.gov.uk", by=owner)
        for c in (restricted, private)
    }

    def withdraw(community):
        return client.post(
            reverse("withdraw-invitation", args=[community.slug, invitations[community].pk])
        )

    assert (
        withdraw(restricted).status_code == 302
        and "/accounts/login/" in withdraw(restricted)["Location"]
    )
    client.force_login(member)
    assert withdraw(restricted).status_code == 403
    assert client.get(reverse("community-invite", args=[restricted.slug])).status_code == 403
    client.force_login(UserFactory())
    assert withdraw(restricted).status_code == 403
    assert withdraw(private).status_code == 404  # a private community stays unknown
    with pytest.raises(Refusal):
        do_withdraw_invitation(invitations[restricted], by=member)
    assert Invitation.objects.pending().count() == 2
    assert not ModerationAction.objects.filter(kind="withdraw_invitation").exists()


def test_an_invitation_cannot_be_withdrawn_through_another_community(client, owner):
    theirs = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    mine = CommunityFactory(visibility=Visibility.RESTRICTED, owner=UserFactory())
    my_facilitator = Membership.objects.get(community=mine, role="owner").user
    invitation = do_invite(theirs, email="someone@york.example.gov.uk", by=owner)
    client.force_login(my_facilitator)

    assert (
        client.post(reverse("withdraw-invitation", args=[mine.slug, invitation.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("withdraw-invitation", args=[theirs.slug, invitation.pk])).status_code
        == 403
    )
    assert client.post(reverse("withdraw-invitation", args=[mine.slug, 999_999])).status_code == 404
    assert list(Invitation.objects.pending()) == [invitation]


def test_the_pending_list_shows_only_unexpired_unused_unwithdrawn_invitations(client, owner):
    community = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    other = CommunityFactory(visibility=Visibility.PRIVATE, owner=owner)
    do_invite(community, email="waiting@york.example.gov.uk", by=owner)
    do_invite(other, email="elsewhere@york.example.gov.uk", by=owner)
    joiner = UserFactory(email="joined@york.example.gov.uk")
    do_accept_invitation(
        invitation_token(do_invite(community, email=joiner.email, by=owner)), joiner
    )
    do_withdraw_invitation(
        do_invite(community, email="withdrawn@york.example.gov.uk", by=owner), by=owner
    )
    expired = do_invite(community, email="expired@york.example.gov.uk", by=owner)
    Invitation.objects.filter(pk=expired.pk).update(created_at=timezone.now() - timedelta(days=15))
    client.force_login(owner)

    page = client.get(reverse("community-invite", args=[community.slug])).content.decode()

    pending = pending_section(page)
    assert (
        "waiting@york.example.gov.uk" in pending
        and withdraw_button("waiting@york.example.gov.uk") in pending
    )
    assert pending.count("Withdraw <span") == 1
    for email in ["joined@", "withdrawn@", "expired@", "elsewhere@"]:
        assert email not in pending, email
    earlier = page.split("Earlier invitations", 1)[1]
    assert "joined@york.example.gov.uk: accepted on" in earlier
    assert "withdrawn@york.example.gov.uk: withdrawn on" in earlier
    assert "expired@york.example.gov.uk: expired on" in earlier
    assert "elsewhere@" not in earlier


def test_a_ban_withdraws_the_persons_invitations(client, owner):
    community = CommunityFactory(visibility=Visibility.RESTRICTED, owner=owner)
    person = UserFactory()
    invitation = do_invite(community, email=person.email, by=owner)
    do_ban(community, person, by=owner)

    invitation.refresh_from_db()
    assert invitation.withdrawn_by == owner
    client.force_login(person)
    response = client.post(reverse("accept-invitation", args=[invitation_token(invitation)]))
    assert response.status_code == 400 and "was withdrawn" in response.content.decode()
    assert status_of(person, community) == "banned"
