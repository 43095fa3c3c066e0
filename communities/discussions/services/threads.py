"""Starting threads, replying, editing, deleting, voting and accepting answers.

Doors (pages, the API, questions on a case study) call ``check_*``, which raises a
``communities.errors.Refusal`` with a message for the member, and then ``do_*``, which writes
inside a transaction and announces the change (``communities.events``): search re-indexes and
notifications go out from there. Factories and the demo call ``do_*`` directly.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.documents import get_document_model

from communities.discussions.services.attachments import attachments_collection, unguessable_name
from communities.discussions.services.notifications import do_watch_by_default
from communities.errors import Invalid, RateLimited, Refusal
from communities.events import announce
from communities.models import (
    Attachment,
    CommunityPage,
    HelpfulVote,
    Post,
    PostRevision,
    ThreadPage,
)
from communities.permissions import (
    SIGNED_OUT,
    can_accept_answer,
    can_edit_post,
    can_read_community,
    community_of,
    post_editor,
    posting_refusal,
    vote_checker,
)
from hub.floor.actor import Actor, AuthenticatedActor
from linkeddata.models import Area, Dataset, Observation, Period

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 1, 50000
MAX_TAGS = 10


# -- checks --------------------------------------------------------------------------------------


def check_can_post(user: Actor, community: CommunityPage, thread: ThreadPage | None = None) -> None:
    """Raise unless ``user`` may post in ``community`` (and in ``thread``, when given) right now."""
    refusal = posting_refusal(user, community, thread)
    if refusal is not None:
        raise refusal


def check_title(title: str) -> str:
    title = (title or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(
            f"The title must be between {TITLE_MIN} and {TITLE_MAX} characters (it has {len(title)})."
        )
    return title


def check_body(body: str) -> str:
    body = (body or "").strip()
    if not BODY_MIN <= len(body) <= BODY_MAX:
        if not body:
            raise Invalid("Write something before sending.")
        raise Invalid(
            f"A post can have at most {BODY_MAX:,} characters (this one has {len(body):,})."
        )
    return body


def check_rate_limit(user: AuthenticatedActor, *, new_thread: bool) -> None:
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
        raise RateLimited(
            f"You have started {count} {what} in the last hour, the most allowed. Please wait a while and "
            "send again: your text is kept below."
        )


def check_attachment(upload: UploadedFile | None) -> None:
    """Attachments: an allowed document type and no bigger than ATTACHMENT_MAX_BYTES."""
    if upload is None:
        return
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    allowed = settings.WAGTAILDOCS_EXTENSIONS
    if extension not in allowed:
        raise Invalid(f"Attachments must be one of these types: {', '.join(allowed)}.")
    # The stubs allow size=None (an UploadedFile made by hand); an uploaded file always has one.
    if upload.size > settings.ATTACHMENT_MAX_BYTES:  # type: ignore[operator]
        limit_mb = settings.ATTACHMENT_MAX_BYTES / (1024 * 1024)
        raise Invalid(f"Attachments can be at most {limit_mb:g} MB.")


def check_start_thread(
    user: Actor,
    community: CommunityPage,
    *,
    title: str,
    body: str,
    upload: UploadedFile | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> tuple[str, str]:
    """Validate a new thread; returns the cleaned title and body."""
    check_can_post(user, community)
    user = cast(AuthenticatedActor, user)  # check_can_post refuses anonymous visitors
    title, body = check_title(title), check_body(body)
    check_attachment(upload)
    if not (
        idempotency_key
        and ThreadPage.objects.filter(author=user, idempotency_key=idempotency_key).exists()
    ):
        check_rate_limit(user, new_thread=True)
    return title, body


def check_figure(area_code: str, dataset_slug: str, period_slug: str) -> Observation:
    """The published figure a new thread asks about, named by its GSS code, dataset and period
    (``2023`` or ``2023-24``); ``Invalid`` saying which part the hub does not know."""
    area = Area.objects.filter(gss_code=(area_code or "").strip().upper()).first()
    if area is None:
        raise Invalid(f"The hub has no council with the code “{area_code}”.")
    dataset = Dataset.objects.select_related("measure").filter(slug=dataset_slug).first()
    if dataset is None:
        raise Invalid(f"The hub has no measure called “{dataset_slug}”.")
    period = Period.objects.filter(code=(period_slug or "").replace("-", "/")).first()
    if period is None:
        raise Invalid(f"The hub has no period “{period_slug}”.")
    observation = (
        Observation.objects.select_related("area", "dataset__measure", "period")
        .filter(area=area, dataset=dataset, period=period)
        .first()
    )
    if observation is None:
        raise Invalid(
            f"{area.short_name} has no figure for {dataset.measure.label} in {period.code}."
        )
    return observation


def check_reply(
    user: Actor,
    thread: ThreadPage,
    *,
    body: str,
    upload: UploadedFile | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> str:
    check_can_post(user, community_of(thread), thread)
    user = cast(AuthenticatedActor, user)  # check_can_post refuses anonymous visitors
    body = check_body(body)
    check_attachment(upload)
    if not (
        idempotency_key
        and Post.objects.filter(author=user, idempotency_key=idempotency_key).exists()
    ):
        check_rate_limit(user, new_thread=False)
    return body


def check_edit_post(user: Actor, post: Post, body: str) -> str:
    if not can_edit_post(user, post.author_id, community_of(post.thread)) or post.is_deleted:
        raise Refusal("You cannot change this post.")
    return check_body(body)


def check_edit_thread(
    user: Actor, thread: ThreadPage, *, title: str | None = None, body: str | None = None
) -> tuple[str, str]:
    """The thread's author (while a member) or a facilitator changes its title and opening post;
    without a new title and body, only whether ``user`` may (for showing the form)."""
    if not post_editor(user, community_of(thread))(thread.author_id):
        raise Refusal("You cannot change this thread.")
    if title is None or body is None:
        return thread.title, thread.body
    return check_title(title), check_body(body)


def check_delete_post(user: Actor, post: Post) -> None:
    if not post_editor(user, community_of(post.thread))(post.author_id):
        raise Refusal("You cannot delete this post.")


def check_vote(user: Actor, post: Post) -> None:
    check_can_post(user, community_of(post.thread))
    if post.author_id == user.pk:
        raise Refusal("You cannot vote for your own post.")
    if not vote_checker(user, community_of(post.thread))(post):
        raise Refusal("This post can no longer be voted for.")


def check_accept(user: Actor, thread: ThreadPage, post: Post | None) -> None:
    if not user.is_authenticated or not can_read_community(user, community_of(thread)):
        raise Refusal(SIGNED_OUT if not user.is_authenticated else "Not found.")
    if not can_accept_answer(user, thread):
        raise Refusal(
            "Only the person who started the thread or a facilitator can choose the answer."
        )
    if post is None:
        raise Invalid("Choose a reply to accept.")
    if post.thread_id != thread.pk or post.is_deleted or post.is_hidden:
        raise Invalid("That reply cannot be the answer.")


# Paths under a community that belong to other views (communities/urls_*.py), never thread slugs.
RESERVED_SLUGS = {
    "new-thread",
    "watch",
    "members",
    "join",
    "leave",
    "feed",
    "settings",
    "moderation",
    "request",
    "requests",
    "invite",
}


def thread_slug(community: CommunityPage, title: str) -> str:
    """A slug for a new thread: from its title, unique in the community, never a reserved path."""
    base = slugify(title)[:80].strip("-") or "thread"
    if base in RESERVED_SLUGS:
        base = f"{base}-thread"
    taken = set(
        community.get_children().filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# -- writes --------------------------------------------------------------------------------------


@transaction.atomic
def do_start_thread(
    *,
    community: CommunityPage,
    author: AuthenticatedActor,
    title: str,
    body: str,
    tags: list[str] | tuple[str, ...] = (),
    idempotency_key: uuid.UUID | None = None,
    upload: UploadedFile | None = None,
    figure: Observation | None = None,
) -> ThreadPage:
    """A published thread in ``community``; the caller has checked that ``author`` may post.
    With ``figure`` (from ``check_figure``) the thread is anchored to that observation: its area,
    dataset and period, so the figure's pages list the discussion.

    A repeated ``idempotency_key`` from the same author returns the thread already created.
    """
    if idempotency_key:
        existing = ThreadPage.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    thread = ThreadPage(
        title=title,
        body=body,
        author=author,
        last_activity_at=timezone.now(),
        idempotency_key=idempotency_key,
        slug=thread_slug(community, title),
    )
    if figure is not None:
        thread.figure_area_id = figure.area_id
        thread.figure_dataset_id = figure.dataset_id
        thread.figure_period_id = figure.period_id
    thread.tags.set(list(tags)[:MAX_TAGS])
    community.add_child(instance=thread)
    # Members publish from the front end; the community rules, not Wagtail admin rights, apply.
    thread.save_revision(user=author).publish(user=author, skip_permission_checks=True)
    if upload is not None:
        do_attach(thread=thread, post=None, upload=upload, user=author)
    do_watch_by_default(author, thread)
    announce("thread", [thread.pk], "published", actor=author)
    return thread


def do_reply(
    *,
    thread: ThreadPage,
    author: AuthenticatedActor | None,
    body: str,
    created_at: datetime | None = None,
    quoted_post: Post | None = None,
    idempotency_key: uuid.UUID | None = None,
    upload: UploadedFile | None = None,
) -> Post:
    """A reply in ``thread``; keeps the thread's reply count and last activity in step.

    A repeated ``idempotency_key`` from the same author returns the reply already created.
    """
    if idempotency_key:
        existing = Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    now = created_at or timezone.now()
    try:
        with transaction.atomic():
            post = Post.objects.create(
                thread=thread,
                author=author,
                body=body,
                created_at=now,
                quoted_post=quoted_post,
                idempotency_key=idempotency_key,
            )
            ThreadPage.objects.filter(pk=thread.pk).update(
                reply_count=F("reply_count") + 1, last_activity_at=now
            )
            if upload is not None:
                do_attach(thread=thread, post=post, upload=upload, user=author)
            if author is not None:
                do_watch_by_default(author, thread)
            announce("post", [post.pk], "published", actor=author)
    except IntegrityError:
        # The same form arrived twice at once: the other request created the reply.
        existing = Post.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if idempotency_key is None or existing is None:
            raise
        return existing
    return post


@transaction.atomic
def do_edit_post(*, post: Post, editor: AuthenticatedActor, body: str) -> Post:
    """Change a reply's text, keeping the earlier text as a revision."""
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at", "updated_at"])
    announce("post", [post.pk], "edited", actor=editor)
    return post


@transaction.atomic
def do_edit_thread(
    *, thread: ThreadPage, editor: AuthenticatedActor, title: str, body: str
) -> ThreadPage:
    """Change a thread's title and opening post; Wagtail keeps every earlier version as a revision."""
    thread.title, thread.body = title, body
    thread.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    announce("thread", [thread.pk], "edited", actor=editor)
    return thread


@transaction.atomic
def do_delete_post(*, post: Post, by: AuthenticatedActor) -> None:
    """Soft delete: the reply shows as deleted to readers and leaves search; its text and history
    stay for moderators. A deleted accepted answer is no longer the answer."""
    post.is_deleted = True
    post.save(update_fields=["is_deleted", "updated_at"])
    announce("post", [post.pk], "deleted", actor=by)
    if post.thread.accepted_post_id == post.pk:
        do_accept_answer(thread=post.thread, post=None, by=None)


@transaction.atomic
def do_toggle_helpful(*, post: Post, user: AuthenticatedActor) -> bool:
    """Vote for ``post`` as helpful, or withdraw the vote; returns whether the vote now stands."""
    deleted, _ = HelpfulVote.objects.filter(post=post, user=user).delete()
    if not deleted:
        HelpfulVote.objects.get_or_create(post=post, user=user)
    post.helpful_count = HelpfulVote.objects.filter(post=post).count()
    post.save(update_fields=["helpful_count"])
    return not deleted


@transaction.atomic
def do_accept_answer(
    *, thread: ThreadPage, post: Post | None, by: AuthenticatedActor | None = None
) -> None:
    """Mark ``post`` as the answer to ``thread`` (``None`` clears it); the caller has checked who may.
    The reply's author hears of it (``communities.discussions.subscribers``)."""
    ThreadPage.objects.filter(pk=thread.pk).update(accepted_post=post)
    thread.accepted_post = post
    announce("thread", [thread.pk], "answered", actor=by, post=post)


def do_attach(
    *, thread: ThreadPage, post: Post | None, upload: UploadedFile, user: Actor | None
) -> Attachment:
    """Store ``upload`` as a Wagtail document in the restricted attachments collection, its file under
    ``PRIVATE_MEDIA_ROOT`` with an unguessable name."""
    Document = get_document_model()
    document = Document(
        title=PurePath(upload.name or "attachment").name[:255],
        collection=attachments_collection(),
        uploaded_by_user=user,
    )
    document.file.save(unguessable_name(upload.name or ""), upload, save=False)
    document.file_size = upload.size
    document.save()
    return Attachment.objects.create(thread=thread, post=post, document=document)
