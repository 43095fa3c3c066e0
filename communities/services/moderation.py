"""Facilitators keeping a community safe: flags, hiding posts, locking, pinning and moving threads.

Every action is checked against ``communities.permissions`` and recorded in the community's audit log.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from wagtail.actions.move_page import MovePageAction

from communities.models import CommunityPage, Flag, ModerationAction, Post, ThreadPage
from communities.permissions import can_facilitate, can_flag_post
from communities.services.membership import NotAllowed, record_action

Kind = ModerationAction.Kind


def _check_facilitates(user, community: CommunityPage) -> None:
    if not can_facilitate(user, community):
        raise NotAllowed("Only the community's facilitators moderate it.")


@transaction.atomic
def do_flag_post(post: Post, *, by, reason: str, detail: str = "") -> Flag:
    """Report a post to the community's facilitators; flagging the same post again updates the report."""
    if not can_flag_post(by, post):
        raise NotAllowed("Sign in to flag a post in a community you can read.")
    if reason not in Flag.Reason.values:
        raise NotAllowed("Choose a reason for flagging the post.")
    flag, _ = Flag.objects.update_or_create(
        post=post, flagged_by=by, resolved_at__isnull=True, defaults={"reason": reason, "detail": detail.strip()}
    )
    return flag


def _resolve_flags(post: Post, by, resolution: str) -> None:
    Flag.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )


def _set_post_hidden(post: Post, by, hidden: bool) -> Post:
    community = post.thread.community
    _check_facilitates(by, community)
    Post.objects.filter(pk=post.pk).update(is_hidden=hidden)
    post.is_hidden = hidden
    if hidden:
        _resolve_flags(post, by, "Post hidden")
    record_action(community, by, Kind.HIDE_POST if hidden else Kind.UNHIDE_POST, thread=post.thread, post=post)
    return post


@transaction.atomic
def do_hide_post(post: Post, *, by) -> Post:
    """Hide a post from everyone but facilitators; its open flags are resolved."""
    return _set_post_hidden(post, by, True)


@transaction.atomic
def do_unhide_post(post: Post, *, by) -> Post:
    return _set_post_hidden(post, by, False)


@transaction.atomic
def do_dismiss_flag(flag: Flag, *, by) -> Flag:
    """Close a flag without acting on the post."""
    post = flag.post
    _check_facilitates(by, post.thread.community)
    if flag.resolved_at is not None:
        raise NotAllowed("This flag has already been dealt with.")
    flag.resolved_at, flag.resolved_by, flag.resolution = timezone.now(), by, "Dismissed"
    flag.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    record_action(post.thread.community, by, Kind.DISMISS_FLAG, thread=post.thread, post=post,
                  detail=flag.get_reason_display())
    return flag


def _set_thread_flag(thread: ThreadPage, by, field: str, value: bool, kind: str) -> ThreadPage:
    _check_facilitates(by, thread.community)
    ThreadPage.objects.filter(pk=thread.pk).update(**{field: value})
    setattr(thread, field, value)
    record_action(thread.community, by, kind, thread=thread)
    return thread


@transaction.atomic
def do_lock_thread(thread: ThreadPage, *, by) -> ThreadPage:
    """Stop new replies in ``thread``; it stays readable."""
    return _set_thread_flag(thread, by, "is_locked", True, Kind.LOCK_THREAD)


@transaction.atomic
def do_unlock_thread(thread: ThreadPage, *, by) -> ThreadPage:
    return _set_thread_flag(thread, by, "is_locked", False, Kind.UNLOCK_THREAD)


@transaction.atomic
def do_pin_thread(thread: ThreadPage, *, by) -> ThreadPage:
    """Keep ``thread`` at the top of its community's thread list."""
    return _set_thread_flag(thread, by, "is_pinned", True, Kind.PIN_THREAD)


@transaction.atomic
def do_unpin_thread(thread: ThreadPage, *, by) -> ThreadPage:
    return _set_thread_flag(thread, by, "is_pinned", False, Kind.UNPIN_THREAD)


def _free_slug(thread: ThreadPage, target: CommunityPage) -> str:
    taken = set(target.get_children().values_list("slug", flat=True))
    slug, number = thread.slug, 2
    while slug in taken:
        slug, number = f"{thread.slug}-{number}", number + 1
    return slug


@transaction.atomic
def do_move_thread(thread: ThreadPage, *, to: CommunityPage, by) -> ThreadPage:
    """Move ``thread`` (and its posts) to another community that ``by`` also facilitates.

    The thread's ``community`` follows the page tree through the ``post_page_move`` handler.
    """
    source = thread.community
    _check_facilitates(by, source)
    if not can_facilitate(by, to):
        raise NotAllowed("You can only move a thread to a community you also facilitate.")
    if to.pk == source.pk:
        raise NotAllowed("The thread is already in this community.")
    slug = _free_slug(thread, to)
    if slug != thread.slug:
        ThreadPage.objects.filter(pk=thread.pk).update(slug=slug)
        thread.slug = slug
    MovePageAction(thread, to, pos="last-child", user=by).execute(skip_permission_checks=True)
    moved = ThreadPage.objects.get(pk=thread.pk)
    record_action(source, by, Kind.MOVE_THREAD_OUT, thread=moved, detail=f"to {to.title}")
    record_action(to, by, Kind.MOVE_THREAD_IN, thread=moved, detail=f"from {source.title}")
    return moved
