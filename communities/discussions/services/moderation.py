"""Facilitators keeping a community safe: flags, hiding posts and threads, locking, pinning and moving threads.

Every action is checked against ``communities.permissions`` and recorded in the community's audit log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from wagtail.actions.move_page import MovePageAction
from wagtail.actions.unpublish_page import UnpublishPageAction

from communities.errors import Invalid, Refusal
from communities.events import announce
from communities.models import CommunityPage, Flag, ModerationAction, Post, ThreadPage
from communities.people.services.membership import record_action
from communities.permissions import can_facilitate, can_flag_post, can_flag_thread, community_of
from hub.floor.actor import Actor, AuthenticatedActor

Kind = ModerationAction.Kind


def _check_facilitates(user: Actor, community: CommunityPage) -> AuthenticatedActor:
    """Refuse unless ``user`` facilitates ``community``; returns ``user``, known to be signed in."""
    if not can_facilitate(user, community):
        raise Refusal("Only the community's facilitators moderate it.")
    return user


def _flag(*, by: AuthenticatedActor, reason: str, detail: str, **target: Any) -> Flag:
    """One open flag per member and target: flagging again updates the member's report."""
    if reason not in Flag.Reason.values:
        raise Invalid("Choose a reason for flagging the post.")
    flag, created = Flag.objects.update_or_create(
        **target,
        flagged_by=by,
        resolved_at__isnull=True,
        defaults={"reason": reason, "detail": detail.strip()},
    )
    if created:  # the facilitators hear of a new report once (an updated one is in their queue)
        if "post" in target:
            announce("post", [target["post"].pk], "flagged", actor=by, flag=flag)
        else:
            announce("thread", [target["thread"].pk], "flagged", actor=by, flag=flag)
    return flag


@transaction.atomic
def do_flag_post(post: Post, *, by: Actor, reason: str, detail: str = "") -> Flag:
    """Report a reply to the community's facilitators; flagging the same reply again updates the report."""
    if not can_flag_post(by, post):
        raise Refusal("Sign in to flag a post in a community you can read.")
    return _flag(by=by, reason=reason, detail=detail, post=post)


@transaction.atomic
def do_flag_thread(thread: ThreadPage, *, by: Actor, reason: str, detail: str = "") -> Flag:
    """Report a thread's opening post to the community's facilitators, on the same terms as a reply."""
    if not can_flag_thread(by, thread):
        raise Refusal("Sign in to flag a post in a community you can read.")
    return _flag(by=by, reason=reason, detail=detail, thread=thread)


def _resolve_flags(by: AuthenticatedActor, resolution: str, **target: Any) -> None:
    Flag.objects.open().filter(**target).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )


def _set_post_hidden(post: Post, by: Actor, hidden: bool) -> Post:
    community = community_of(post.thread)
    by = _check_facilitates(by, community)
    post.is_hidden = hidden
    post.save(update_fields=["is_hidden"])
    announce("post", [post.pk], "hidden" if hidden else "unhidden", actor=by)
    if hidden:
        _resolve_flags(by, "Post hidden", post=post)
    record_action(
        community, by, Kind.HIDE_POST if hidden else Kind.UNHIDE_POST, thread=post.thread, post=post
    )
    return post


@transaction.atomic
def do_hide_post(post: Post, *, by: Actor) -> Post:
    """Hide a post from everyone but facilitators; its open flags are resolved."""
    return _set_post_hidden(post, by, True)


@transaction.atomic
def do_unhide_post(post: Post, *, by: Actor) -> Post:
    return _set_post_hidden(post, by, False)


@transaction.atomic
def do_hide_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    """Hide a thread, opening post and replies, from readers: it is unpublished, and every surface shows
    only live threads (pages, lists, search, feeds, API, notifications, digests). Its open flags are resolved.

    Facilitators still reach it from the moderation pages and can unhide it.
    """
    by = _check_facilitates(by, community_of(thread))
    current = ThreadPage.objects.get(
        pk=thread.pk
    )  # unpublishing saves every field: never stale ones
    if current.live:
        UnpublishPageAction(current, user=by).execute(skip_permission_checks=True)
        thread.refresh_from_db()
        announce("thread", [thread.pk], "hidden", actor=by)
    _resolve_flags(by, "Thread hidden", thread=thread)
    record_action(community_of(thread), by, Kind.HIDE_THREAD, thread=thread)
    return thread


@transaction.atomic
def do_unhide_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    """Publish a hidden thread again, as it was when it was hidden."""
    by = _check_facilitates(by, community_of(thread))
    current = ThreadPage.objects.get(
        pk=thread.pk
    )  # the revision holds every field: never stale ones
    if not current.live:
        current.save_revision(user=by).publish(user=by, skip_permission_checks=True)
        thread.refresh_from_db()
        announce("thread", [thread.pk], "unhidden", actor=by)
    record_action(community_of(thread), by, Kind.UNHIDE_THREAD, thread=thread)
    return thread


@transaction.atomic
def do_dismiss_flag(flag: Flag, *, by: Actor) -> Flag:
    """Close a flag without acting on the post."""
    thread = flag.flagged_thread
    by = _check_facilitates(by, thread.community)
    if flag.resolved_at is not None:
        raise Invalid("This flag has already been dealt with.")
    flag.resolved_at, flag.resolved_by, flag.resolution = timezone.now(), by, "Dismissed"
    flag.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    record_action(
        thread.community,
        by,
        Kind.DISMISS_FLAG,
        thread=thread,
        post=flag.post,
        detail=flag.get_reason_display(),
    )
    return flag


@transaction.atomic
def do_dismiss_flags(target: Post | ThreadPage, *, by: Actor) -> int:
    """Dismiss every open flag on a reply (a ``Post``) or a thread's opening post (the ``ThreadPage``)."""
    is_reply = isinstance(target, Post)
    thread = target.thread if isinstance(target, Post) else target
    _check_facilitates(by, community_of(thread))
    flags = Flag.objects.open().filter(**{"post" if is_reply else "thread": target})
    dismissed = 0
    for flag in flags:
        do_dismiss_flag(flag, by=by)
        dismissed += 1
    return dismissed


def _set_thread_flag(
    thread: ThreadPage, by: Actor, field: str, value: bool, kind: str
) -> ThreadPage:
    by = _check_facilitates(by, community_of(thread))
    setattr(thread, field, value)
    thread.save(clean=False, update_fields=[field])
    announce("thread", [thread.pk], "locked", actor=by)
    record_action(community_of(thread), by, kind, thread=thread)
    return thread


@transaction.atomic
def do_lock_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    """Stop new replies in ``thread``; it stays readable."""
    return _set_thread_flag(thread, by, "is_locked", True, Kind.LOCK_THREAD)


@transaction.atomic
def do_unlock_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    return _set_thread_flag(thread, by, "is_locked", False, Kind.UNLOCK_THREAD)


@transaction.atomic
def do_pin_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    """Keep ``thread`` at the top of its community's thread list."""
    return _set_thread_flag(thread, by, "is_pinned", True, Kind.PIN_THREAD)


@transaction.atomic
def do_unpin_thread(thread: ThreadPage, *, by: Actor) -> ThreadPage:
    return _set_thread_flag(thread, by, "is_pinned", False, Kind.UNPIN_THREAD)


def _free_slug(thread: ThreadPage, target: CommunityPage) -> str:
    taken = set(target.get_children().values_list("slug", flat=True))
    slug, number = thread.slug, 2
    while slug in taken:
        slug, number = f"{thread.slug}-{number}", number + 1
    return slug


@transaction.atomic
def do_move_thread(thread: ThreadPage, *, to: CommunityPage, by: Actor) -> ThreadPage:
    """Move ``thread`` (and its posts) to another community that ``by`` also facilitates.

    The thread's ``community`` follows the page tree through the ``post_page_move`` handler; the
    move is announced, so search re-indexes the thread and its replies under their new community.
    """
    source = community_of(thread)
    by = _check_facilitates(by, source)
    if not can_facilitate(by, to):
        raise Refusal("You can only move a thread to a community you also facilitate.")
    if to.pk == source.pk:
        raise Refusal("The thread is already in this community.")
    slug = _free_slug(thread, to)
    if slug != thread.slug:
        ThreadPage.objects.filter(pk=thread.pk).update(
            slug=slug
        )  # before the move; announced with it below
        thread.slug = slug
    MovePageAction(thread, to, pos="last-child", user=by).execute(skip_permission_checks=True)
    moved = ThreadPage.objects.get(pk=thread.pk)
    announce("thread", [moved.pk], "moved", actor=by)
    record_action(source, by, Kind.MOVE_THREAD_OUT, thread=moved, detail=f"to {to.title}")
    record_action(to, by, Kind.MOVE_THREAD_IN, thread=moved, detail=f"from {source.title}")
    return moved
