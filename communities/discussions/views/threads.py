"""Threads and posts from the front end: start, reply, quote, edit, delete, vote, accept, watch.

Each view fetches what it acts on through the permission-checked fetchers of
``communities.permissions`` (a refusal there is rendered by ``RefusalMiddleware``), calls the
service's ``check_*`` and then its ``do_*``, and renders or redirects. A refused form is shown
again with the member's text and the reason, by ``communities.refusals.render_refusal``.
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from communities.discussions.queries import attachment_limits, post_url
from communities.discussions.services import notifications, threads
from communities.errors import NotFound, Refusal
from communities.models import WatchLevel
from communities.permissions import (
    access_attachment,
    access_community,
    access_post,
    access_thread,
    can_facilitate,
    can_see_post_history,
)
from communities.refusals import render_refusal


def _idempotency_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None


def refused_in(request, refusal: Refusal, thread=None, community=None):
    """The refusal page for an action on ``thread`` (or ``community``), with a way back to it."""
    community = community or thread.community
    return render_refusal(request, refusal, context={"community": community, "thread": thread})


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def new_thread(request, slug: str):
    community = access_community(request.user, slug)
    context = {"community": community, "idempotency_key": uuid.uuid4(), **attachment_limits()}
    template = "communities/new_thread.html"
    if request.method != "POST":
        try:
            threads.check_can_post(request.user, community)
        except Refusal as refusal:
            return render_refusal(request, refusal, template, context)
        return TemplateResponse(request, template, context)
    form = {
        "title": request.POST.get("title", ""),
        "body": request.POST.get("body", ""),
        "tags": request.POST.get("tags", ""),
    }
    context["form"] = form
    upload = request.FILES.get("attachment")
    key = _idempotency_key(request)
    try:
        title, body = threads.check_start_thread(
            request.user,
            community,
            title=form["title"],
            body=form["body"],
            upload=upload,
            idempotency_key=key,
        )
    except Refusal as refusal:
        return render_refusal(request, refusal, template, context)
    thread = threads.do_start_thread(
        community=community,
        author=request.user,
        title=title,
        body=body,
        tags=_tags(form["tags"]),
        idempotency_key=key,
        upload=upload,
    )
    return redirect(thread.url)


def reply(request, thread_id: int):
    thread = access_thread(request.user, thread_id)
    if request.method != "POST":
        return redirect(f"{thread.url}#reply")
    body = request.POST.get("body", "")
    context = {
        "thread": thread,
        "community": thread.community,
        "form": {"body": body},
        **attachment_limits(),
    }
    upload = request.FILES.get("attachment")
    key = _idempotency_key(request)
    quoted = None
    if request.POST.get("quoted_post", "").isdecimal():
        quoted = thread.posts.filter(pk=request.POST["quoted_post"]).first()
    try:
        body = threads.check_reply(
            request.user, thread, body=body, upload=upload, idempotency_key=key
        )
    except Refusal as refusal:
        return render_refusal(request, refusal, "communities/reply_form.html", context)
    post = threads.do_reply(
        thread=thread,
        author=request.user,
        body=body,
        quoted_post=quoted,
        idempotency_key=key,
        upload=upload,
    )
    return HttpResponseRedirect(post_url(post))


def edit_post(request, post_id: int):
    post = access_post(request.user, post_id)
    # The form holds what the member typed; the stored text only once they are known to be allowed.
    context = {
        "post": post,
        "thread": post.thread,
        "community": post.thread.community,
        "form": {"body": request.POST.get("body", "")},
    }
    template = "communities/edit_post.html"
    try:
        if request.method != "POST":
            threads.check_edit_post(request.user, post, post.body)
            context["form"]["body"] = post.body
            return TemplateResponse(request, template, context)
        body = threads.check_edit_post(request.user, post, request.POST.get("body", ""))
    except Refusal as refusal:
        return render_refusal(request, refusal, template, context)
    threads.do_edit_post(post=post, editor=request.user, body=body)
    return redirect(post_url(post))


def edit_thread(request, thread_id: int):
    thread = access_thread(request.user, thread_id)
    context = {
        "thread": thread,
        "community": thread.community,
        "form": {
            "title": request.POST.get("title", thread.title),
            "body": request.POST.get("body", thread.body),
        },
    }
    template = "communities/edit_thread.html"
    try:
        if request.method != "POST":
            threads.check_edit_thread(request.user, thread)
            return TemplateResponse(request, template, context)
        title, body = threads.check_edit_thread(
            request.user,
            thread,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
    except Refusal as refusal:
        return render_refusal(request, refusal, template, context)
    threads.do_edit_thread(thread=thread, editor=request.user, title=title, body=body)
    return redirect(thread.url)


def post_history(request, post_id: int):
    post = access_post(request.user, post_id)
    if post.is_deleted or (
        post.is_hidden and not can_facilitate(request.user, post.thread.community)
    ):
        raise NotFound()
    if not can_see_post_history(request.user, post):
        raise Refusal(
            "A reply's earlier versions are shown only to its author, the community's "
            "facilitators and site staff."
        )
    return TemplateResponse(
        request,
        "communities/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "revisions": post.revisions.select_related("edited_by__profile"),
        },
    )


@require_POST
def delete_post(request, post_id: int):
    post = access_post(request.user, post_id)
    try:
        threads.check_delete_post(request.user, post)
    except Refusal as refusal:
        return refused_in(request, refusal, post.thread)
    threads.do_delete_post(post=post, by=request.user)
    return redirect(post_url(post))


@require_POST
def helpful(request, post_id: int):
    post = access_post(request.user, post_id)
    try:
        threads.check_vote(request.user, post)
    except Refusal as refusal:
        return refused_in(request, refusal, post.thread)
    threads.do_toggle_helpful(post=post, user=request.user)
    return redirect(post_url(post))


@require_POST
def accept(request, thread_id: int):
    thread = access_thread(request.user, thread_id)
    post_id = request.POST.get("post", "")
    post = thread.posts.filter(pk=post_id).first() if post_id.isdecimal() else None
    try:
        threads.check_accept(request.user, thread, post)
    except Refusal as refusal:
        return refused_in(request, refusal, thread)
    clear = request.POST.get("action") == "clear" and thread.accepted_post_id == post.pk
    threads.do_accept_answer(thread=thread, post=None if clear else post, by=request.user)
    return redirect(post_url(post))


@require_POST
def watch_thread(request, thread_id: int):
    thread = access_thread(request.user, thread_id)
    try:
        notifications.check_watch(request.user, thread.community)
    except Refusal as refusal:
        return refused_in(request, refusal, thread)
    level = request.POST.get("level", "")
    if level in WatchLevel.values:
        notifications.do_set_watch(request.user, level=level, thread=thread)
    return redirect(thread.url)


@require_POST
def watch_community(request, slug: str):
    community = access_community(request.user, slug)
    try:
        notifications.check_watch(request.user, community)
    except Refusal as refusal:
        return refused_in(request, refusal, community=community)
    level = request.POST.get("level", "")
    if level in WatchLevel.values:
        notifications.do_set_watch(request.user, level=level, community=community)
    return redirect(community.url)


def attachment(request, attachment_id: int):
    """Download an attachment, only for people who may read its thread."""
    document = access_attachment(request.user, attachment_id).document
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
