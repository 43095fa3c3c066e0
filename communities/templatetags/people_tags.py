"""Template tags for membership: what the visitor's place in a community is and what they can do."""

from __future__ import annotations

from django import template
from django.urls import reverse

from communities.models import Flag, JoinRequest, ThreadPage
from communities.permissions import (
    can_facilitate,
    can_leave,
    can_manage,
    can_read_community,
    join_action,
    membership_of,
)

register = template.Library()


@register.inclusion_tag("communities/people/membership_panel.html", takes_context=True)
def membership_panel(context, community):
    """The join / ask / leave buttons and, for facilitators, their tools. Decisions come from permissions."""
    request = context["request"]
    user = request.user
    membership = membership_of(user, community)
    status = membership.status if membership else None
    facilitating = can_facilitate(user, community)
    latest_request = (  # a declined request leaves no membership behind
        JoinRequest.objects.filter(user=user, community=community).first()
        if user.is_authenticated and membership is None
        else None
    )
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "community": community,
        "status": status,
        "role": membership.role if membership else None,
        "action": join_action(user, community, membership),
        "latest_request": latest_request,
        "can_see_members": can_read_community(user, community),
        "can_facilitate": facilitating,
        "can_manage": can_manage(user, community),
        "can_leave": can_leave(membership),
        "pending_requests": JoinRequest.objects.filter(
            community=community, status=JoinRequest.Status.PENDING
        ).count()
        if facilitating
        else 0,
        "open_flags": Flag.objects.open().in_community(community).count() if facilitating else 0,
    }


@register.inclusion_tag("communities/people/includes/moderation_link.html", takes_context=True)
def moderation_link(context, thread):
    """On a thread page: a link to the thread's moderation tools, for its facilitators only."""
    community = thread.community
    return {
        "thread": thread,
        "community": community,
        "show": can_facilitate(context["request"].user, community),
    }


@register.inclusion_tag("communities/people/includes/flag_link.html", takes_context=True)
def flag_link(context, target):
    """On a reply (a ``Post``) or a thread's opening post (the ``ThreadPage``) the visitor is reading:
    "Flag", for signed-in readers (no query per post; the flag page asks ``can_flag_*``)."""
    if isinstance(target, ThreadPage):
        url, what = reverse("flag-thread", args=[target.pk]), "the opening post"
    else:
        url, what = reverse("flag-post", args=[target.pk]), "this post"
    return {"url": url, "what": what, "show": context["request"].user.is_authenticated}
