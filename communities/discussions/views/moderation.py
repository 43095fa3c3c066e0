"""Facilitators' moderation pages (the queue, the audit log, a thread's tools) and flagging posts.

Rules are in ``communities.discussions.services.moderation``; who may flag and moderate is
``communities.permissions``.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from communities.discussions import queries
from communities.discussions.forms import FlagForm, MoveThreadForm
from communities.discussions.services import moderation
from communities.errors import Invalid, MembersOnly, Refusal
from communities.models import CommunityPage, Flag, JoinRequest, ModerationAction, Post, ThreadPage
from communities.people.views import facilitators_only, paginate, safe_next
from communities.permissions import (
    access_post,
    access_thread,
    can_flag_post,
    can_flag_thread,
    check_community_access,
)
from communities.refusals import render_refusal


def _flag(
    request,
    *,
    thread: ThreadPage,
    may_flag: bool,
    flag,
    body: str,
    back_url: str,
    opening_post: bool,
):
    """The flag form for a reply or an opening post: 404 where the community is private to the
    visitor, the members-only page where they may not read it."""
    community = thread.community
    if not may_flag:
        check_community_access(request.user, community, "read", page=thread)  # 404 or members-only
        raise MembersOnly(community, thread)  # readers who are banned or signed out
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flag(
            by=request.user, reason=form.cleaned_data["reason"], detail=form.cleaned_data["detail"]
        )
        messages.success(request, "Thank you. The community's facilitators will look at the post.")
        return redirect(back_url)
    return render(
        request,
        "communities/people/flag_post.html",
        {
            "thread": thread,
            "community": community,
            "form": form,
            "body": body,
            "back_url": back_url,
            "opening_post": opening_post,
        },
    )


@login_required
def flag_post(request, post_id: int):
    post = access_post(request.user, post_id, "see", visible=True)
    return _flag(
        request,
        thread=post.thread,
        may_flag=can_flag_post(request.user, post),
        flag=functools.partial(moderation.do_flag_post, post),
        body=post.body,
        back_url=f"{post.thread.url}#post-{post.pk}",
        opening_post=False,
    )


@login_required
def flag_thread(request, thread_id: int):
    """Flag a thread's opening post."""
    thread = access_thread(request.user, thread_id, "see")
    return _flag(
        request,
        thread=thread,
        may_flag=can_flag_thread(request.user, thread),
        flag=functools.partial(moderation.do_flag_thread, thread),
        body=thread.body,
        back_url=f"{thread.url}#opening-post",
        opening_post=True,
    )


@facilitators_only
def moderation_queue(request, community: CommunityPage):
    flags = (
        Flag.objects.open()
        .in_community(community)
        .select_related(
            "post__thread",
            "post__author__profile",
            "thread__author__profile",
            "flagged_by__profile",
        )
        .order_by("created_at")
    )
    return render(
        request,
        "communities/people/moderation_queue.html",
        {
            "community": community,
            "flags": flags,
            "pending_requests": JoinRequest.objects.filter(
                community=community, status=JoinRequest.Status.PENDING
            ).count(),
            # hidden threads too, so that facilitators can find them again and unhide them
            "threads": ThreadPage.objects.filter(community=community).order_by("-last_activity_at")[
                :50
            ],
        },
    )


@facilitators_only
def moderation_log(request, community: CommunityPage):
    entries = ModerationAction.objects.filter(community=community).select_related(
        "actor__profile", "subject__profile", "thread", "post"
    )
    return render(
        request,
        "communities/people/moderation_log.html",
        {"community": community, "page_obj": paginate(request, entries)},
    )


THREAD_ACTIONS = {
    "lock": (moderation.do_lock_thread, "The thread is locked."),
    "unlock": (moderation.do_unlock_thread, "The thread is unlocked."),
    "pin": (moderation.do_pin_thread, "The thread is pinned."),
    "unpin": (moderation.do_unpin_thread, "The thread is unpinned."),
    "hide": (moderation.do_hide_thread, "The thread is hidden."),
    "unhide": (moderation.do_unhide_thread, "The thread is visible again."),
}


@facilitators_only
def moderate_thread(request, community: CommunityPage, thread_id: int):
    thread = get_object_or_404(
        ThreadPage.objects.select_related("author__profile"), pk=thread_id, community=community
    )
    targets = queries.move_targets(request.user, community)
    form = MoveThreadForm(request.POST or None, communities=targets)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "move":
                if not form.is_valid():
                    raise Invalid("Choose the community to move the thread to.")
                moved = moderation.do_move_thread(
                    thread, to=form.cleaned_data["to"], by=request.user
                )
                messages.success(request, f"The thread is now in {form.cleaned_data['to'].title}.")
                return redirect(moved.url)
            if action == "dismiss":
                moderation.do_dismiss_flags(thread, by=request.user)
                messages.success(request, "The flags on the opening post are dismissed.")
            elif action in THREAD_ACTIONS:
                do, done = THREAD_ACTIONS[action]
                do(thread, by=request.user)
                messages.success(request, done)
            else:
                raise Invalid("Choose what to do with the thread.")
            return redirect(
                safe_next(request, reverse("moderate-thread", args=[community.slug, thread.pk]))
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
    posts = (
        thread.posts.filter(is_deleted=False)
        .select_related("author__profile")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.open()))
        .order_by("created_at")
    )  # as the opening post's count
    return render(
        request,
        "communities/people/moderate_thread.html",
        {
            "community": community,
            "thread": thread,
            "posts": posts,
            "form": form,
            "has_targets": targets.exists(),
            "opening_post_flags": thread.flags.open().count(),
        },
    )


@require_POST
@facilitators_only
def moderate_post(request, community: CommunityPage, post_id: int, action: str):
    actions = {"hide": moderation.do_hide_post, "unhide": moderation.do_unhide_post}
    if action not in actions and action != "dismiss":
        raise Http404
    try:
        post = get_object_or_404(
            Post.objects.select_related("thread__community"),
            pk=post_id,
            thread__community=community,
        )
        if action == "dismiss":
            moderation.do_dismiss_flags(post, by=request.user)
            messages.success(request, "The flags on the post are dismissed.")
        else:
            actions[action](post, by=request.user)
            messages.success(
                request, "The post is hidden." if action == "hide" else "The post is visible again."
            )
    except Refusal as exc:
        return render_refusal(request, exc, context={"community": community})
    return redirect(safe_next(request, reverse("moderation-queue", args=[community.slug])))
