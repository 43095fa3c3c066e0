"""Notifications follow what the discussion services announce (``communities.events``).

A new thread or reply tells the people who watch it, the thread's author, the quoted author and
anyone mentioned; an accepted answer tells the reply's author. A request to join and a flag tell
the community's facilitators. Registered once, in ``CommunitiesConfig.ready()``.
"""

from __future__ import annotations

from communities.alerts import on_unsubscribe
from communities.discussions.services.notifications import (
    DIGEST_ALERT,
    facilitators_of,
    notify_about,
    notify_accepted,
    notify_new_post,
    unsubscribe_from_digest,
)
from communities.events import ContentChanged, subscribe
from communities.models import CommunityPage, Flag, JoinRequest, Notification, Post, ThreadPage
from communities.permissions import can_facilitate, community_of


def notify_followers(event: ContentChanged) -> None:
    if event.kind == "thread" and event.change == "published":
        for thread in ThreadPage.objects.filter(pk__in=event.ids).select_related("community"):
            notify_new_post(thread, None, actor=event.actor)
    elif event.kind == "post" and event.change == "published":
        for post in Post.objects.filter(pk__in=event.ids).select_related(
            "thread__community", "quoted_post"
        ):
            notify_new_post(post.thread, post, actor=event.actor)
    elif event.kind == "thread" and event.change == "answered":
        answer = event.details.get("post")
        if answer is not None and event.actor is not None:
            for thread in ThreadPage.objects.filter(pk__in=event.ids).select_related("community"):
                notify_accepted(thread, answer, actor=event.actor)


def notify_facilitators(event: ContentChanged) -> None:
    """A new request to join, or a new flag, tells the community's facilitators (who may decide it)."""
    request = event.details.get("join_request")
    if event.kind == "community" and isinstance(request, JoinRequest):
        community = request.community
        notify_about(
            facilitators_of(community),
            Notification.Kind.JOIN_REQUEST,
            may_see=lambda user: can_facilitate(user, community),
            actor=event.actor,
            community=community,
            message=request.message,
            email=False,  # the request's own email already went to them
        )
    flag = event.details.get("flag")
    if event.change == "flagged" and isinstance(flag, Flag):
        thread = flag.post.thread if flag.post is not None else flag.thread
        if thread is None:  # a flag has a reply or a thread (the model's constraint)
            return
        flagged: CommunityPage = community_of(thread)
        notify_about(
            facilitators_of(flagged),
            Notification.Kind.FLAG,
            may_see=lambda user: can_facilitate(user, flagged),
            actor=event.actor,
            community=flagged,
            message=f"{flag.get_reason_display()} in “{thread.title}”"
            + (f": {flag.detail}" if flag.detail else ""),
        )


def register_subscribers() -> None:
    subscribe("communities.notifications", notify_followers)
    subscribe("communities.facilitators", notify_facilitators)
    on_unsubscribe(DIGEST_ALERT, unsubscribe_from_digest)  # the digest's one-click unsubscribe
