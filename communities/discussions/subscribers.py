"""Notifications follow what the discussion services announce (``communities.events``).

A new thread or reply tells the people who watch it, the thread's author, the quoted author and
anyone mentioned; an accepted answer tells the reply's author. Registered once, in
``CommunitiesConfig.ready()``.
"""

from __future__ import annotations

from communities.discussions.services.notifications import notify_accepted, notify_new_post
from communities.events import ContentChanged, subscribe
from communities.models import Post, ThreadPage


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


def register_subscribers() -> None:
    subscribe("communities.notifications", notify_followers)
