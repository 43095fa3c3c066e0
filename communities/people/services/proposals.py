"""Practitioners proposing new communities; site staff approving or declining them."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from communities.errors import Invalid, Refusal
from communities.models import CommunityIndexPage, CommunityPage, CommunityProposal, Visibility
from communities.people.services.communities import do_create_community
from communities.people.services.mail import queue_email, site_url
from communities.permissions import is_email_confirmed, is_site_staff
from hub.floor.actor import Actor


def split_tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.split(",") if tag.strip()]


@transaction.atomic
def do_propose_community(
    *,
    by: Actor,
    title: str,
    description: str,
    visibility: str = Visibility.OPEN,
    tags: str = "",
    reason: str = "",
) -> CommunityProposal:
    """Record a proposal for site staff to decide."""
    if not by.is_authenticated or not is_email_confirmed(by):
        raise Refusal("Confirm your email address before proposing a community.")
    if visibility not in Visibility.values:
        raise Refusal("Choose open, restricted or private.")
    return CommunityProposal.objects.create(
        proposer=by,
        title=title.strip(),
        description=description.strip(),
        visibility=visibility,
        tags=", ".join(split_tags(tags)),
        reason=reason.strip(),
    )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "community"
    taken = set(CommunityPage.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def do_decide_proposal(
    proposal: CommunityProposal, *, by: Actor, approve: bool, response: str = ""
) -> CommunityProposal:
    """Approve (creating the community, owned by the proposer) or decline; the proposer is told."""
    if not is_site_staff(by):
        raise Refusal("Only site staff decide community proposals.")
    proposal = CommunityProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CommunityProposal.Status.PENDING:
        raise Invalid("This proposal has already been decided.")
    community: CommunityPage | None = None  # the new community, when approved
    if approve:
        proposal.community = community = do_create_community(
            index=CommunityIndexPage.objects.get(),
            title=proposal.title,
            description=proposal.description,
            visibility=proposal.visibility,
            owner=proposal.proposer,
            tags=split_tags(proposal.tags),
            slug=_unique_slug(proposal.title),
        )
    proposal.status = (
        CommunityProposal.Status.APPROVED if approve else CommunityProposal.Status.DECLINED
    )
    proposal.response, proposal.decided_by, proposal.decided_at = (
        response.strip(),
        by,
        timezone.now(),
    )
    proposal.save()
    queue_email(
        [proposal.proposer.email],
        "communities/people/email/proposal_decided",
        {
            "proposal": proposal,
            "link": site_url()
            + (community.url if community is not None else reverse("my-memberships")),
        },
    )
    return proposal
