"""Reading the good practice library: listing and filtering, a case study page, related case
studies, where a submission stands, and who may review (for the library's review task).

Read functions only: no writes. The good-practice page models and the review task call these (the
one sanctioned call from a model upwards); who may see or review what is ``communities.permissions``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from wagtail.models import TaskState, WorkflowState

from communities.discussions.queries import SubqueryCount
from communities.models.communities import CommunityPage, Visibility
from communities.models.good_practice import (
    GoodPracticePage,
    GoodPracticeQuerySet,
    GoodPracticeReviewTask,
    GoodPracticeTag,
)
from communities.models.membership_workflow import JoinRequest
from communities.models.memberships import Membership
from communities.models.moderation import Flag
from communities.models.profiles import Profile
from communities.models.proposals import CommunityProposal
from communities.models.reuse import GoodPracticeDiscussion
from communities.models.service_areas import ServiceArea
from communities.models.threads import Post, ThreadPage
from communities.permissions import (
    can_decide_proposals,
    can_review_good_practice,
    can_see_profile,
    is_good_practice_editor,
    join_request_queue_filter,
    listable_community_filter,
    may_list_community,
    may_read_community,
    moderation_queue_filter,
    queue_roles,
    reviewable_good_practice_filter,
    viewer_class,
    visible_profile_filter,
)
from hub.floor.actor import Actor
from hub.floor.fragments import fragment, kept_value
from hub.floor.numbers import page_number
from linkeddata.models import Area, Measure
from linkeddata.services.benchmarks import (
    MeasureSummary,
    area_summaries,
    similar_areas,
    third_of,
)

PAGE_SIZE = 12


# -- Review: who may act on the library's review task ---------------------------------------------


def may_review(user: Actor, page: GoodPracticePage) -> bool:
    """Whether the review task lets ``user`` approve or ask for changes: exactly the reviewers
    ``communities.permissions.can_review_good_practice`` names, so the review form is shown only
    to people whose decision then succeeds."""
    return bool(user.is_authenticated) and can_review_good_practice(user, page)


def may_use_review_editor(user: Actor) -> bool:
    """Editors (and site staff) review in Wagtail's admin editor; facilitators on the hub's pages."""
    return is_good_practice_editor(user)


def reviewable_task_states(task: GoodPracticeReviewTask, user: Actor) -> QuerySet[TaskState]:
    """The task's states in progress on case studies ``user`` may review."""
    in_progress = task.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
    if not user.is_authenticated:
        return TaskState.objects.none()
    if is_good_practice_editor(user):  # every case study but their own: exclude the few they wrote
        own = GoodPracticePage.objects.exclude(reviewable_good_practice_filter(user))
        return in_progress.exclude(
            workflow_state__object_id__in=[str(pk) for pk in own.values_list("pk", flat=True)]
        )
    pages = GoodPracticePage.objects.filter(reviewable_good_practice_filter(user)).values_list(
        "pk", flat=True
    )
    return in_progress.filter(workflow_state__object_id__in=[str(pk) for pk in pages])


# -- Where a submission stands ----------------------------------------------------------------------


@dataclass
class SubmissionStatus:
    code: str
    label: str
    comment: str = ""


def submission_status(page: GoodPracticePage) -> SubmissionStatus:
    """Where an author's case study stands, in their words."""
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return SubmissionStatus(
            "needs-changes", "Changes requested", state.current_task_state.comment
        )
    if state is not None:
        return SubmissionStatus("in-review", "Waiting for review")
    if page.live and page.has_unpublished_changes:
        return SubmissionStatus(
            "published-with-draft", "Published; your latest changes are a draft"
        )
    if page.live:
        return SubmissionStatus("published", "Published")
    return SubmissionStatus("draft", "Draft: not yet sent for review")


def submissions_of(user: Actor) -> list[tuple[GoodPracticePage, SubmissionStatus]]:
    pages = GoodPracticePage.objects.filter(author=user).order_by("-latest_revision_created_at")
    return [(page, submission_status(page)) for page in pages]


def awaiting_review_by(user: Actor) -> list[GoodPracticePage]:
    """Case studies whose current review task ``user`` may act on."""
    if not user.is_authenticated:
        return []
    ids: list[str] = []
    for task in GoodPracticeReviewTask.objects.filter(active=True):
        ids += list(
            task.get_task_states_user_can_moderate(user).values_list(
                "workflow_state__object_id", flat=True
            )
        )
    return list(
        GoodPracticePage.objects.filter(pk__in=[int(i) for i in ids])
        .select_related("author__profile")
        .order_by("latest_revision_created_at")
    )


def visible_author_name(page: GoodPracticePage, viewer: Actor) -> str:
    """The author's name if their profile lets ``viewer`` see it, else a neutral phrase."""
    profile = getattr(page.author, "profile", None) if page.author_id else None
    return (
        profile.display_name
        if profile is not None and can_see_profile(viewer, profile)
        else "a member whose profile is private"
    )


# -- The library, a case study, related ones ---------------------------------------------------


SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "adopted": ("-adopted_count", "-helped_count", "-first_published_at"),
    "helpful": ("-helped_count", "-adopted_count", "-first_published_at"),
}
SORT_LABELS = {"newest": "Newest", "adopted": "Most adopted", "helpful": "Most helpful"}


@dataclass
class LibraryFilters:
    service_areas: list[str]
    tags: list[str]
    council_types: list[str]
    regions: list[str]
    years: list[int]
    sort: str = "newest"

    @classmethod
    def from_params(cls, params: QueryDict | dict) -> LibraryFilters:
        def values(name: str) -> list[str]:
            raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
            if isinstance(raw, str):
                raw = [raw]
            return [v.strip()[:100] for v in raw if v and v.strip()][:20]

        years = [int(v) for v in values("year") if v.isdecimal() and 1900 < int(v) < 2200]
        sort = params.get("sort") or "newest"
        return cls(
            values("service_area"),
            values("tag"),
            values("council_type"),
            values("region"),
            years,
            sort if sort in SORTS else "newest",
        )


def filter_library(filters: LibraryFilters) -> GoodPracticeQuerySet:
    """Published case studies matching ``filters``, with reuse counts, in the chosen order."""
    pages = GoodPracticePage.objects.published().with_reuse_counts()
    if filters.service_areas:
        chosen = ServiceArea.objects.filter(slug__in=filters.service_areas)
        ids = {pk for area in chosen for pk in area.with_descendants()}
        pages = pages.filter(
            pk__in=GoodPracticePage.objects.filter(service_areas__in=ids).values("pk")
        )
    if filters.tags:
        pages = pages.filter(
            pk__in=GoodPracticeTag.objects.filter(tag__slug__in=filters.tags).values(
                "content_object_id"
            )
        )
    if filters.council_types:
        pages = pages.filter(
            pk__in=GoodPracticePage.objects.filter(
                councils__authority_type__in=filters.council_types
            ).values("pk")
        )
    if filters.regions:
        pages = pages.filter(
            pk__in=GoodPracticePage.objects.filter(councils__region__in=filters.regions).values(
                "pk"
            )
        )
    if filters.years:
        pages = pages.filter(practice_date__year__in=filters.years)
    return pages.prefetch_related("councils", "service_areas__parent", "tags").order_by(
        *SORTS[filters.sort]
    )


def library_facets(filters: LibraryFilters) -> dict[str, list[dict]]:
    """The choices the library offers, drawn from what is published, marked when chosen."""
    published = GoodPracticePage.objects.published()
    used_areas = set(
        ServiceArea.objects.filter(good_practice__in=published)
        .values_list("pk", "parent_id")
        .distinct()
    )
    used_ids = {pk for pair in used_areas for pk in pair if pk}
    areas = [a for a in ServiceArea.objects.in_tree_order() if a.pk in used_ids]
    tags = (
        GoodPracticeTag.objects.filter(content_object__in=published)
        .values("tag__slug", "tag__name")
        .annotate(n=Count("id"))
        .order_by("tag__name")
    )
    councils = Area.objects.filter(good_practice__in=published)
    types = (
        councils.values("authority_type", "authority_type_name")
        .distinct()
        .order_by("authority_type_name")
    )
    regions = (
        councils.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    )
    years = [d.year for d in published.dates("practice_date", "year", order="DESC")]
    return {
        "service_area": [
            {
                "value": a.slug,
                "label": a.full_name,
                "child": bool(a.parent_id),
                "checked": a.slug in filters.service_areas,
            }
            for a in areas
        ],
        "tag": [
            {
                "value": t["tag__slug"],
                "label": t["tag__name"],
                "checked": t["tag__slug"] in filters.tags,
            }
            for t in tags
        ],
        "council_type": [
            {
                "value": t["authority_type"],
                "label": t["authority_type_name"],
                "checked": t["authority_type"] in filters.council_types,
            }
            for t in types
        ],
        "region": [{"value": r, "label": r, "checked": r in filters.regions} for r in regions],
        "year": [{"value": str(y), "label": str(y), "checked": y in filters.years} for y in years],
    }


def library_listing(params: QueryDict, user: Actor | None = None) -> dict[str, Any]:
    """Everything the library page shows: one page of results, the filters and the sort."""
    filters = LibraryFilters.from_params(params)
    page = Paginator(filter_library(filters), PAGE_SIZE).get_page(page_number(params.get("page")))
    keep = params.copy() if hasattr(params, "copy") else QueryDict(mutable=True)
    if "page" in keep:
        del keep["page"]
    return {
        "case_studies": page,
        "facets": library_facets(filters),
        "filters": filters,
        "sort_options": [(key, label, key == filters.sort) for key, label in SORT_LABELS.items()],
        "filter_querystring": keep.urlencode(),
        "is_filtered": any(
            [
                filters.service_areas,
                filters.tags,
                filters.council_types,
                filters.regions,
                filters.years,
            ]
        ),
    }


def library_page(params: QueryDict, user: Actor) -> dict[str, Any]:
    """The library page's results, filters and sort as HTML: the same for every reader of the same
    class (published case studies only), so kept per class and query (``hub.floor.fragments``)."""
    parts = (viewer_class(user), sorted(params.lists()))
    return {
        "library_html": fragment(
            "library",
            parts,
            lambda: render_to_string(
                "communities/good_practice/library_results.html", library_listing(params, user)
            ),
        )
    }


def related_good_practice(page: GoodPracticePage, limit: int = 3) -> list[GoodPracticePage]:
    """Published case studies sharing service areas (weighted double) or tags with ``page``."""
    # .all() rather than values_list: a draft previewed from its revision has in-memory relations
    area_ids = [area.pk for area in page.service_areas.all()]
    tag_ids = [tag.pk for tag in page.tags.all()]
    if not area_ids and not tag_ids:
        return []
    shared_areas = Count("service_areas", filter=Q(service_areas__in=area_ids), distinct=True)
    shared_tags = Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids), distinct=True)
    return list(
        GoodPracticePage.objects.published()
        .exclude(pk=page.pk)
        .annotate(shared_areas=shared_areas, shared_tags=shared_tags)
        .filter(Q(shared_areas__gt=0) | Q(shared_tags__gt=0))
        .annotate(score=2 * F("shared_areas") + F("shared_tags"))
        .order_by("-score", "-first_published_at")[:limit]
    )


def _case_study_links(
    page: GoodPracticePage,
) -> tuple[ThreadPage | None, list[CommunityPage]]:
    """The live thread where the page is discussed (with ``community_visibility``), if any, and the
    live communities it is linked to, by title: for every reader, before filtering."""
    thread_id = (
        GoodPracticeDiscussion.objects.filter(page_id=page.pk)
        .values_list("thread_id", flat=True)
        .first()
    )
    thread = None
    if thread_id:
        thread = (
            ThreadPage.objects.live()
            .filter(pk=thread_id)
            .annotate(community_visibility=F("community__visibility"))
            .first()
        )
    return thread, list(page.communities.live().order_by("title"))


def case_study(page: GoodPracticePage, user: Actor) -> dict[str, Any]:
    """What a case study page shows ``user`` besides its own fields."""
    adoptions = (
        list(page.adoptions.select_related("council").order_by("created_at")) if page.pk else []
    )
    contact_profile = getattr(page.contact, "profile", None) if page.contact_id else None
    # The page's discussion thread and linked communities are the same for everyone: for a
    # published page, kept per content generation and filtered on what the reader may see.
    kept = page.pk and page.live and not page.has_unpublished_changes
    discussion, linked = (
        kept_value("case-study-links", [page.pk], lambda: _case_study_links(page))
        if kept
        else _case_study_links(page)
    )
    thread = (
        discussion
        if discussion is not None
        and may_read_community(user, discussion.community_id, discussion.community_visibility)
        else None
    )
    helped = {"count": 0, "mine": 0}
    if page.pk:  # how many it helped, and whether the reader said so, in one query
        helped = page.helped_signals.aggregate(
            count=Count("pk"), mine=Count("pk", filter=Q(user_id=user.pk or 0))
        )
    councils_seen: dict[int, Area] = {}
    for adoption in adoptions:
        councils_seen.setdefault(adoption.council_id, adoption.council)
    return {
        "question_key": uuid.uuid4(),  # one question per form, however often it is sent
        "helped_count": helped["count"],
        "adopted_count": len(adoptions),
        "adoptions": adoptions,
        "adopting_councils": list(councils_seen.values()),
        "user_helped": bool(user.is_authenticated and helped["mine"]),
        "user_adoption": next(
            (a for a in adoptions if user.is_authenticated and a.user_id == user.pk), None
        ),
        "user_council": getattr(getattr(user, "profile", None), "council", None)
        if user.is_authenticated
        else None,
        "contact_profile": contact_profile if can_see_profile(user, contact_profile) else None,
        "linked_communities": [c for c in linked if may_list_community(user, c.pk, c.visibility)],
        "discussion_thread": thread,
        # read only if the page's article is rendered (not when it is kept: ``case_study_article``)
        "councils": page.councils.all(),
        "service_areas": page.service_areas.select_related("parent").all(),
    }


def case_study_article(
    request: HttpRequest, page: GoodPracticePage, context: dict[str, Any]
) -> str:
    """The published case study's article (its fields, councils, service areas, tags and body):
    the same for every reader of the same class, so kept per class until the next change."""
    parts = (page.pk, page.latest_revision_id, viewer_class(request.user))
    return fragment(
        "case-study",
        parts,
        lambda: render_to_string("communities/good_practice/case_study_article.html", context),
    )


# -- What is waiting for someone ----------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """What waits for a person to act on it, counted only where they may act: case studies to
    review, open flags and join requests in communities they facilitate, community proposals
    (site staff); and whether Wagtail's admin is theirs (editors)."""

    reviews: int = 0
    flags: int = 0
    join_requests: int = 0
    proposals: int = 0
    admin: bool = False

    @property
    def total(self) -> int:
        return self.reviews + self.flags + self.join_requests + self.proposals


def in_review(user: Actor, *, editor: bool) -> QuerySet[WorkflowState]:
    """Reviews in progress on case studies ``user`` may review."""
    pages = (
        GoodPracticePage.objects.filter(reviewable_good_practice_filter(user, editor=editor))
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    return WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type__app_label="wagtailcore",  # a page's (a join: no query of its own)
        base_content_type__model="page",
        object_id__in=pages,
    )


def waiting_for(user: Actor) -> Waiting:
    """The header's and the dashboard's counts for ``user``: two queries at most (one for site
    staff and for members who neither edit good practice nor facilitate: most of them), none for
    anonymous visitors."""
    if not user.is_authenticated:
        return Waiting()
    editor, facilitates = queue_roles(user)
    if not (editor or facilitates):  # nothing can wait for them (proposals: site staff, editors)
        return Waiting()
    proposals: Any = (
        SubqueryCount(CommunityProposal.objects.filter(status=CommunityProposal.Status.PENDING))
        if can_decide_proposals(user)
        else Value(0)
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            waiting_reviews=SubqueryCount(in_review(user, editor=editor)),
            waiting_flags=SubqueryCount(Flag.objects.open().filter(moderation_queue_filter(user))),
            waiting_join_requests=SubqueryCount(
                JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).filter(
                    join_request_queue_filter(user)
                )
            ),
            waiting_proposals=proposals,
        )
        .values_list(
            "waiting_reviews", "waiting_flags", "waiting_join_requests", "waiting_proposals"
        )
        .first()
    )
    if row is None:  # the account was deleted meanwhile
        return Waiting()
    reviews, flags, join_requests, proposals_count = row
    return Waiting(reviews, flags, join_requests, proposals_count, admin=editor)


# -- Councils like yours: practice and people beside the numbers ----------------------------------

PANEL_LIMIT = 6  # case studies, communities or members a panel lists before linking on


def _evidence_measures(page: GoodPracticePage) -> set[str]:
    """The measure slugs a case study's benchmark evidence blocks use (read from the stored JSON, so
    no block is rendered)."""
    return {
        (block.get("value") or {}).get("measure", "")
        for block in page.body.raw_data
        if block.get("type") == "benchmark_evidence"
    } - {""}


def _using_measures(pages: GoodPracticeQuerySet, slugs: set[str]) -> GoodPracticeQuerySet:
    """Narrow ``pages`` in the database to those whose benchmark evidence uses one of ``slugs``: exactly
    where the engine has JSON containment (PostgreSQL), else to those whose body mentions one (a text
    match every engine supports; the caller then confirms it with ``_evidence_measures``)."""
    mention = Q()
    if connection.features.supports_json_field_contains:
        for slug in slugs:
            block = [{"type": "benchmark_evidence", "value": {"measure": slug}}]
            mention |= Q(body_json__contains=block)
        return pages.annotate(body_json=Cast("body", output_field=JSONField())).filter(mention)
    for slug in slugs:
        mention |= Q(body__icontains=f'"{slug}"')
    return pages.filter(mention)


def _published_with_councils() -> GoodPracticeQuerySet:
    return (
        GoodPracticePage.objects.published()
        .with_reuse_counts()
        .prefetch_related("councils")
        .order_by("-adopted_count", "-first_published_at", "-pk")
    )


def good_practice_of(area: Area, limit: int = PANEL_LIMIT) -> list[GoodPracticePage]:
    """Published case studies from ``area``: most adopted first, then newest."""
    ids = GoodPracticePage.councils.through.objects.filter(area=area).values("goodpracticepage_id")
    return list(_published_with_councils().filter(pk__in=ids)[:limit])


def good_practice_from(areas: list[Area], limit: int = PANEL_LIMIT) -> list[GoodPracticePage]:
    """Published case studies from any of ``areas`` (a council's similar councils): most adopted
    first, then newest."""
    ids = GoodPracticePage.councils.through.objects.filter(area__in=areas).values(
        "goodpracticepage_id"
    )
    return list(_published_with_councils().filter(pk__in=ids)[:limit])


def _published_by_reuse() -> GoodPracticeQuerySet:
    """Published case studies, most adopted first, then newest (reading the page view restrictions
    now: derive several lists from one to read them once)."""
    return (
        GoodPracticePage.objects.published()
        .with_reuse_counts()
        .order_by("-adopted_count", "-first_published_at", "-pk")
    )


def good_practice_for_measures(
    slugs: set[str],
    areas: list[Area] | None = None,
    limit: int = PANEL_LIMIT,
    *,
    published: GoodPracticeQuerySet | None = None,
    prefetch: bool = True,
) -> list[GoodPracticePage]:
    """Published case studies whose benchmark evidence uses one of the measures ``slugs``, optionally
    only those from ``areas``; most adopted first, then newest (``published``: from
    ``_published_by_reuse`` already; ``prefetch``: their councils too)."""
    if not slugs:
        return []
    pages = _using_measures(published if published is not None else _published_by_reuse(), slugs)
    if areas is not None:
        ids = GoodPracticePage.councils.through.objects.filter(area__in=areas).values(
            "goodpracticepage_id"
        )
        pages = pages.filter(pk__in=ids)
    if connection.features.supports_json_field_contains:
        chosen = list(pages[:limit])  # the database matched the blocks exactly
    else:
        chosen = [page for page in pages.iterator() if _evidence_measures(page) & slugs][:limit]
    if prefetch:
        prefetch_related_objects(chosen, "councils")
    return chosen


def communities_of_officers(
    areas: list[Area],
    viewer: Actor | None,
    *,
    only_open: bool = False,
    limit: int | None = PANEL_LIMIT,
) -> list[CommunityPage]:
    """Communities that members working for ``areas`` (their profile's council) belong to, most of
    them first, among the communities ``viewer`` may know exist (private ones only to their members);
    ``only_open`` keeps the open ones; ``viewer`` None, every live one (to keep for everyone and
    filter per reader: ``officer_community_ids``). Each carries ``officer_posts``: their replies
    there (not deleted or hidden), so the busiest come first."""
    officers = Membership.objects.filter(
        status=Membership.Status.ACTIVE, user__profile__council__in=areas
    )
    communities = CommunityPage.objects.live().filter(pk__in=officers.values("community_id"))
    if viewer is not None:
        communities = communities.filter(listable_community_filter(viewer))
    if only_open:
        communities = communities.filter(visibility=Visibility.OPEN)
    posts = Post.objects.filter(
        thread__community=OuterRef("pk"),
        author__profile__council__in=areas,
        is_deleted=False,
        is_hidden=False,
    )
    return list(
        communities.annotate(
            officer_count=SubqueryCount(officers.filter(community=OuterRef("pk"))),
            officer_posts=SubqueryCount(posts),
        ).order_by("-officer_posts", "-officer_count", "title")[:limit]
    )


def _officer_communities(area_id: int) -> list[tuple[int, str]]:
    """Every live community that members working for the area belong to, most of them first
    (``communities_of_officers`` for everyone), as ``(community id, visibility)``."""
    everyone = communities_of_officers([Area(pk=area_id)], None, limit=None)
    return [(c.pk, c.visibility) for c in everyone]


def officer_community_ids(area: Area, viewer: Actor, limit: int = PANEL_LIMIT) -> list[int]:
    """``communities_of_officers([area], viewer)`` as ids: the list for everyone is kept per
    content generation (``kept_value``) and filtered on what ``viewer`` may know exists
    (``may_list_community``: private communities only to their members)."""
    every = kept_value("officer-communities", [area.pk], lambda: _officer_communities(area.pk))
    return [pk for pk, vis in every if may_list_community(viewer, pk, vis)][:limit]


def members_of(area: Area, viewer: Actor, limit: int = PANEL_LIMIT) -> tuple[list[Profile], bool]:
    """Up to ``limit`` profiles of active members working for ``area`` that ``viewer`` may see, and
    whether there are more (one query)."""
    profiles = list(
        Profile.objects.filter(council=area, user__is_active=True)
        .filter(visible_profile_filter(viewer))
        .order_by("display_name", "pk")[: limit + 1]
    )
    return profiles[:limit], len(profiles) > limit


@dataclass
class Standing:
    """Where a council stands on one measure among its ONS similar councils, in words."""

    summary: MeasureSummary
    words: str


@dataclass
class CouncilsLikeYours:
    council: Area
    similar: list[Area]
    standings: list[Standing]
    good_practice: list[GoodPracticePage]
    communities: list[CommunityPage]


def councils_like(council: Area, viewer: Actor) -> CouncilsLikeYours:
    """A member's council against its ONS similar councils: where it stands on each measure (among
    them), the good practice those councils published and the open communities where their officers
    are most active."""
    similar = similar_areas(council)
    standings = [
        Standing(s, third_of(s.similar_rank, s.similar_ranked))
        for s in area_summaries(council)
        if s.similar_rank is not None and s.similar_ranked > 1
    ]
    return CouncilsLikeYours(
        council=council,
        similar=similar,
        standings=standings,
        good_practice=good_practice_from(similar) if similar else [],
        communities=(communities_of_officers(similar, viewer, only_open=True) if similar else []),
    )


def weak_measures(area: Area) -> list[Measure]:
    """The measures on which ``area``'s latest figure ranks among the worst third of all councils,
    exactly as the area page ranks them (``area_summaries``, which the page has already read for
    the same ``area``: no query of its own there)."""
    worst = third_of(1, 1)  # the words for the worst third, as ``third_of`` writes them
    weak = [s.dataset.measure for s in area_summaries(area) if s.judgement == worst]
    return sorted(weak, key=lambda m: m.label)


@dataclass
class AreaPractice:
    """The area page's good practice: the council's own, and its similar councils' on ``weak``."""

    own: list[GoodPracticePage]
    weak: list[Measure]
    from_similar: list[GoodPracticePage]


def area_practice(area: Area, limit: int = PANEL_LIMIT) -> AreaPractice:
    """``good_practice_of`` and ``practice_for_weak_measures`` in one go: the public pages are worked
    out once and the councils of both lists read together (four queries at most, the ranks being
    the area page's own)."""
    published = _published_by_reuse()
    ids = GoodPracticePage.councils.through.objects.filter(area=area).values("goodpracticepage_id")
    own = list(published.filter(pk__in=ids)[:limit])
    weak = weak_measures(area)
    similar = similar_areas(area) if weak else []
    from_similar = (
        good_practice_for_measures(
            {m.slug for m in weak}, similar, limit, published=published, prefetch=False
        )
        if similar
        else []
    )
    prefetch_related_objects([*own, *from_similar], "councils")
    return AreaPractice(own=own, weak=weak, from_similar=from_similar)


def practice_for_weak_measures(
    area: Area, limit: int = PANEL_LIMIT
) -> tuple[list[Measure], list[GoodPracticePage]]:
    """The measures on which ``area`` ranks among the worst third of all councils, and the case
    studies from its similar councils whose benchmark evidence uses one of them."""
    weak = weak_measures(area)
    if not weak:
        return [], []
    similar = similar_areas(area)
    slugs = {m.slug for m in weak}
    return weak, good_practice_for_measures(slugs, similar, limit) if similar else []
