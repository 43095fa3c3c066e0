"""Threads and posts from the front end: start, reply, quote, edit, delete, vote, accept, watch."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from communities.models import (
    Attachment,
    CommunityPage,
    HelpfulVote,
    Post,
    ThreadPage,
    Watch,
    WatchLevel,
)
from communities.permissions import (
    can_accept_answer,
    can_facilitate,
    can_read_community,
    can_see_community,
    post_editor,
)
from communities.services import threads as service
from communities.services.notifications import check_watch, do_set_watch, watch_level
from communities.services.profiles import with_mention_links
from communities.services.threads import DiscussionError


def _idempotency_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None


def _community(request, slug: str) -> CommunityPage:
    community = CommunityPage.objects.live().filter(slug=slug).first()
    if community is None or not can_see_community(request.user, community):
        raise Http404
    return community


class _MembersOnly(Exception):
    def __init__(self, response):
        self.response = response


def _readable_thread(request, thread_id: int) -> ThreadPage:
    """The live thread if ``request.user`` may read it; 404 for private, members-only page for restricted."""
    thread = ThreadPage.objects.live().select_related("community").filter(pk=thread_id).first()
    if thread is None or not can_see_community(request.user, thread.community):
        raise Http404
    if not can_read_community(request.user, thread.community):
        raise _MembersOnly(members_only(request, thread.community, thread))
    return thread


def members_only(request, community, thread=None):
    return TemplateResponse(
        request, "communities/members_only.html", {"page": thread or community, "community": community}, status=403
    )


def _refused(request, error: DiscussionError, template: str, context: dict):
    if error.status == 404:
        raise Http404
    context = {**context, "error": error.message, "idempotency_key": uuid.uuid4()}
    return TemplateResponse(request, template, context, status=error.status)


def thread_page_context(request, thread: ThreadPage) -> dict:
    """What the thread page shows; a fixed number of queries whatever the number of replies."""
    user = request.user
    community = thread.community
    posts = thread.posts.select_related("author__profile").order_by("created_at", "pk")
    paginator = Paginator(posts, settings.THREAD_POSTS_PER_PAGE)
    paginator.count = thread.reply_count  # kept in step by do_reply; saves counting on every view
    page = paginator.get_page(request.GET.get("page"))
    attachments: dict[int | None, list[Attachment]] = {}
    for item in Attachment.objects.filter(Q(post__isnull=True) | Q(post__in=[p.pk for p in page]), thread=thread
                                          ).select_related("document"):
        attachments.setdefault(item.post_id, []).append(item)
    may_edit = post_editor(user, community)
    facilitator = can_facilitate(user, community)
    voted = set()
    if user.is_authenticated:
        voted = set(HelpfulVote.objects.filter(user=user, post__in=[p.pk for p in page]).values_list("post_id", flat=True))
    for post in page:
        post.can_edit = may_edit(post.author_id) and not post.is_deleted
        post.voted = post.pk in voted
        post.show_body = not post.is_deleted and (not post.is_hidden or facilitator)
        post.attachment_list = attachments.get(post.pk, [])
    shown = [post for post in page if post.show_body]
    opening_post_html, *bodies = with_mention_links([thread.body_html, *(post.body_html for post in shown)], user)
    for post, body in zip(shown, bodies, strict=True):
        post.body_with_links = body
    quote = ""
    quote_id = request.GET.get("quote", "")
    if quote_id.isdecimal():
        quoted = thread.posts.filter(pk=quote_id, is_deleted=False, is_hidden=False).select_related("author__profile").first()
        if quoted:
            quote = service.quote_text(quoted)
    try:
        service.check_can_post(user, community, thread)
        refusal = ""
    except DiscussionError as error:
        refusal = error.message
    return {
        "community": community,
        "thread_author": get_user_model().objects.select_related("profile").filter(pk=thread.author_id).first(),
        "posts": page,
        "can_reply": not refusal,
        "reply_refusal": refusal,
        "can_accept": can_accept_answer(user, thread),
        "can_edit_thread": may_edit(thread.author_id),
        "is_facilitator": facilitator,
        "thread_attachments": attachments.get(None, []),
        "opening_post_html": opening_post_html,
        "watch_level": watch_level(user, thread=thread) if user.is_authenticated else None,
        "watch_levels": WatchLevel.choices,
        "quote": quote,
        "idempotency_key": uuid.uuid4(),
        "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "attachment_types": ", ".join(settings.WAGTAILDOCS_EXTENSIONS),
    }


def new_thread(request, slug: str):
    community = _community(request, slug)
    context = {
        "community": community,
        "idempotency_key": uuid.uuid4(),
        "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "attachment_types": ", ".join(settings.WAGTAILDOCS_EXTENSIONS),
    }
    template = "communities/new_thread.html"
    if request.method != "POST":
        try:
            service.check_can_post(request.user, community)
        except DiscussionError as error:
            return _refused(request, error, template, context)
        return TemplateResponse(request, template, context)
    form = {"title": request.POST.get("title", ""), "body": request.POST.get("body", ""),
            "tags": request.POST.get("tags", "")}
    context["form"] = form
    upload = request.FILES.get("attachment")
    key = _idempotency_key(request)
    try:
        title, body = service.check_start_thread(request.user, community, title=form["title"], body=form["body"],
                                                 upload=upload, idempotency_key=key)
    except DiscussionError as error:
        return _refused(request, error, template, context)
    tags = [t.strip() for t in form["tags"].split(",") if t.strip()][:10]
    thread = service.do_start_thread(community=community, author=request.user, title=title, body=body, tags=tags,
                                     idempotency_key=key, upload=upload)
    return redirect(thread.url)


def reply(request, thread_id: int):
    try:
        thread = _readable_thread(request, thread_id)
    except _MembersOnly as refused:
        return refused.response
    context = {"thread": thread, "community": thread.community,
               "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
               "attachment_types": ", ".join(settings.WAGTAILDOCS_EXTENSIONS)}
    if request.method != "POST":
        return redirect(f"{thread.url}#reply")
    body = request.POST.get("body", "")
    context["form"] = {"body": body}
    upload = request.FILES.get("attachment")
    key = _idempotency_key(request)
    quoted = None
    if request.POST.get("quoted_post", "").isdecimal():
        quoted = thread.posts.filter(pk=request.POST["quoted_post"]).first()
    try:
        body = service.check_reply(request.user, thread, body=body, upload=upload, idempotency_key=key)
    except DiscussionError as error:
        return _refused(request, error, "communities/reply_form.html", context)
    post = service.do_reply(thread=thread, author=request.user, body=body, quoted_post=quoted,
                            idempotency_key=key, upload=upload)
    return HttpResponseRedirect(f"{post_url(post)}")


def post_url(post: Post) -> str:
    """The thread page (the right page of replies) at the post."""
    position = Post.objects.filter(thread_id=post.thread_id, created_at__lt=post.created_at).count()
    page = position // settings.THREAD_POSTS_PER_PAGE + 1
    suffix = f"?page={page}" if page > 1 else ""
    return f"{post.thread.url}{suffix}#post-{post.pk}"


def _post_for(request, post_id: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("thread__community"), pk=post_id)
    _readable_thread(request, post.thread_id)
    return post


def edit_post(request, post_id: int):
    try:
        post = _post_for(request, post_id)
    except _MembersOnly as refused:
        return refused.response
    # The form holds what the member typed; the stored text only once they are known to be allowed.
    context = {"post": post, "thread": post.thread, "community": post.thread.community,
               "form": {"body": request.POST.get("body", "")}}
    template = "communities/edit_post.html"
    try:
        if request.method != "POST":
            service.check_edit_post(request.user, post, post.body)
            context["form"]["body"] = post.body
            return TemplateResponse(request, template, context)
        body = service.check_edit_post(request.user, post, request.POST.get("body", ""))
    except DiscussionError as error:
        return _refused(request, error, template, context)
    service.do_edit_post(post=post, editor=request.user, body=body)
    return redirect(post_url(post))


def edit_thread(request, thread_id: int):
    try:
        thread = _readable_thread(request, thread_id)
    except _MembersOnly as refused:
        return refused.response
    context = {"thread": thread, "community": thread.community,
               "form": {"title": request.POST.get("title", thread.title), "body": request.POST.get("body", thread.body)}}
    template = "communities/edit_thread.html"
    try:
        if not post_editor(request.user, thread.community)(thread.author_id):
            raise DiscussionError("You cannot change this thread.", 403)
        if request.method != "POST":
            return TemplateResponse(request, template, context)
        title = service.check_title(request.POST.get("title", ""))
        body = service.check_body(request.POST.get("body", ""))
    except DiscussionError as error:
        return _refused(request, error, template, context)
    service.do_edit_thread(thread=thread, editor=request.user, title=title, body=body)
    return redirect(thread.url)


def post_history(request, post_id: int):
    try:
        post = _post_for(request, post_id)
    except _MembersOnly as refused:
        return refused.response
    if post.is_deleted or (post.is_hidden and not can_facilitate(request.user, post.thread.community)):
        raise Http404
    return TemplateResponse(request, "communities/post_history.html", {
        "post": post, "thread": post.thread, "community": post.thread.community,
        "revisions": post.revisions.select_related("edited_by__profile"),
    })


@require_POST
def delete_post(request, post_id: int):
    try:
        post = _post_for(request, post_id)
    except _MembersOnly as refused:
        return refused.response
    if not post_editor(request.user, post.thread.community)(post.author_id):
        return _refused(request, DiscussionError("You cannot delete this post.", 403), "communities/message.html",
                        {"community": post.thread.community, "thread": post.thread})
    service.do_delete_post(post=post, by=request.user)
    return redirect(post_url(post))


@require_POST
def helpful(request, post_id: int):
    try:
        post = _post_for(request, post_id)
        service.check_vote(request.user, post)
    except _MembersOnly as refused:
        return refused.response
    except DiscussionError as error:
        return _refused(request, error, "communities/message.html", {"community": post.thread.community,
                                                                      "thread": post.thread})
    service.do_toggle_helpful(post=post, user=request.user)
    return redirect(post_url(post))


@require_POST
def accept(request, thread_id: int):
    try:
        thread = _readable_thread(request, thread_id)
    except _MembersOnly as refused:
        return refused.response
    post_id = request.POST.get("post", "")
    post = thread.posts.filter(pk=post_id).first() if post_id.isdecimal() else None
    try:
        if post is None:
            raise DiscussionError("Choose a reply to accept.", 400)
        service.check_accept(request.user, thread, post)
    except DiscussionError as error:
        return _refused(request, error, "communities/message.html", {"community": thread.community, "thread": thread})
    clear = request.POST.get("action") == "clear" and thread.accepted_post_id == post.pk
    service.do_accept_answer(thread=thread, post=None if clear else post, by=request.user)
    return redirect(post_url(post))


@require_POST
def watch_thread(request, thread_id: int):
    try:
        thread = _readable_thread(request, thread_id)
        check_watch(request.user, thread.community)
    except _MembersOnly as refused:
        return refused.response
    except DiscussionError as error:
        return _refused(request, error, "communities/message.html", {"community": thread.community, "thread": thread})
    level = request.POST.get("level", "")
    if level in WatchLevel.values:
        do_set_watch(request.user, level=level, thread=thread)
    return redirect(thread.url)


@require_POST
def watch_community(request, slug: str):
    community = _community(request, slug)
    try:
        check_watch(request.user, community)
    except DiscussionError as error:
        return _refused(request, error, "communities/message.html", {"community": community})
    level = request.POST.get("level", "")
    if level in WatchLevel.values:
        do_set_watch(request.user, level=level, community=community)
    return redirect(community.url)


def attachment(request, attachment_id: int):
    """Download an attachment, only for people who may read its thread."""
    item = get_object_or_404(Attachment.objects.select_related("document"), pk=attachment_id)
    try:
        thread = _readable_thread(request, item.thread_id)
    except _MembersOnly as refused:
        return refused.response
    if item.post_id and Post.objects.filter(pk=item.post_id, is_deleted=False, is_hidden=False).count() == 0:
        raise Http404
    del thread
    document = item.document
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)


def community_threads_context(request, community: CommunityPage) -> dict:
    """The community page's thread list: filters (answered, tag), latest activity first, pinned on top."""
    threads = ThreadPage.objects.live().child_of(community)
    status = request.GET.get("status", "")
    if status == "answered":
        threads = threads.filter(accepted_post__isnull=False)
    elif status == "unanswered":
        threads = threads.filter(accepted_post__isnull=True)
    tag = request.GET.get("tag", "").strip()
    if tag:
        threads = threads.filter(tags__name__iexact=tag)
    threads = threads.order_by("-is_pinned", "-last_activity_at", "-pk")
    page = Paginator(threads, settings.COMMUNITY_THREADS_PER_PAGE).get_page(request.GET.get("page"))
    base_url = community.get_url(request)
    for thread in page:
        thread.list_url = f"{base_url}{thread.slug}/"  # children of the community: no per-thread URL lookup
    watch = None
    if request.user.is_authenticated:
        watch = Watch.objects.filter(user=request.user, community=community).values_list("level", flat=True).first()
    return {
        "threads": page,
        "status": status,
        "tag": tag,
        "statuses": [("", "All"), ("unanswered", "Unanswered"), ("answered", "Answered")],
        "new_thread_url": reverse("new-thread", args=[community.slug]),
        "watch_level": watch or WatchLevel.NORMAL,
        "watch_levels": WatchLevel.choices,
        "show_watch": request.user.is_authenticated,
    }
