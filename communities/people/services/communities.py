"""Creating communities and managing who belongs to them."""

from __future__ import annotations

from django.db import transaction

from communities.events import announce
from communities.models import CommunityIndexPage, CommunityPage, Membership, Visibility
from hub.floor.actor import AuthenticatedActor
from linkeddata.models import Area


@transaction.atomic
def do_create_community(
    *,
    index: CommunityIndexPage,
    title: str,
    description: str,
    visibility: str = Visibility.OPEN,
    owner: AuthenticatedActor | None = None,
    tags: list[str] | tuple[str, ...] = (),
    councils: list[Area] | tuple[Area, ...] = (),
    slug: str | None = None,
) -> CommunityPage:
    """A published community under ``index``; ``owner`` becomes its owner."""
    community = CommunityPage(title=title, description=description, visibility=visibility)
    if slug:
        community.slug = slug
    community.tags.set(list(tags))
    community.councils.set(list(councils))
    index.add_child(instance=community)
    community.save_revision().publish()
    announce("community", [community.pk], "published", actor=owner)
    if owner is not None:
        do_add_member(community, owner, role=Membership.Role.OWNER)
    return community


@transaction.atomic
def do_add_member(
    community: CommunityPage, user: AuthenticatedActor, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make ``user`` an active member with ``role`` (creating or updating the membership): the one
    way anyone becomes a member, whether by joining, an approved request, an invitation or a setup."""
    membership, _ = Membership.objects.update_or_create(
        community=community, user=user, defaults={"role": role, "status": Membership.Status.ACTIVE}
    )
    announce("community", [community.pk], "membership", actor=user)
    return membership
