"""Starting threads, replying, editing, voting and accepting answers.

Views and the API call ``check_*`` (which raises :class:`DiscussionError` with a message for the
member) and then ``do_*`` (which writes, inside a transaction, and queues notifications to run
after commit). Factories and the demo call ``do_*`` directly.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from communities.models import (
    Attachment,
    CommunityPage,
    HelpfulVote,
    Membership,
    Post,
    PostRevision,
    ThreadPage,
)
from communities.permissions import (
    can_accept_answer,
    can_edit_post,
    can_read_community,
    can_see_community,
    is_email_confirmed,
    membership_of,
)

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 1, 50000
SIGNED_OUT = (
    "You are not signed in (your session may have expired). Sign in in another tab, then send again: "
    "your text is kept below."
)


class DiscussionError(Exception):
    """A refusal the member should read; ``status`` is the HTTP status a page or the API answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


# -- checks --------------------------------------------------------------------------------------


def check_can_post(user, community: CommunityPage, thread: ThreadPage | None = None) -> None:
    """Raise unless ``user`` may post in ``community`` (and in ``thread``, when given) right now."""
    if not user.is_authenticated:
        if not can_see_community(user, community):
            raise DiscussionError("Not found.", 404)
        raise DiscussionError(SIGNED_OUT, 403)
    if not can_see_community(user, community):
        raise DiscussionError("Not found.", 404)
    membership = membership_of(user, community)
    status = membership.status if membership else None
    if status != Membership.Status.ACTIVE:
        messages = {
            None: "Only members of this community can post. Join the community first.",
            Membership.Status.PENDING: "Your request to join is waiting for a facilitator; you can post once it is approved.",
            Membership.Status.INVITED: "You have been invited: accept the invitation to post.",
            Membership.Status.LEFT: "You have left this community. Join it again to post.",
            Membership.Status.BANNED: "You can no longer post in this community.",
        }
        raise DiscussionError(messages[status], 403)
    if not is_email_confirmed(user):
        raise DiscussionError("Confirm your email address before you post: follow the link we emailed you "
                              "when you signed up.", 403)
    if thread is not None and thread.is_locked:
        raise DiscussionError("This thread is locked: no new replies can be added.", 403)


def check_title(title: str) -> str:
    title = (title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise DiscussionError(f"The title must be between {TITLE_MIN} and {TITLE_MAX} characters (it has {len(title)}).")
    return title


def check_body(body: str) -> str:
    body = (body or "").strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        if not body:
            raise DiscussionError("Write something before sending.")
        raise DiscussionError(f"A post can have at most {BODY_MAX:,} characters (this one has {len(body):,}).")
    return body


def check_rate_limit(user, *, new_thread: bool) -> None:
    """At most THREADS_PER_HOUR new threads and POSTS_PER_HOUR replies per member in a rolling hour."""
    since = timezone.now() - timedelta(hours=1)
    if new_thread:
        limit = settings.THREADS_PER_HOUR
        count = ThreadPage.objects.filter(author=user, first_published_at__gte=since).count()
        what = "threads"
    else:
        limit = settings.POSTS_PER_HOUR
        count = Post.objects.filter(author=user, created_at__gte=since).count()
        what = "replies"
    if count >= limit:
        raise DiscussionError(
            f"You have started {count} {what} in the last hour, the most allowed. Please wait a while and "
            "send again: your text is kept below.",
            429,
        )


def check_attachment(upload) -> None:
    """Attachments: an allowed document type and no bigger than ATTACHMENT_MAX_BYTES."""
    if upload is None:
        return
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    allowed = settings.WAGTAILDOCS_EXTENSIONS
    if extension not in allowed:
        raise DiscussionError(f"Attachments must be one of these types: {', '.join(allowed)}.")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES / (1024 * 1024)
        raise DiscussionError(f"Attachments can be at most {limit_mb:g} MB.")


def check_start_thread(user, community: CommunityPage, *, title: str, body: str, upload=None,
                       idempotency_key: uuid.UUID | None = None) -> tuple[str, str]:
    """Validate a new thread; returns the cleaned title and body."""
    check_can_post(user, community)
    title, body = check_title(title), check_body(body)
    check_attachment(upload)
    if not (idempotency_key and ThreadPage.objects.filter(author=user, idempotency_key=idempotency_key).exists()):
        check_rate_limit(user, new_thread=True)
    return title, body


def check_reply(user, thread: ThreadPage, *, body: str, upload=None,
                idempotency_key: uuid.UUID | None = None) -> str:
    check_can_post(user, thread.community, thread)
    body = check_body(body)
    check_attachment(upload)
    if not (idempotency_key and Post.objects.filter(author=user, idempotency_key=idempotency_key).exists()):
        check_rate_limit(user, new_thread=False)
    return body


def check_edit_post(user, post: Post, body: str) -> str:
    if not can_edit_post(user, post.author_id, post.thread.community) or post.is_deleted:
        raise DiscussionError("You cannot change this post.", 403)
    return check_body(body)


def check_vote(user, post: Post) -> None:
    check_can_post(user, post.thread.community)
    if post.author_id == user.pk:
        raise DiscussionError("You cannot vote for your own post.", 403)
    if post.is_deleted or post.is_hidden:
        raise DiscussionError("This post can no longer be voted for.", 403)


def check_accept(user, thread: ThreadPage, post: Post) -> None:
    if not user.is_authenticated or not can_read_community(user, thread.community):
        raise DiscussionError(SIGNED_OUT if not user.is_authenticated else "Not found.", 403)
    if not can_accept_answer(user, thread):
        raise DiscussionError("Only the person who started the thread or a facilitator can choose the answer.", 403)
    if post.thread_id != thread.pk or post.is_deleted or post.is_hidden:
        raise DiscussionError("That reply cannot be the answer.", 400)


def quote_text(post: Post) -> str:
    """Markdown that quotes ``post`` in a reply."""
    name = post.author.profile.display_name if post.author_id and hasattr(post.author, "profile") else "A member"
    quoted = "\n".join(f"> {line}" for line in post.body.splitlines())
    return f"{name} wrote:\n\n{quoted}\n\n"


# Paths under a community that belong to views, never to a thread.
# Paths under a community that belong to other views (communities/urls_*.py), never thread slugs.
RESERVED_SLUGS = {
    "new-thread", "watch", "members", "join", "leave", "feed", "settings", "moderation",
    "request", "requests", "invite",
}


def thread_slug(community: CommunityPage, title: str) -> str:
    """A slug for a new thread: from its title, unique in the community, never a reserved path."""
    from django.utils.text import slugify

    base = slugify(title)[:80].strip("-") or "thread"
    if base in RESERVED_SLUGS:
        base = f"{base}-thread"
    taken = set(community.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# -- writes --------------------------------------------------------------------------------------


@transaction.atomic
def do_start_thread(
    *, community: CommunityPage, author, title: str, body: str, tags: list[str] | tuple[str, ...] = (),
    idempotency_key: uuid.UUID | None = None, upload=None,
) -> ThreadPage:
    """A published thread in ``community``; the caller has checked that ``author`` may post.

    A repeated ``idempotency_key`` from the same author returns the thread already created.
    """
    from communities.services.notifications import do_watch_by_default, notify_new_post

    if idempotency_key:
        existing = ThreadPage.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    thread = ThreadPage(title=title, body=body, author=author, last_activity_at=timezone.now(),
                        idempotency_key=idempotency_key, slug=thread_slug(community, title))
    thread.tags.set(list(tags))
    community.add_child(instance=thread)
    # Members publish from the front end; the community rules, not Wagtail admin rights, apply.
    thread.save_revision(user=author).publish(user=author, skip_permission_checks=True)
    if upload is not None:
        do_attach(thread=thread, post=None, upload=upload, user=author)
    do_watch_by_default(author, thread)
    notify_new_post(thread, None, actor=author)
    return thread


def do_reply(*, thread: ThreadPage, author, body: str, created_at=None, quoted_post: Post | None = None,
             idempotency_key: uuid.UUID | None = None, upload=None) -> Post:
    """A reply in ``thread``; keeps the thread's reply count and last activity in step.

    A repeated ``idempotency_key`` from the same author returns the reply already created.
    """
    from communities.services.notifications import do_watch_by_default, notify_new_post

    if idempotency_key:
        existing = Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    now = created_at or timezone.now()
    try:
        with transaction.atomic():
            post = Post.objects.create(thread=thread, author=author, body=body, created_at=now,
                                       quoted_post=quoted_post, idempotency_key=idempotency_key)
            ThreadPage.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
            if upload is not None:
                do_attach(thread=thread, post=post, upload=upload, user=author)
            if author is not None:
                do_watch_by_default(author, thread)
            notify_new_post(thread, post, actor=author)
    except IntegrityError:
        # The same form arrived twice at once: the other request created the reply.
        existing = Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if idempotency_key is None or existing is None:
            raise
        return existing
    return post


@transaction.atomic
def do_edit_post(*, post: Post, editor, body: str) -> Post:
    """Change a reply's text, keeping the earlier text as a revision."""
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at", "updated_at"])
    return post


@transaction.atomic
def do_edit_thread(*, thread: ThreadPage, editor, title: str, body: str) -> ThreadPage:
    """Change a thread's title and opening post; Wagtail keeps every earlier version as a revision."""
    thread.title, thread.body = title, body
    thread.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    return thread


@transaction.atomic
def do_delete_post(*, post: Post, by) -> None:
    """Soft delete: the reply shows as deleted, its text and history stay for moderators."""
    Post.objects.filter(pk=post.pk).update(is_deleted=True)
    post.is_deleted = True
    if post.thread.accepted_post_id == post.pk:
        ThreadPage.objects.filter(pk=post.thread_id).update(accepted_post=None)


@transaction.atomic
def do_toggle_helpful(*, post: Post, user) -> bool:
    """Vote for ``post`` as helpful, or withdraw the vote; returns whether the vote now stands."""
    deleted, _ = HelpfulVote.objects.filter(post=post, user=user).delete()
    if not deleted:
        HelpfulVote.objects.get_or_create(post=post, user=user)
    Post.objects.filter(pk=post.pk).update(helpful_count=HelpfulVote.objects.filter(post=post).count())
    return not deleted


@transaction.atomic
def do_accept_answer(*, thread: ThreadPage, post: Post | None, by=None) -> None:
    """Mark ``post`` as the answer to ``thread`` (``None`` clears it); the caller has checked who may."""
    from communities.services.notifications import notify_accepted

    ThreadPage.objects.filter(pk=thread.pk).update(accepted_post=post)
    thread.accepted_post = post
    if post is not None and by is not None:
        notify_accepted(thread, post, actor=by)


def do_attach(*, thread: ThreadPage, post: Post | None, upload, user) -> Attachment:
    """Store ``upload`` as a Wagtail document in the restricted attachments collection."""
    from wagtail.documents import get_document_model

    from communities.services.attachments import attachments_collection

    Document = get_document_model()
    document = Document(title=PurePath(upload.name).name[:255], file=upload,
                        collection=attachments_collection(), uploaded_by_user=user)
    document.file_size = upload.size
    document.save()
    return Attachment.objects.create(thread=thread, post=post, document=document)
