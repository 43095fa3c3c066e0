"""Starting threads and replying in them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from communities.models import CommunityPage, Post, ThreadPage


@transaction.atomic
def do_start_thread(
    *, community: CommunityPage, author, title: str, body: str, tags: list[str] | tuple[str, ...] = ()
) -> ThreadPage:
    """A published thread in ``community``; the caller has checked that ``author`` may post."""
    thread = ThreadPage(title=title, body=body, author=author, last_activity_at=timezone.now())
    thread.tags.set(list(tags))
    community.add_child(instance=thread)
    # Members publish from the front end; the community rules, not Wagtail admin rights, apply.
    thread.save_revision(user=author).publish(user=author, skip_permission_checks=True)
    return thread


@transaction.atomic
def do_reply(*, thread: ThreadPage, author, body: str, created_at=None) -> Post:
    """A reply in ``thread``; keeps the thread's reply count and last activity in step."""
    now = created_at or timezone.now()
    post = Post.objects.create(thread=thread, author=author, body=body, created_at=now)
    ThreadPage.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
    return post


def do_accept_answer(*, thread: ThreadPage, post: Post) -> None:
    """Mark ``post`` as the answer to ``thread``; the caller has checked who may do this."""
    ThreadPage.objects.filter(pk=thread.pk).update(accepted_post=post)
    thread.accepted_post = post
