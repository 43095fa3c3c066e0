"""The communities part of the JSON API: communities, threads, posts and memberships.

Callers are whoever ``request.user`` is: their session, or their personal token (set by
``communities.middleware.PersonalTokenMiddleware``). Every endpoint asks the same permission
functions as the pages: private communities are 404 to non-members, restricted content 403.
Writes go through the same ``check_*``/``do_*`` services as the forms.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import SessionAuth

from communities.models import CommunityPage, Membership, Post, ThreadPage
from communities.permissions import can_read_community, can_see_community
from communities.services import threads as service
from communities.services.threads import DiscussionError

communities_router = Router(tags=["communities"])


class MemberAuth(SessionAuth):
    """Signed-in callers: a personal token (no CSRF needed) or a session (CSRF checked on writes)."""

    def __call__(self, request):
        if getattr(request, "authenticated_by_token", False):
            return request.user
        return super().__call__(request)


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


class MembershipOut(Schema):
    community: str
    member: str
    role: str
    status: str


class ThreadIn(Schema):
    title: str
    body: str
    tags: list[str] = []
    idempotency_key: uuid.UUID | None = None


class PostIn(Schema):
    body: str
    idempotency_key: uuid.UUID | None = None


class ErrorOut(Schema):
    detail: str


def _name(user) -> str | None:
    if user is None:
        return None
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else None


def _community_out(c: CommunityPage) -> dict:
    return {"id": c.pk, "slug": c.slug, "title": c.title, "description": c.description,
            "visibility": c.visibility, "url": c.url}


def _thread_out(t: ThreadPage, detail: bool = False) -> dict:
    data = {
        "id": t.pk, "title": t.title, "community": t.community.slug if t.community else "",
        "author": _name(t.author), "created_at": t.first_published_at, "last_activity_at": t.last_activity_at,
        "reply_count": t.reply_count, "is_answered": t.is_answered, "accepted_post_id": t.accepted_post_id,
        "is_locked": t.is_locked, "is_pinned": t.is_pinned, "url": t.url,
    }
    if detail:
        data.update(body=t.body, body_html=t.body_html)
    return data


def _post_out(p: Post) -> dict:
    return {"id": p.pk, "thread_id": p.thread_id, "author": _name(p.author), "body": p.body,
            "body_html": p.body_html, "created_at": p.created_at, "edited_at": p.edited_at}


def _visible_community(request, slug: str) -> CommunityPage:
    community = CommunityPage.objects.live().filter(slug=slug).first()
    if community is None or not can_see_community(request.user, community):
        raise Http404
    return community


def _readable_community(request, slug: str) -> CommunityPage:
    community = _visible_community(request, slug)
    if not can_read_community(request.user, community):
        raise HttpError(403, "This community's content is for its members.")
    return community


def _readable_thread(request, thread_id: int) -> ThreadPage:
    thread = ThreadPage.objects.live().select_related("community", "author__profile").filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    _readable_community(request, thread.community.slug)
    return thread


def _refuse(error: DiscussionError):
    if error.status == 404:
        raise Http404
    raise HttpError(error.status, error.message)


@communities_router.get("/", response=list[CommunityOut], summary="Communities you may see")
@paginate(LimitOffsetPagination)
def list_communities(request):
    return [_community_out(c) for c in CommunityPage.objects.live().listable_for(request.user).order_by("title")]


@communities_router.get("/{slug}", response={200: CommunityOut, 404: ErrorOut}, summary="One community")
def get_community(request, slug: str):
    return _community_out(_visible_community(request, slug))


@communities_router.get("/{slug}/threads", response={200: list[ThreadOut], 403: ErrorOut, 404: ErrorOut},
            summary="Threads in a community, latest activity first")
@paginate(LimitOffsetPagination)
def list_threads(request, slug: str, answered: bool | None = None, tag: str | None = None):
    community = _readable_community(request, slug)
    threads = ThreadPage.objects.live().child_of(community).select_related("community", "author__profile")
    if answered is not None:
        threads = threads.filter(accepted_post__isnull=not answered)
    if tag:
        threads = threads.filter(tags__name__iexact=tag)
    return [_thread_out(t) for t in threads.order_by("-is_pinned", "-last_activity_at", "-pk")]


@communities_router.post("/{slug}/threads", auth=MemberAuth(), response={201: ThreadDetailOut, 400: ErrorOut, 403: ErrorOut,
                                                             404: ErrorOut, 429: ErrorOut}, summary="Start a thread")
def start_thread(request, slug: str, payload: ThreadIn):
    community = _visible_community(request, slug)
    try:
        title, body = service.check_start_thread(request.user, community, title=payload.title, body=payload.body,
                                                 idempotency_key=payload.idempotency_key)
    except DiscussionError as error:
        _refuse(error)
    thread = service.do_start_thread(community=community, author=request.user, title=title, body=body,
                                     tags=payload.tags[:10], idempotency_key=payload.idempotency_key)
    return Status(201, _thread_out(thread, detail=True))


@communities_router.get("/{slug}/memberships", response={200: list[MembershipOut], 403: ErrorOut, 404: ErrorOut},
            summary="Active members of a community")
@paginate(LimitOffsetPagination)
def list_memberships(request, slug: str):
    community = _readable_community(request, slug)
    memberships = community.memberships.filter(status=Membership.Status.ACTIVE).select_related("user__profile")
    return [{"community": slug, "member": _name(m.user) or "", "role": m.role, "status": m.status}
            for m in memberships.order_by("user__profile__display_name")]


threads_router = Router(tags=["threads"])


@threads_router.get("/{int:thread_id}", response={200: ThreadDetailOut, 403: ErrorOut, 404: ErrorOut},
                    summary="One thread")
def get_thread(request, thread_id: int):
    return _thread_out(_readable_thread(request, thread_id), detail=True)


@threads_router.get("/{int:thread_id}/posts", response={200: list[PostOut], 403: ErrorOut, 404: ErrorOut},
                    summary="Replies in a thread, oldest first")
@paginate(LimitOffsetPagination)
def list_posts(request, thread_id: int):
    thread = _readable_thread(request, thread_id)
    posts = thread.posts.filter(is_deleted=False, is_hidden=False).select_related("author__profile")
    return [_post_out(p) for p in posts.order_by("created_at", "pk")]


@threads_router.post("/{int:thread_id}/posts", auth=MemberAuth(),
                     response={201: PostOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
                     summary="Reply in a thread")
def reply(request, thread_id: int, payload: PostIn):
    thread = ThreadPage.objects.live().select_related("community").filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    try:
        body = service.check_reply(request.user, thread, body=payload.body, idempotency_key=payload.idempotency_key)
    except DiscussionError as error:
        _refuse(error)
    post = service.do_reply(thread=thread, author=request.user, body=body, idempotency_key=payload.idempotency_key)
    return Status(201, _post_out(post))


me_router = Router(tags=["me"])


@me_router.get("/memberships", auth=MemberAuth(), response=list[MembershipOut], summary="Your memberships")
def my_memberships(request):
    memberships = Membership.objects.filter(user=request.user).select_related("community", "user__profile")
    return [{"community": m.community.slug, "member": _name(m.user) or "", "role": m.role, "status": m.status}
            for m in memberships if can_see_community(request.user, m.community)]


# One router for the hub's API to mount: /api/communities/…, /api/threads/…, /api/me/…
router = Router()
router.add_router("/communities", communities_router)
router.add_router("/threads", threads_router)
router.add_router("/me", me_router)
