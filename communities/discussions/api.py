"""The discussions part of the JSON API: communities, their threads, and replies.

Callers are whoever ``request.user`` is: their session, or their personal token (set by
``communities.people.middleware.PersonalTokenMiddleware``). Every endpoint fetches through the
same permission-checked fetchers as the pages (private communities are 404 to non-members,
restricted content 403); refusals become JSON through the API's one handler
(``communities.refusals.api_refusal``). Writes go through the same ``check_*``/``do_*`` services
as the forms.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from communities.discussions.queries import thread_listing
from communities.discussions.services import threads as service
from communities.models import CommunityPage, Post, ThreadPage
from communities.paging import BoundedLimitOffsetPagination
from communities.people.api import MEMBER_AUTH, SLUG, ErrorOut
from communities.people.queries import profile_name
from communities.permissions import (
    access_community,
    access_thread,
    listable_communities,
    visible_replies,
)
from hub.floor.links import absolute

communities_router = Router(tags=["communities"])


class CommunityOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    visibility: str
    url: str


class ThreadOut(Schema):
    id: int
    title: str
    community: str
    author: str | None
    created_at: datetime | None
    last_activity_at: datetime
    reply_count: int
    is_answered: bool
    accepted_post_id: int | None
    is_locked: bool
    is_pinned: bool
    url: str


class ThreadDetailOut(ThreadOut):
    body: str
    body_html: str


class PostOut(Schema):
    id: int
    thread_id: int
    author: str | None
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None


class ThreadIn(Schema):
    title: str
    body: str
    tags: list[str] = []
    idempotency_key: uuid.UUID | None = None


class PostIn(Schema):
    body: str
    idempotency_key: uuid.UUID | None = None


def _community_out(request: HttpRequest, c: CommunityPage) -> dict:
    return {
        "id": c.pk,
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "visibility": c.visibility,
        "url": absolute(request, c.get_url(request)),
    }


def _thread_out(request: HttpRequest, t: ThreadPage, detail: bool = False) -> dict:
    data = {
        "id": t.pk,
        "title": t.title,
        "community": t.community.slug if t.community else "",
        "author": profile_name(t.author),
        "created_at": t.first_published_at,
        "last_activity_at": t.last_activity_at,
        "reply_count": t.reply_count,
        "is_answered": t.is_answered,
        "accepted_post_id": t.accepted_post_id,
        "is_locked": t.is_locked,
        "is_pinned": t.is_pinned,
        "url": absolute(request, t.get_url(request)),
    }
    if detail:
        data.update(body=t.body, body_html=t.body_html)
    return data


def _post_out(p: Post) -> dict:
    return {
        "id": p.pk,
        "thread_id": p.thread_id,
        "author": profile_name(p.author),
        "body": p.body,
        "body_html": p.body_html,
        "created_at": p.created_at,
        "edited_at": p.edited_at,
    }


@communities_router.get("/", response=list[CommunityOut], summary="Communities you may see")
@paginate(BoundedLimitOffsetPagination)
def list_communities(request):
    return [
        _community_out(request, c) for c in listable_communities(request.user).order_by("title")
    ]


@communities_router.get(
    "/{slug}", response={200: CommunityOut, 404: ErrorOut}, summary="One community"
)
def get_community(request, slug: str = SLUG):
    return _community_out(request, access_community(request.user, slug))


@communities_router.get(
    "/{slug}/threads",
    response={200: list[ThreadOut], 403: ErrorOut, 404: ErrorOut},
    summary="Threads in a community, latest activity first",
)
@paginate(BoundedLimitOffsetPagination)
def list_threads(
    request,
    slug: str = SLUG,
    answered: bool | None = Query(
        None, description="true: only answered threads; false: only unanswered ones."
    ),
    tag: str | None = Query(None, description="Only threads with this tag (its name, any case)."),
):
    community = access_community(request.user, slug, "read")
    threads = thread_listing(community, answered=answered, tag=tag or "").select_related(
        "community", "author__profile"
    )
    return [_thread_out(request, t) for t in threads]


@communities_router.post(
    "/{slug}/threads",
    auth=MEMBER_AUTH,
    response={201: ThreadDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Start a thread",
)
def start_thread(request, payload: ThreadIn, slug: str = SLUG):
    community = access_community(request.user, slug)
    title, body = service.check_start_thread(
        request.user,
        community,
        title=payload.title,
        body=payload.body,
        idempotency_key=payload.idempotency_key,
    )
    thread = service.do_start_thread(
        community=community,
        author=request.user,
        title=title,
        body=body,
        tags=payload.tags,
        idempotency_key=payload.idempotency_key,
    )
    return Status(201, _thread_out(request, thread, detail=True))


threads_router = Router(tags=["threads"])

THREAD_ID = Path(..., description="The thread's id, as in its address (/threads/<id>/).")


@threads_router.get(
    "/{id:thread_id}",
    response={200: ThreadDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One thread",
)
def get_thread(request, thread_id: int = THREAD_ID):
    thread = access_thread(request.user, thread_id)
    return _thread_out(request, thread, detail=True)


@threads_router.get(
    "/{id:thread_id}/posts",
    response={200: list[PostOut], 403: ErrorOut, 404: ErrorOut},
    summary="Replies in a thread, oldest first",
)
@paginate(BoundedLimitOffsetPagination)
def list_posts(request, thread_id: int = THREAD_ID):
    thread = access_thread(request.user, thread_id)
    posts = visible_replies(thread.posts.all()).select_related("author__profile")
    return [_post_out(p) for p in posts.order_by("created_at", "pk")]


@threads_router.post(
    "/{id:thread_id}/posts",
    auth=MEMBER_AUTH,
    response={201: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Reply in a thread",
)
def reply(request, payload: PostIn, thread_id: int = THREAD_ID):
    thread = access_thread(request.user, thread_id, "see")  # check_reply says why one may not post
    body = service.check_reply(
        request.user, thread, body=payload.body, idempotency_key=payload.idempotency_key
    )
    post = service.do_reply(
        thread=thread, author=request.user, body=body, idempotency_key=payload.idempotency_key
    )
    return Status(201, _post_out(post))


# Mounted by ``communities.api``: /api/communities/… and /api/threads/…
router = Router()
router.add_router("/communities", communities_router)
router.add_router("/threads", threads_router)
