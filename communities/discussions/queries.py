"""Reading discussions: a thread page, a community's thread list, where a reply is, quoting.

Read functions only: no writes. The community and thread page models call these (the one
sanctioned call from a page model upwards); who may read what is ``communities.permissions``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page as ListPage
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag
from wagtail.models import Page

from communities.models.communities import CommunityPage, Visibility
from communities.models.good_practice import GoodPracticePage
from communities.models.membership_workflow import JoinRequest
from communities.models.moderation import Flag
from communities.models.notifications import Notification, Watch, WatchLevel, subject_from
from communities.models.related import RelatedContent
from communities.models.threads import Attachment, HelpfulVote, Post, ThreadPage
from communities.people.queries import profile_name, with_mention_links
from communities.permissions import (
    active_community_ids,
    can_accept_answer,
    can_facilitate,
    can_read_community,
    check_community_access,
    class_viewer,
    community_of,
    facilitated_community_filter,
    is_site_staff,
    listable_communities,
    may_read_community,
    mention_class,
    post_editor,
    post_history_viewer,
    posting_refusal,
    queue_roles,
    read_reader_state,
    readable_notifications,
    reader_class,
    vote_checker,
)
from hub.floor.actor import Actor
from hub.floor.bad_input import BadInput
from hub.floor.fragments import fragment, in_kept_order, kept_value, kept_values
from hub.floor.numbers import page_number
from hub.floor.pagecache import request_generation
from linkeddata import charts
from linkeddata.models import Area, Dataset, Observation, Period
from linkeddata.services.benchmarks import period_values, rank, third_of

STATUSES = [("", "All"), ("unanswered", "Unanswered"), ("answered", "Answered")]


def check_reader(user: Actor, community: CommunityPage, page: ThreadPage | None = None) -> None:
    """Raise the refusal for a page of ``community`` that ``user`` may not read (what a page's
    ``serve()`` asks before rendering). For a thread, the reader's membership and email confirmed
    are read together first (``read_reader_state``): the page asks both."""
    if page is not None:
        read_reader_state(user, community)
    check_community_access(user, community, "read" if page is not None else "see", page=page)


def first_listable_community_ids(user: Actor, limit: int) -> list[int]:
    """The ids of the first ``limit`` communities by title whose existence ``user`` may know of
    (``listable_communities``). Open and restricted ones are listed for everyone, so their first
    ``limit`` are kept per content generation; a signed-in reader's list is those and the private
    ones they may list, ordered by the database in one small query."""
    if is_site_staff(user):
        return list(
            listable_communities(user).order_by("title").values_list("pk", flat=True)[:limit]
        )
    everyone = kept_value(
        "first-communities",
        ["public", limit],
        lambda: list(
            listable_communities(AnonymousUser())
            .order_by("title")
            .values_list("pk", flat=True)[:limit]
        ),
    )
    if not user.is_authenticated:
        return everyone
    return list(
        listable_communities(user)
        .filter(Q(pk__in=everyone) | Q(visibility=Visibility.PRIVATE))
        .order_by("title")
        .values_list("pk", flat=True)[:limit]
    )


def community_directory(user: Actor, index: Any = None) -> QuerySet[CommunityPage]:
    """The communities the community index lists for ``user``, by title."""
    communities = listable_communities(user)
    if index is not None:
        # a Wagtail PageQuerySet, untyped: the annotation says QuerySet, which has no child_of
        communities = communities.child_of(index)  # type: ignore[attr-defined]
    return communities.order_by("title")


def community_directory_size(user: Actor, index: Any) -> int:
    """How many communities ``community_directory`` lists for ``user``. Open and restricted ones are
    listed for everyone, so their number is kept per content generation (as is staff's, who list
    every one); a signed-in reader's private communities are added from their own memberships in one
    small query, instead of counting every community on every view."""
    if is_site_staff(user):
        return kept_value(
            "community-count", ["staff", index.pk], lambda: community_directory(user, index).count()
        )
    everyone = kept_value(
        "community-count",
        ["public", index.pk],
        lambda: community_directory(AnonymousUser(), index).count(),
    )
    own = active_community_ids(user)
    if not own:
        return everyone
    private = community_directory(user, index).filter(pk__in=own, visibility=Visibility.PRIVATE)
    return everyone + private.count()


VISIBILITY_FILTERS = [
    ("", "All"),
    (Visibility.OPEN, "Open"),
    (Visibility.RESTRICTED, "Restricted"),
    (Visibility.PRIVATE, "Private"),
]
MAX_DIRECTORY_QUERY = 200


def community_directory_page(request: HttpRequest, index: Any) -> dict[str, Any]:
    """The communities list: those ``request.user`` may know of, by title, filtered by visibility,
    topic and a search of titles and descriptions, a page (``COMMUNITIES_PER_PAGE``) at a time.

    Two queries whatever the number of communities: the count and the page; each card's URL is
    built from the index's, as every community is its child."""
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_DIRECTORY_QUERY:
        raise BadInput(f"Search for at most {MAX_DIRECTORY_QUERY} characters.")
    visibility = request.GET.get("visibility", "")
    if visibility not in Visibility.values:
        visibility = ""
    topic = request.GET.get("topic", "").strip()[:100]
    communities = community_directory(request.user, index)
    if visibility:
        communities = communities.filter(visibility=visibility)
    if topic:
        communities = communities.filter(tags__name__iexact=topic)
    if query:
        communities = communities.filter(
            Q(title__icontains=query) | Q(description__icontains=query)
        )
    communities = communities.only("title", "slug", "description", "visibility", "url_path")
    paginator = Paginator(communities, settings.COMMUNITIES_PER_PAGE)
    if not (visibility or topic or query):
        paginator.count = community_directory_size(request.user, index)  # not counted again
    page = paginator.get_page(page_number(request.GET.get("page")))
    base_url = index.get_url(request)
    for community in page:
        community.list_url = f"{base_url}{community.slug}/"
    params = {"q": query, "visibility": visibility, "topic": topic}
    return {
        "communities": page,
        "query": query,
        "visibility": visibility,
        "topic": topic,
        "visibility_filters": VISIBILITY_FILTERS,
        "filter_query": urlencode({k: v for k, v in params.items() if v}),
        "filtered": any(params.values()),
    }


def _related_candidates(page_id: int) -> list[tuple[int, int | None, str, str, str]] | None:
    """The live pages stored as related to ``page_id``, most alike first, as ``(id, community id
    or None for a case study, the community's visibility, title, URL)``: the same for everyone;
    None when nothing is stored yet."""
    stored = (
        RelatedContent.objects.filter(page_id=page_id).values_list("page_ids", flat=True).first()
    )
    if stored is None:
        return None
    if not stored:
        return []
    threads = {
        pk: (community_id, visibility)
        for pk, community_id, visibility in ThreadPage.objects.live()
        .filter(pk__in=stored)
        .values_list("pk", "community_id", "community__visibility")
    }
    cases = set(GoodPracticePage.objects.live().filter(pk__in=stored).values_list("pk", flat=True))
    found = {
        p.pk: p
        for p in Page.objects.filter(pk__in=threads.keys() | cases).only(
            "title", "url_path", "content_type_id"
        )
    }
    return [
        (pk, *threads.get(pk, (None, "")), found[pk].title, found[pk].get_url())
        for pk in stored
        if pk in found
    ]


def related_pages(request: HttpRequest, page: Page, limit: int = 5) -> list[dict[str, str]] | None:
    """The related content stored for ``page`` that ``request.user`` may see, most alike first;
    None when nothing is stored for the page yet. What is stored, with each page's community, is
    kept per content generation (``kept_value``) and filtered on the reader's own communities
    (``may_read_community``): no query when the reader's communities are known."""
    candidates = kept_value("related-pages", [page.pk], lambda: _related_candidates(page.pk))
    if candidates is None:
        return None
    related: list[dict[str, str]] = []
    for _pk, community_id, visibility, title, url in candidates:
        if community_id is not None and not may_read_community(
            request.user, community_id, visibility
        ):
            continue
        label = "Discussion" if community_id is not None else "Good practice"
        related.append({"url": url, "title": title, "type_label": label})
        if len(related) == limit:
            break
    return related


def thread_listing(
    community: CommunityPage, *, answered: bool | None = None, tag: str = ""
) -> QuerySet[ThreadPage]:
    """A community's live threads as every list shows them: pinned first, then latest activity."""
    threads = ThreadPage.objects.live().child_of(community)
    if answered is not None:
        threads = threads.filter(accepted_post__isnull=not answered)
    if tag:
        threads = threads.filter(tags__name__iexact=tag)
    return threads.order_by("-is_pinned", "-last_activity_at", "-pk")


def community_thread_tags(community: CommunityPage) -> list[str]:
    """The tags used on a community's live threads, by name: what its tag filter offers."""
    return list(
        Tag.objects.filter(
            communities_threadtag_items__content_object__in=ThreadPage.objects.live().child_of(
                community
            )
        )
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def watch_level(
    user: Actor, *, thread: ThreadPage | None = None, community: CommunityPage | None = None
) -> str:
    """How closely ``user`` follows a thread (or, failing a choice for it, its community)."""
    if not user.is_authenticated:
        return WatchLevel.NORMAL
    if thread is not None:  # the thread's own choice, else its community's, in one query
        own, of_community = "", ""
        for thread_id, chosen in (
            Watch.objects.filter(user=user)
            .filter(Q(thread=thread) | Q(community_id=thread.community_id))
            .values_list("thread_id", "level")
        ):
            if thread_id is None:
                of_community = chosen
            else:
                own = chosen
        return own or of_community or WatchLevel.NORMAL
    level = (
        Watch.objects.filter(user=user, community=community).values_list("level", flat=True).first()
    )
    return level or WatchLevel.NORMAL


def quote_text(post: Post) -> str:
    """Markdown that quotes ``post`` in a reply."""
    name = profile_name(post.author) or "A member"
    quoted = "\n".join(f"> {line}" for line in post.body.splitlines())
    return f"{name} wrote:\n\n{quoted}\n\n"


def post_url(post: Post, position: int | None = None) -> str:
    """The thread page (the right page of replies) at the post; ``position``: how many replies
    came before it, when the caller counted them for many posts at once."""
    if position is None:
        position = Post.objects.filter(
            thread_id=post.thread_id, created_at__lt=post.created_at
        ).count()
    page = position // settings.THREAD_POSTS_PER_PAGE + 1
    suffix = f"?page={page}" if page > 1 else ""
    return f"{post.thread.url}{suffix}#post-{post.pk}"


NOTIFICATIONS_PER_PAGE = 30
# what the list shows of each notification (its subject's title is read apart: ``notification_page``)
NOTIFICATION_LIST_FIELDS = (
    "pk",
    "kind",
    "actor_id",
    "read_at",
    "created_at",
    "headline",
    "message",
    "thread_id",
    "good_practice_id",
    "community_id",
    "actor__profile__display_name",
)


@dataclass(frozen=True)
class ListedNotification:
    """A notification as the notifications page lists it."""

    pk: int
    kind: str  # in words ("New reply")
    in_thread: bool  # about a thread, not a case study: "… in “title”" rather than "…: “title”"
    subject: str  # as ``Notification.subject``
    message: str
    by: str | None  # who caused it (None: nobody; "": a member without a profile)
    created_at: datetime
    read_at: datetime | None
    url: str  # opens it (and marks it read)


def notification_page(user: Actor, number: int) -> tuple[ListPage, int]:
    """Page ``number`` of ``user``'s notifications (newest first, as ``ListedNotification``) and
    how many of all of them are unread, which the header shows too.

    One query gives the page's rows and both counts (counted over all of them beside the rows, as
    window aggregates), so the permission rule is built into SQL once; a page past the last, or an
    empty list, is counted apart and the last page read instead. The header's own count is then not
    made. The rows are read as values (no model objects: building them took longer than the query),
    and the titles of their threads, case studies and communities together from the page table, as
    text: joined in, four page tables made a query PostgreSQL took longer to plan than to run."""
    readable = readable_notifications(user)
    rows = readable.values(*NOTIFICATION_LIST_FIELDS)
    first = (number - 1) * NOTIFICATIONS_PER_PAGE
    found: list[dict[str, Any]] = list(
        rows.annotate(
            listed_total=Window(Count("pk")),
            listed_unread=Window(Count("pk", filter=Q(read_at__isnull=True))),
        )[first : first + NOTIFICATIONS_PER_PAGE]
    )
    paginator = Paginator(rows, NOTIFICATIONS_PER_PAGE)
    if found:
        paginator.count = found[0]["listed_total"]  # known: no count again
        unread = found[0]["listed_unread"]
        page = ListPage(found, number, paginator)
    else:  # none, or past the last page: count, and show the last page
        counts = readable.aggregate(
            total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
        )
        paginator.count = counts["total"]
        unread = counts["unread"]
        page = paginator.get_page(number)
        found = list(page.object_list)
    subjects = ("thread_id", "good_practice_id", "community_id")
    ids = {row[name] for row in found for name in subjects if row[name]}
    titles = dict(Page.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}
    kinds = dict(Notification.Kind.choices)
    opening = _url_pattern("open-notification")
    listed = [
        ListedNotification(
            pk=row["pk"],
            kind=str(kinds.get(row["kind"], row["kind"])),
            in_thread=bool(row["thread_id"] and not row["good_practice_id"]),
            subject=subject_from(row["headline"], (titles.get(row[name]) for name in subjects)),
            message=row["message"],
            by=None if row["actor_id"] is None else row["actor__profile__display_name"] or "",
            created_at=row["created_at"],
            read_at=row["read_at"],
            url=opening.format(row["pk"]),
        )
        for row in found
    ]
    return ListPage(listed, page.number, paginator), unread


def notification_url(notification: Notification, positions: Mapping[int, int] | None = None) -> str:
    """Where a notification leads: the reply or thread; for the workflows, the live case study,
    its edit form (changes requested), its review page, or the community's requests or flags.
    ``positions``: replies before each post, counted at once for many (``post_url``)."""
    kinds = Notification.Kind
    page = notification.good_practice
    if page is not None and notification.kind == kinds.PUBLISHED:
        return str(page.url or reverse("good-practice-draft", args=[page.pk]))
    if page is not None and notification.kind == kinds.CHANGES:
        return reverse("good-practice-edit", args=[page.pk])
    if page is not None and notification.kind == kinds.REVIEW:
        return reverse("good-practice-draft", args=[page.pk])
    community = notification.community
    if community is not None and notification.kind == kinds.JOIN_REQUEST:
        return reverse("community-requests", args=[community.slug])
    if community is not None and notification.kind == kinds.FLAG:
        return reverse("moderation-queue", args=[community.slug])
    if notification.post is not None:
        return post_url(notification.post, (positions or {}).get(notification.post.pk))
    if notification.thread is not None:
        return str(notification.thread.url)
    if notification.link:
        return notification.link
    return reverse("notifications")


def attachment_limits() -> dict[str, Any]:
    return {
        "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "attachment_types": ", ".join(settings.WAGTAILDOCS_EXTENSIONS),
    }


# A kept page of post bodies is one string: pieces ``"<post pk or 'opening'>:<html>"`` joined by NUL,
# which no post can contain (PostgreSQL text cannot hold it).
PIECE_SEPARATOR = "\x00"
OPENING = "opening"
TAGS = "tags"


def _render_post_bodies(
    thread: ThreadPage, post_ids: list[int], viewer: Actor, facilitator: bool
) -> str:
    """The shared bodies of the opening post and of ``post_ids`` (author, time, text, attachments)
    and the thread's tags, as every reader of ``viewer``'s class sees them: the pieces of ``thread_page``'s kept part."""
    posts: list[Any] = list(  # given what the template shows (show_body, attachment_list…)
        Post.objects.filter(pk__in=post_ids)
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )
    attachments: dict[int | None, list[Attachment]] = {}
    for item in Attachment.objects.filter(
        Q(post__isnull=True) | Q(post__in=post_ids), thread=thread
    ).select_related("document"):
        attachments.setdefault(item.post_id, []).append(item)
    for post in posts:
        post.show_body = not post.is_deleted and (not post.is_hidden or facilitator)
        post.attachment_list = attachments.get(post.pk, [])
    shown = [post for post in posts if post.show_body]
    opening_html, *bodies = with_mention_links(
        [thread.body_html, *(post.body_html for post in shown)], viewer
    )
    for post, body in zip(shown, bodies, strict=True):
        post.body_with_links = body
    author = get_user_model().objects.select_related("profile").filter(pk=thread.author_id).first()
    pieces = [
        OPENING
        + ":"
        + render_to_string(
            "communities/includes/opening_post_body.html",
            {
                "page": thread,
                "thread_author": author,
                "opening_post_html": opening_html,
                "thread_attachments": attachments.get(None, []),
            },
        )
    ]
    tags = render_to_string(
        "communities/includes/thread_tags.html", {"page": thread, "community": thread.community}
    )
    pieces.append(f"{TAGS}:{tags}")
    for post in posts:
        html = render_to_string("communities/includes/post_body.html", {"post": post})
        pieces.append(f"{post.pk}:{html}")
    return PIECE_SEPARATOR.join(pieces)


def _post_bodies(
    thread: ThreadPage,
    post_ids: list[int],
    user: Actor,
    community: CommunityPage,
    facilitator: bool,
    number: int,
) -> dict[str, SafeString]:
    """The shared bodies of a page of replies, kept per reader class (``hub.floor.fragments``):
    ``{"opening": html, "<post pk>": html, …}``. Facilitators see hidden replies' text, so they are a
    class of their own; mentions link to profiles as the reader's ``mention_class`` sees them."""
    parts = (
        thread.pk,
        number,
        reader_class(user, community),
        facilitator,
        mention_class(user),
        tuple(post_ids),
    )
    viewer = class_viewer(user)
    kept = fragment(
        "thread-posts", parts, lambda: _render_post_bodies(thread, post_ids, viewer, facilitator)
    )
    bodies = {}
    for piece in kept.split(PIECE_SEPARATOR):
        key, _, html = piece.partition(":")
        bodies[key] = mark_safe(html)  # noqa: S308 - pieces of the kept, rendered template
    return bodies


# Each reply's controls link to these, by the reply's id: one URL lookup a page, not five a reply.
POST_URLS = {
    "history": "post-history",
    "helpful": "helpful",
    "edit": "edit-post",
    "delete": "delete-post",
    "flag": "flag-post",
}
_PLACEHOLDER = 987654321


def _url_pattern(name: str) -> str:
    """The address of the view ``name`` (taking one id) with ``{}`` where the id goes: one
    ``reverse`` for a page's rows, not one a row."""
    path = reverse(name, args=[_PLACEHOLDER])
    return path.replace("{", "{{").replace("}", "}}").replace(str(_PLACEHOLDER), "{}")


def _own_state(user: Actor, **state: Any) -> dict[str, Any]:
    """``state`` (expressions on the signed-in reader's own row) read in one query; nothing for a
    visitor."""
    if not user.is_authenticated:
        return {}
    row = get_user_model().objects.filter(pk=user.pk).annotate(**state).values(*state).first()
    return row or {}


def thread_page(request: HttpRequest, thread: ThreadPage) -> dict[str, Any]:
    """What the thread page shows; a fixed number of queries whatever the number of replies.

    Each post is its shared body (the same for every reader of a class: kept, ``_post_bodies``) and
    the reader's own controls (votes, edit, quote, accept, flag: rendered on every view from one
    light query of the page's replies)."""
    user = request.user
    community = community_of(thread)
    request_generation()  # before any content: kept bodies never show a state older than the page
    posts = thread.posts.only(
        "pk",
        "thread_id",
        "author_id",
        "created_at",
        "is_deleted",
        "is_hidden",
        "edited_at",
        "helpful_count",
    ).order_by("created_at", "pk")
    # The reader's own state comes with the page's replies, in the same query: their vote on each
    # and their watch level (their membership and email were read together before the page was
    # served: ``check_reader``).
    watches = {
        "thread_watch": Subquery(
            Watch.objects.filter(user_id=user.pk or 0, thread=thread).values("level")[:1]
        ),
        "community_watch": Subquery(
            Watch.objects.filter(user_id=user.pk or 0, community_id=community.pk).values("level")[
                :1
            ]
        ),
    }
    if user.is_authenticated:
        posts = posts.annotate(
            voted=Exists(HelpfulVote.objects.filter(user_id=user.pk, post=OuterRef("pk"))),
            **watches,
        )
    paginator = Paginator(posts, settings.THREAD_POSTS_PER_PAGE)
    paginator.count = thread.reply_count  # kept in step by do_reply; saves counting on every view
    page = paginator.get_page(page_number(request.GET.get("page")))
    post_ids = [post.pk for post in page]
    state: dict[str, Any] = {}
    if user.is_authenticated:
        first = page.object_list[0] if post_ids else None
        state = (
            {name: getattr(first, name) for name in watches}
            if first is not None
            else _own_state(user, **watches)  # no replies on the page to carry it
        )
    voted = {post.pk for post in page if getattr(post, "voted", False)}
    may_edit = post_editor(user, community)
    may_vote = vote_checker(user, community)
    facilitator = can_facilitate(user, community)
    may_see_history = post_history_viewer(user, community, facilitator=facilitator)
    bodies = _post_bodies(thread, post_ids, user, community, facilitator, page.number)
    urls = {key: _url_pattern(name) for key, name in POST_URLS.items()}
    for post in page:
        post.urls = {key: pattern.format(post.pk) for key, pattern in urls.items()}
        post.can_edit = may_edit(post.author_id) and not post.is_deleted
        post.can_see_history = may_see_history(post.author_id)
        post.can_vote = may_vote(post)
        post.voted = post.pk in voted
        post.show_body = not post.is_deleted and (not post.is_hidden or facilitator)
        post.kept_body = bodies.get(str(post.pk), "")
    quote = ""
    quote_id = request.GET.get("quote", "")
    if quote_id.isdecimal():
        quoted = (
            thread.posts.filter(pk=quote_id, is_deleted=False, is_hidden=False)
            .select_related("author__profile")
            .first()
        )
        if quoted:
            quote = quote_text(quoted)
    refusal = posting_refusal(user, community, thread)
    return {
        "community": community,
        "posts": page,
        "opening_post_body": bodies.get(OPENING, ""),
        "thread_tags": bodies.get(TAGS, ""),
        "can_reply": refusal is None,
        "reply_refusal": refusal.message if refusal else "",
        "can_accept": can_accept_answer(user, thread),
        "accept_url": reverse("accept-answer", args=[thread.pk]),
        "can_edit_thread": may_edit(thread.author_id),
        "is_facilitator": facilitator,
        "watch_level": (
            (state.get("thread_watch") or state.get("community_watch") or WatchLevel.NORMAL)
            if user.is_authenticated
            else None
        ),
        "watch_levels": WatchLevel.choices,
        "quote": quote,
        "idempotency_key": uuid.uuid4(),
        "figure": thread_figure(thread),
        **attachment_limits(),
    }


# -- Discussions anchored to a figure ----------------------------------------------------------


@dataclass
class Figure:
    """One observation as a discussion shows it: the value, its trend over the periods (with a
    chart and the same figures as rows), and its rank among councils in words."""

    area: Area
    dataset: Dataset
    period: Period
    value: Decimal | None  # None: the figure is no longer published
    rank: int | None
    ranked: int
    series: list[tuple[str, Decimal]]
    chart: SafeString | None

    @property
    def judgement(self) -> str:
        return third_of(self.rank, self.ranked) if self.rank else ""


def figure_of(area: Area, dataset: Dataset, period: Period) -> Figure:
    """The figure of ``area`` for ``dataset`` in ``period``, with its series and rank (four queries)."""
    measure = dataset.measure
    rows = list(
        Observation.objects.filter(dataset=dataset, area=area)
        .order_by("period__start_date")
        .values_list("period__code", "value")
    )
    value = next((v for code, v in rows if code == period.code), None)
    position, ranked = None, 0
    if value is not None:
        values = period_values(dataset, period)
        ranked = len(values)
        position = rank(values, measure.higher_is_better).get(area.pk)
    chart = None
    if len(rows) > 1:
        chart = charts.line_chart(
            f"{measure.label}: {area.short_name}",
            f"Line chart of {measure.label.lower()} in {measure.unit} ({measure.polarity_text}) for "
            f"{area.short_name} from {rows[0][0]} to {rows[-1][0]}. The table below gives every figure.",
            [code for code, _ in rows],
            [(area.short_name, [v for _, v in rows])],
            measure.unit,
        )
    return Figure(area, dataset, period, value, position, ranked, rows, chart)


def thread_figure(thread: ThreadPage) -> Figure | None:
    """The figure ``thread`` asks about, or None when it is not anchored to one."""
    if thread.figure_area_id is None:
        return None
    area = Area.objects.get(pk=thread.figure_area_id)
    dataset = Dataset.objects.select_related("measure").get(pk=thread.figure_dataset_id)
    period = Period.objects.get(pk=thread.figure_period_id)
    return figure_of(area, dataset, period)


def _figure_threads(area_id: int | None, dataset_id: int | None) -> list[tuple[int, int, str]]:
    """Every live thread anchored to a figure of the area (or of the dataset), most recent activity
    first, as ``(thread id, community id, the community's visibility)``: the same for everyone."""
    threads = ThreadPage.objects.live().filter(figure_area__isnull=False)
    if area_id is not None:
        threads = threads.filter(figure_area_id=area_id)
    if dataset_id is not None:
        threads = threads.filter(figure_dataset_id=dataset_id)
    return list(
        threads.order_by("-last_activity_at", "-pk").values_list(
            "pk", "community_id", "community__visibility"
        )
    )


def figure_discussion_ids(
    user: Actor, *, area: Area | None = None, dataset: Dataset | None = None
) -> tuple[list[int], int]:
    """The ids of the threads anchored to a figure of ``area`` (or of ``dataset``) that ``user``
    may read, most recent activity first (``FIGURE_DISCUSSIONS_PER_PANEL`` of them), and how many
    there are. The list of every such thread is kept per content generation (``kept_value``) and
    filtered on the reader's own communities (``may_read_community``): one small query a request."""
    area_id = area.pk if area is not None else None
    dataset_id = dataset.pk if dataset is not None else None
    every = kept_value(
        "figure-threads", [area_id, dataset_id], lambda: _figure_threads(area_id, dataset_id)
    )
    readable = [
        pk for pk, community_id, vis in every if may_read_community(user, community_id, vis)
    ]
    return readable[: settings.FIGURE_DISCUSSIONS_PER_PANEL], len(readable)


def figure_threads_by_id(
    ids: list[int], *, area: Area | None = None, dataset: Dataset | None = None
) -> list[ThreadPage]:
    """The threads ``ids``, in that order, with their community and figure (area, dataset with its
    measure, period) to show in a list."""
    # Only the community is joined: joining the three figure tables as well makes PostgreSQL spend
    # ~50 ms planning the query (measured on the demo), so the figures' parts come by primary key.
    shown = in_kept_order(ThreadPage.objects.select_related("community"), ids)
    if shown:
        areas = {area.pk: area} if area is not None else {}
        datasets = {dataset.pk: dataset} if dataset is not None else {}
        areas |= Area.objects.in_bulk({t.figure_area_id for t in shown} - areas.keys())
        datasets |= Dataset.objects.select_related("measure").in_bulk(
            {t.figure_dataset_id for t in shown} - datasets.keys()
        )
        periods = Period.objects.in_bulk({t.figure_period_id for t in shown})
        for thread in shown:
            thread.figure_area = areas[thread.figure_area_id]
            thread.figure_dataset = datasets[thread.figure_dataset_id]
            thread.figure_period = periods[thread.figure_period_id]
    return shown


def figure_discussions(
    user: Actor, *, area: Area | None = None, dataset: Dataset | None = None
) -> tuple[list[ThreadPage], int]:
    """Threads anchored to a figure of ``area`` (or of ``dataset``) that ``user`` may read, most
    recent activity first (``FIGURE_DISCUSSIONS_PER_PANEL`` of them), and how many there are."""
    ids, total = figure_discussion_ids(user, area=area, dataset=dataset)
    return figure_threads_by_id(ids, area=area, dataset=dataset), total


def community_page(request: HttpRequest, community: CommunityPage) -> dict[str, Any]:
    """The community page: whether ``request.user`` may read it and, if so, its thread list with
    filters (answered, tag), latest activity first, pinned on top. The list is the same for every
    reader of the same class (``reader_class``), so it is kept per class (``hub.floor.fragments``)."""
    if not can_read_community(request.user, community):
        return {"can_read": False}
    status = request.GET.get("status", "")
    answered = {"answered": True, "unanswered": False}.get(status)
    tag = request.GET.get("tag", "").strip()
    number = page_number(request.GET.get("page"))
    base_url = community.get_url(request)

    def render_list() -> str:
        threads = thread_listing(community, answered=answered, tag=tag).prefetch_related("tags")
        page = Paginator(threads, settings.COMMUNITY_THREADS_PER_PAGE).get_page(number)
        for thread in page:
            thread.list_url = (
                f"{base_url}{thread.slug}/"  # children of the community: no per-thread URL lookup
            )
        return render_to_string(
            "communities/includes/community_threads.html",
            {
                "threads": page,
                "status": status,
                "tag": tag,
                "tag_choices": community_thread_tags(community),
                "statuses": STATUSES,
            },
        )

    watch = None
    if request.user.is_authenticated:
        watch = (
            Watch.objects.filter(user=request.user, community=community)
            .values_list("level", flat=True)
            .first()
        )
    parts = (community.pk, reader_class(request.user, community), base_url, status, tag, number)
    return {
        "can_read": True,
        "thread_list_html": fragment("community-threads", parts, render_list),
        "new_thread_url": reverse("new-thread", args=[community.slug]),
        "watch_level": watch or WatchLevel.NORMAL,
        "watch_levels": WatchLevel.choices,
        "show_watch": request.user.is_authenticated,
    }


def move_targets(user: Actor, community: CommunityPage) -> QuerySet[CommunityPage]:
    """The other live communities ``user`` facilitates: where they may move a thread to."""
    return (
        CommunityPage.objects.live()
        .filter(facilitated_community_filter(user))
        .exclude(pk=community.pk)
        .order_by("title")
    )


# -- A member's dashboard ----------------------------------------------------------------------

DASHBOARD_LIST_LENGTH = 20


def _latest_threads(community_ids: list[int], unanswered: bool) -> dict[int, list[tuple[Any, int]]]:
    """Each community's twenty live threads with the latest activity (unanswered ones only, if
    ``unanswered``) as ``(last activity, id)``, in one query for them all."""
    threads = ThreadPage.objects.live().filter(community_id__in=community_ids)
    if unanswered:
        threads = threads.filter(accepted_post__isnull=True)
    latest: dict[int, list[tuple[Any, int]]] = {pk: [] for pk in community_ids}
    rows = (
        threads.annotate(
            position=Window(
                RowNumber(),
                partition_by=F("community_id"),
                order_by=[F("last_activity_at").desc(), F("pk").desc()],
            )
        )
        .filter(position__lte=DASHBOARD_LIST_LENGTH)
        .order_by("community_id", "position")
        .values_list("community_id", "last_activity_at", "pk")
    )
    for community_id, last_activity_at, pk in rows:
        latest[community_id].append((last_activity_at, pk))
    return latest


def _latest_of(community_ids: Iterable[int], *, unanswered: bool, since: Any = None) -> list[int]:
    """The ids of the latest threads (most recent activity first) across ``community_ids``, from
    each community's latest ones kept per content generation (``kept_values``): the first twenty of
    them all are among the first twenty of each."""
    kept = kept_values(
        f"latest-threads-{'unanswered' if unanswered else 'all'}",
        sorted(set(community_ids)),
        partial(_latest_threads, unanswered=unanswered),
    )
    rows = [row for latest in kept.values() for row in latest if since is None or row[0] > since]
    rows.sort(reverse=True)
    return [pk for _, pk in rows[:DASHBOARD_LIST_LENGTH]]


def thread_list_html(ids: list[int]) -> SafeString:
    """The dashboard's list of the threads ``ids`` (already filtered on what the reader may read),
    in that order: the same for everyone shown those threads, so kept per content generation and
    the very threads (``fragment``)."""

    def render() -> str:
        shown = in_kept_order(
            ThreadPage.objects.select_related("community").prefetch_related("tags"), ids
        )
        community_urls: dict[int, str] = {}
        for thread in shown:  # one URL lookup a community: threads are children of their community
            if thread.community_id not in community_urls:
                community_urls[thread.community_id] = thread.community.url
            thread.list_url = f"{community_urls[thread.community_id]}{thread.slug}/"
        return render_to_string(
            "communities/includes/thread_list.html", {"threads": shown, "show_community": True}
        )

    return fragment("thread-list", [tuple(ids)], render)


def dashboard_threads(
    user: Actor, community_ids: Iterable[int], watched: Mapping[int, tuple[int, str]], since: Any
) -> dict[str, SafeString]:
    """The dashboard's three lists of threads for ``user``: new in ``community_ids`` (their active
    memberships of live communities) since ``since``, the threads they watch (``watched``: thread id
    to its community's id and visibility; only those they may still read) and the unanswered ones in
    their communities. Each community's latest threads are kept per content generation, so the
    lists cost one query (the watched threads') and the rendering of what changed."""
    mine = list(community_ids)
    readable_watched = [
        pk for pk, (cid, vis) in watched.items() if may_read_community(user, cid, vis)
    ]
    watched_ids = (
        list(
            ThreadPage.objects.live()
            .filter(pk__in=readable_watched)
            .order_by("-last_activity_at", "-pk")
            .values_list("pk", flat=True)[:DASHBOARD_LIST_LENGTH]
        )
        if readable_watched
        else []
    )
    return {
        "new_threads_html": thread_list_html(_latest_of(mine, unanswered=False, since=since)),
        "watched_threads_html": thread_list_html(watched_ids),
        "unanswered_html": thread_list_html(_latest_of(mine, unanswered=True)),
    }


# -- What waits for a facilitator ------------------------------------------------------------------


class SubqueryCount(Subquery):
    """How many rows a queryset has, as a column of the outer query (one query for many counts)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def waiting_in_communities(user: Actor) -> list[tuple[CommunityPage, int, int]]:
    """The communities ``user`` facilitates with open flags or join requests waiting:
    ``(community, flags, join requests)``, in one query."""
    if not user.is_authenticated or not queue_roles(user)[1]:
        return []  # facilitates nothing (``queue_roles``, read once a request for the header too)
    flags = Flag.objects.open().filter(
        Q(post__thread__community=OuterRef("pk")) | Q(thread__community=OuterRef("pk"))
    )
    requests = JoinRequest.objects.filter(
        status=JoinRequest.Status.PENDING, community=OuterRef("pk")
    )
    communities = (
        CommunityPage.objects.live()
        .filter(facilitated_community_filter(user))
        .annotate(open_flags=SubqueryCount(flags), pending_requests=SubqueryCount(requests))
        .filter(Q(open_flags__gt=0) | Q(pending_requests__gt=0))
        .order_by("title")
    )
    return [(c, c.open_flags, c.pending_requests) for c in communities]
