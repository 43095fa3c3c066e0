"""Joining, requesting, inviting, leaving, and facilitators managing who belongs to a community."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from communities.errors import Invalid, Refusal
from communities.events import announce
from communities.models import (
    AccountEmail,
    CommunityPage,
    Invitation,
    JoinRequest,
    Membership,
    ModerationAction,
    Visibility,
)
from communities.people.queries import display_name_of
from communities.people.services.accounts import do_mark_email_confirmed
from communities.people.services.communities import do_add_member
from communities.people.services.email_limits import do_allow_account_email, member_requester
from communities.people.services.mail import queue_email, site_url
from communities.people.services.signed_links import read_signed_token
from communities.permissions import can_facilitate, can_manage, membership_of
from hub.floor.actor import Actor, AuthenticatedActor

INVITATION_SALT = "communities.invitation"
INVITATION_MAX_AGE = int(Invitation.VALID_FOR.total_seconds())  # two weeks
Status = Membership.Status
Role = Membership.Role


def record_action(
    community: CommunityPage, actor: AuthenticatedActor | None, kind: str, **fields: Any
) -> ModerationAction:
    """Add an entry to the community's audit log (call inside the action's transaction)."""
    return ModerationAction.objects.create(community=community, actor=actor, kind=kind, **fields)


def _facilitator_emails(community: CommunityPage) -> list[str]:
    return list(
        Membership.objects.filter(
            community=community, status=Status.ACTIVE, role__in=[Role.FACILITATOR, Role.OWNER]
        ).values_list("user__email", flat=True)
    )


# -- Joining and leaving ----------------------------------------------------------------------


def check_not_banned(membership: Membership | None) -> None:
    if membership is not None and membership.status == Status.BANNED:
        raise Refusal("You have been banned from this community, so you cannot join it.")


@transaction.atomic
def do_join(user: Actor, community: CommunityPage) -> Membership:
    """Join an open community with one click."""
    if not user.is_authenticated:
        raise Refusal("Sign in to join this community.")
    if community.visibility != Visibility.OPEN:
        raise Refusal("This community is not open: ask to join instead.")
    membership = membership_of(user, community)
    check_not_banned(membership)
    if membership is not None and membership.is_active:
        return membership
    return do_add_member(community, user)


@transaction.atomic
def do_request_to_join(user: Actor, community: CommunityPage, message: str = "") -> JoinRequest:
    """Ask the facilitators of a restricted community to let ``user`` in."""
    if not user.is_authenticated:
        raise Refusal("Sign in to ask to join this community.")
    if community.visibility == Visibility.OPEN:
        raise Refusal("This community is open: join it directly.")
    if community.visibility == Visibility.PRIVATE:
        raise Refusal("This community is by invitation only.")
    membership = membership_of(user, community)
    check_not_banned(membership)
    if membership is not None and membership.is_active:
        raise Refusal("You are already a member of this community.")
    if membership is not None and membership.status == Status.PENDING:
        raise Refusal("You have already asked to join; a facilitator will decide soon.")
    Membership.objects.update_or_create(
        community=community, user=user, defaults={"status": Status.PENDING, "role": Role.MEMBER}
    )
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                community=community, user=user, message=message.strip()
            )
    except IntegrityError:  # the same request sent twice at once
        raise Refusal("You have already asked to join; a facilitator will decide soon.") from None
    # The facilitators are told in the app (``join_request`` in the details); the email below is theirs.
    announce("community", [community.pk], "membership", actor=user, join_request=request)
    queue_email(
        _facilitator_emails(community),
        "communities/people/email/join_request",
        {
            "community": community,
            "requester": display_name_of(user),
            "message": request.message,
            "link": site_url() + reverse("community-requests", args=[community.slug]),
        },
    )
    return request


@transaction.atomic
def do_decide_request(
    join_request: JoinRequest, *, by: Actor, approve: bool, response: str = ""
) -> JoinRequest:
    """Approve or decline a pending request; the requester is told, with the facilitator's message."""
    community = join_request.community
    if not can_facilitate(by, community):
        raise Refusal("Only the community's facilitators decide requests to join.")
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise Refusal("This request has already been decided.")
    membership = Membership.objects.filter(community=community, user=join_request.user).first()
    if approve:
        if membership is not None and membership.status == Status.BANNED:
            raise Refusal("This person is banned; lift the ban before approving.")
        do_add_member(community, join_request.user)
    elif membership is not None and membership.status == Status.PENDING:
        membership.delete()
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.response = response.strip()
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save()
    record_action(
        community,
        by,
        ModerationAction.Kind.APPROVE_REQUEST if approve else ModerationAction.Kind.DECLINE_REQUEST,
        subject=join_request.user,
        detail=join_request.response[:500],
    )
    queue_email(
        [join_request.user.email],
        "communities/people/email/request_decided",
        {
            "community": community,
            "join_request": join_request,
            "link": site_url() + reverse("my-memberships"),
        },
    )
    return join_request


@transaction.atomic
def do_leave(user: Actor, community: CommunityPage) -> None:
    """Leave a community; the last owner hands ownership over first."""
    membership = membership_of(user, community)
    if (
        not user.is_authenticated  # (an anonymous visitor has no membership either)
        or membership is None
        or membership.status not in {Status.ACTIVE, Status.PENDING, Status.INVITED}
    ):
        raise Invalid("You are not a member of this community.")
    if (
        membership.is_active
        and membership.role == Role.OWNER
        and _other_owners(community, user) == 0
    ):
        raise Invalid("You are the only owner: make another member an owner before you leave.")
    if membership.status == Status.PENDING:
        JoinRequest.objects.filter(
            community=community, user=user, status=JoinRequest.Status.PENDING
        ).delete()
    membership.status, membership.role = Status.LEFT, Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    announce("community", [community.pk], "membership", actor=user)


def _other_owners(community: CommunityPage, user: AuthenticatedActor) -> int:
    return (
        Membership.objects.filter(community=community, status=Status.ACTIVE, role=Role.OWNER)
        .exclude(user=user)
        .count()
    )


# -- Invitations --------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


@transaction.atomic
def do_invite(
    community: CommunityPage, *, email: str, by: Actor, base_url: str | None = None
) -> Invitation:
    """Invite ``email`` with a signed link that works once, for two weeks."""
    if not can_facilitate(by, community):
        raise Refusal("Only the community's facilitators invite people.")
    email = email.strip().lower()
    user = get_user_model().objects.filter(username__iexact=email).first()
    if user is not None:
        membership = membership_of(user, community)
        if membership is not None and membership.status == Status.BANNED:
            raise Refusal(
                f"{email} is banned from this community; lift the ban before inviting them."
            )
        if membership is not None and membership.is_active:
            raise Refusal(f"{email} is already a member.")
        if membership is None or membership.status == Status.LEFT:
            Membership.objects.update_or_create(
                community=community,
                user=user,
                defaults={"status": Status.INVITED, "role": Role.MEMBER},
            )
    invitation = Invitation.objects.create(community=community, email=email, invited_by=by)
    record_action(community, by, ModerationAction.Kind.INVITE, subject=user, detail=email)
    link = (base_url or site_url()) + reverse(
        "accept-invitation", args=[invitation_token(invitation)]
    )
    if not do_allow_account_email(  # over a limit: listed as pending, but no email is sent
        AccountEmail.Kind.INVITATION,
        email,
        member_requester(by.pk),
        per_requester=settings.INVITATIONS_PER_HOUR,
    ):
        return invitation
    queue_email(
        [email],
        "communities/people/email/invitation",
        {
            "community": community,
            "inviter": display_name_of(by),
            "link": link,
            "has_account": user is not None,
            "days": 14,
        },
    )
    return invitation


def _check_still_open(invitation: Invitation) -> None:
    if invitation.withdrawn_at is not None:
        raise Invalid(
            "This invitation was withdrawn by the community's facilitators, so it can no longer be used. "
            "Ask them if you think this is a mistake."
        )
    if invitation.accepted_at is not None:
        raise Invalid(
            "This invitation has already been used. Ask a facilitator for a new one if you need it."
        )


def load_invitation(token: str) -> Invitation:
    """The invitation a link stands for, if it is genuine, unexpired, unused and not withdrawn."""
    data = read_signed_token(
        token,
        salt=INVITATION_SALT,
        max_age=INVITATION_MAX_AGE,
        expired=Invalid("This invitation has expired. Ask a facilitator to invite you again."),
        invalid=Invalid("This invitation link is not valid. Check you copied all of it."),
    )
    # pk=None (no "i" in the token) is a valid lookup (IS NULL) that the django-stubs plugin refuses
    invitation = Invitation.objects.select_related("community").filter(pk=data.get("i")).first()  # type: ignore[misc]
    if invitation is None:
        raise Invalid(
            "This invitation has already been used. Ask a facilitator for a new one if you need it."
        )
    _check_still_open(invitation)
    return invitation


def invitation_for_address(token: str | None, email: str) -> Invitation | None:
    """The open invitation ``token`` stands for if it was sent to ``email``, else None: whoever
    holds it has read that inbox, as a confirmation link would show."""
    if not token:
        return None
    try:
        invitation = load_invitation(token)
    except Refusal:
        return None
    return invitation if invitation.email.lower() == email.strip().lower() else None


@transaction.atomic
def do_accept_invitation(token: str, user: AuthenticatedActor) -> Membership:
    """Make ``user`` a member through an invitation sent to their email address (once only)."""
    invitation = load_invitation(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_still_open(invitation)  # withdrawn or accepted since the link was loaded
    if user.email.lower() != invitation.email.lower():
        raise Invalid(
            f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
        )
    community = invitation.community
    membership = membership_of(user, community)
    check_not_banned(membership)
    if membership is None or not membership.is_active:
        membership = do_add_member(community, user)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    do_mark_email_confirmed(user)  # the link reached this address
    return membership


def _withdraw_open_invitations(
    community: CommunityPage, email: str, *, by: AuthenticatedActor
) -> int:
    """Withdraw every unanswered invitation to ``email`` in ``community``; how many there were."""
    return Invitation.objects.filter(
        community=community,
        email__iexact=email,
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=timezone.now(), withdrawn_by=by)


@transaction.atomic
def do_withdraw_invitation(invitation: Invitation, *, by: Actor) -> bool:
    """Withdraw an invitation so its link no longer works; returns False if it was already withdrawn.

    Every unanswered link sent to the same address for this community is withdrawn with it: a
    facilitator who withdraws "the invitation to a@b" means that person should not join through an
    older email either. An invited account that is not yet a member loses its "invited" status."""
    community = invitation.community
    if not can_facilitate(by, community):
        raise Refusal("Only the community's facilitators withdraw invitations.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Refusal(
            f"{invitation.email} has already accepted this invitation. "
            "Remove them from the members list if they should not be a member."
        )
    if not _withdraw_open_invitations(community, invitation.email, by=by):
        return False
    user = get_user_model().objects.filter(username__iexact=invitation.email).first()
    if user is not None:
        Membership.objects.filter(community=community, user=user, status=Status.INVITED).delete()
    record_action(
        community,
        by,
        ModerationAction.Kind.WITHDRAW_INVITATION,
        subject=user,
        detail=invitation.email,
    )
    return True


# -- Facilitators managing members --------------------------------------------------------------


MemberAction = Literal["remove", "ban", "unban", "role"]


def check_can_act_on_members(
    community: CommunityPage, by: Actor, action: MemberAction
) -> AuthenticatedActor:
    """Refuse ``action`` on the community's members unless ``by`` may take it at all, before
    anything about the person it targets is looked up: someone who may not act gets the same
    answer whether or not that person exists or has a membership row. Returns ``by``, signed in."""
    if action == "role":
        if not can_manage(by, community):
            raise Refusal("Only the community's owners manage facilitators.")
        return by
    if not can_facilitate(by, community):
        raise Refusal(
            "Only the community's facilitators lift bans."
            if action == "unban"
            else "Only the community's facilitators manage its members."
        )
    return by


def _check_may_act_on(
    community: CommunityPage, by: Actor, target: Membership
) -> AuthenticatedActor:
    """Refuse unless ``by`` may act on ``target``; returns ``by``, known to be signed in."""
    if not can_facilitate(by, community):
        raise Refusal("Only the community's facilitators manage its members.")
    if target.user_id == by.pk:
        raise Refusal("You cannot do this to yourself; use Leave instead.")
    if (
        target.role in {Role.FACILITATOR, Role.OWNER}
        and target.is_active
        and not can_manage(by, community)
    ):
        raise Refusal("Only owners act on facilitators and owners.")
    if (
        target.role == Role.OWNER
        and target.is_active
        and _other_owners(community, target.user) == 0
    ):
        raise Refusal("A community needs an owner: make someone else an owner first.")
    return by


@transaction.atomic
def do_remove_member(
    community: CommunityPage, user: AuthenticatedActor, *, by: Actor, reason: str = ""
) -> Membership:
    check_can_act_on_members(community, by, "remove")
    membership = Membership.objects.get(community=community, user=user)
    by = _check_may_act_on(community, by, membership)
    membership.status, membership.role = Status.LEFT, Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    record_action(
        community, by, ModerationAction.Kind.REMOVE_MEMBER, subject=user, detail=reason[:500]
    )
    announce("community", [community.pk], "membership", actor=by)
    return membership


@transaction.atomic
def do_ban(
    community: CommunityPage, user: AuthenticatedActor, *, by: Actor, reason: str = ""
) -> Membership:
    """Ban ``user``: they lose membership, cannot rejoin or ask to, and read only what the public reads."""
    check_can_act_on_members(community, by, "ban")
    membership, _ = Membership.objects.get_or_create(
        community=community, user=user, defaults={"status": Status.LEFT}
    )
    by = _check_may_act_on(community, by, membership)
    membership.status, membership.role = Status.BANNED, Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    JoinRequest.objects.filter(
        community=community, user=user, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.DECLINED, decided_by=by, decided_at=timezone.now())
    _withdraw_open_invitations(community, user.email, by=by)
    record_action(
        community, by, ModerationAction.Kind.BAN_MEMBER, subject=user, detail=reason[:500]
    )
    announce("community", [community.pk], "membership", actor=by)
    return membership


@transaction.atomic
def do_unban(community: CommunityPage, user: AuthenticatedActor, *, by: Actor) -> None:
    by = check_can_act_on_members(community, by, "unban")
    updated = Membership.objects.filter(
        community=community, user=user, status=Status.BANNED
    ).update(status=Status.LEFT)
    if not updated:
        raise Refusal("This person is not banned.")
    record_action(community, by, ModerationAction.Kind.UNBAN_MEMBER, subject=user)


@transaction.atomic
def do_change_role(
    community: CommunityPage, user: AuthenticatedActor, *, role: str, by: Actor
) -> Membership:
    """Owners make members facilitators or owners, and back."""
    by = check_can_act_on_members(community, by, "role")
    if role not in Role.values:
        raise Refusal("Choose member, facilitator or owner.")
    membership = Membership.objects.select_for_update().get(community=community, user=user)
    if not membership.is_active:
        raise Refusal("Only active members can be given a role.")
    if membership.role == Role.OWNER and role != Role.OWNER and _other_owners(community, user) == 0:
        raise Refusal("A community needs an owner: make someone else an owner first.")
    before = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    record_action(
        community,
        by,
        ModerationAction.Kind.CHANGE_ROLE,
        subject=user,
        detail=f"{before} → {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def do_update_community_settings(
    community: CommunityPage, *, by: Actor, description: str, tags: list[str], visibility: str
) -> CommunityPage:
    """Owners change the description, topics and visibility; a new revision is published."""
    if not can_manage(by, community):
        raise Refusal("Only the community's owners change its settings.")
    if visibility not in Visibility.values:
        raise Refusal("Choose open, restricted or private.")
    changes = []
    if community.visibility != visibility:
        changes.append(f"visibility {community.visibility} → {visibility}")
    if community.description != description:
        changes.append("description")
    community.description, community.visibility = description, visibility
    community.tags.set(tags)
    community.save_revision(user=by).publish(user=by, skip_permission_checks=True)
    announce(
        "community",
        [community.pk],
        "visibility" if any("visibility" in c for c in changes) else "edited",
        actor=by,
    )
    record_action(
        community,
        by,
        ModerationAction.Kind.CHANGE_SETTINGS,
        detail=", ".join(changes or ["topics"])[:500],
    )
    return community
