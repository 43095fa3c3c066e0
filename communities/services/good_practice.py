"""Good practice: the library's setup, submission and review, reuse signals, listing and related case studies.

Every door (front-end forms, the API, the demo loader, tests) writes through the ``do_*``
functions here; who may do what is decided in ``communities.permissions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import QueryDict
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from communities.models import (
    Adoption,
    CommunityIndexPage,
    CommunityPage,
    GoodPracticeDiscussion,
    GoodPracticeIndexPage,
    GoodPracticePage,
    GoodPracticeReviewTask,
    GoodPracticeTag,
    HelpedSignal,
    Membership,
    ServiceArea,
    ThreadPage,
    Visibility,
)
from communities.permissions import (
    GOOD_PRACTICE_EDITORS,
    can_edit_good_practice,
    can_see_profile,
    membership_of,
    readable_community_filter,
)
from linkeddata.charts import line_chart
from linkeddata.models import Area, Dataset, Measure
from linkeddata.services.benchmarks import series
from linkeddata.services.periods import period_code_from_slug

WORKFLOW_NAME = "Good practice review"
TASK_NAME = "Review by good practice editors or community facilitators"
QUESTIONS_COMMUNITY_SLUG = "good-practice-questions"
PAGE_SIZE = 12
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")

# -- Setup ------------------------------------------------------------------------------------

# The starting vocabulary of service areas (editors extend it in the admin's snippets).
SERVICE_AREAS: dict[str, list[str]] = {
    "Adult social care": ["Safeguarding", "Home care", "Adaptations and equipment", "Hospital discharge"],
    "Children's services": ["SEND", "Early help", "Children in care"],
    "Housing": ["Homelessness and temporary accommodation", "Private rented sector", "Housing delivery"],
    "Environment and waste": ["Waste collection", "Recycling", "Climate and net zero"],
    "Transport and highways": ["Bus services", "Active travel", "Highways maintenance"],
    "Planning and growth": ["Planning policy", "Developer contributions"],
    "Community safety": ["Anti-social behaviour"],
    "Revenues and benefits": ["Council tax", "Welfare support"],
    "Public health": [],
    "Digital, data and technology": ["Data and insight", "Service design"],
    "Finance and procurement": [],
}


def ensure_service_areas() -> None:
    """Create the starting vocabulary of service areas if missing. Idempotent."""
    for parent_name, children in SERVICE_AREAS.items():
        parent = ServiceArea.objects.filter(parent=None, name=parent_name).first()
        if parent is None:
            parent = ServiceArea.objects.create(name=parent_name)
        for name in children:
            if not ServiceArea.objects.filter(parent=parent, name=name).exists():
                ServiceArea.objects.create(name=name, parent=parent)



@transaction.atomic
def ensure_good_practice_library() -> None:
    """The service areas, the editors' group and the review workflow on the library.
    Idempotent; called by ``ensure_site_tree`` once the library exists."""
    ensure_service_areas()
    library = GoodPracticeIndexPage.objects.first()
    if library is None:
        return
    group, _ = Group.objects.get_or_create(name=GOOD_PRACTICE_EDITORS)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=library,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    task = GoodPracticeReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GoodPracticeReviewTask.objects.create(name=TASK_NAME)
    task.groups.add(group)
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=library, defaults={"workflow": workflow})


# -- Submission and review --------------------------------------------------------------------

SCALAR_FIELDS = (
    "title", "summary", "problem", "approach", "outcomes", "evidence", "cost_amount", "savings_amount", "body",
    "savings_period", "savings_measurement", "contact", "practice_date", "status", "licence", "image",
    "image_alt",
)
RELATION_FIELDS = ("councils", "service_areas", "communities")


class ReviewError(Exception):
    """A review action that does not apply (nothing awaiting review)."""


def _apply(page: GoodPracticePage, data: dict[str, Any], user=None) -> None:
    if data.get("image_file"):
        upload = data["image_file"]
        page.image = get_image_model().objects.create(
            title=(data.get("image_alt") or data.get("title") or "Case study image")[:255], file=upload,
            uploaded_by_user=user,
        )
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(page, name, data[name])
    for name in RELATION_FIELDS:
        if name in data:
            getattr(page, name).set(list(data[name]))
    if "tags" in data:
        page.tags.set(list(data["tags"]))
    if "body_parts" in data:
        page.body = _body_with(page.body, data["body_parts"])


def _body_with(body, parts: dict[str, Any]) -> list[tuple[str, Any]]:
    """The body with its first key figure and first step-by-step list replaced by the front-end
    form's (which edits only those two); every other block the editors added is kept."""
    blocks: list[tuple[str, Any]] = []
    if parts.get("key_figure"):
        blocks.append(("key_figure", parts["key_figure"]))
    if parts.get("steps"):
        blocks.append(("steps", {"heading": "How we did it", "steps": list(parts["steps"])}))
    replaced: set[str] = set()
    for block in body:
        if block.block_type in ("key_figure", "steps") and block.block_type not in replaced:
            replaced.add(block.block_type)
            continue
        blocks.append((block.block_type, block.value))
    return blocks


@transaction.atomic
def do_create_good_practice(*, author, data: dict[str, Any], submit: bool = False) -> GoodPracticePage:
    """A new draft case study by ``author`` (any signed-in member), sent for review if ``submit``."""
    library = GoodPracticeIndexPage.objects.get()
    page = GoodPracticePage(author=author, owner=author, live=False, contact=author)
    _apply(page, data, author)
    library.add_child(instance=page)
    page.save_revision(user=author)
    if submit:
        do_submit_for_review(page, author)
    return page


def check_can_edit_good_practice(user, page: GoodPracticePage) -> None:
    if not can_edit_good_practice(user, page):
        raise PermissionDenied("Only the author can edit this case study.")


@transaction.atomic
def do_update_good_practice(page: GoodPracticePage, user, data: dict[str, Any], submit: bool = False) -> GoodPracticePage:
    """Save the author's changes as a new revision; a published version stays live until the
    changes are approved. Changing a case study withdraws it from review until resubmitted."""
    check_can_edit_good_practice(user, page)
    draft = page.get_latest_revision_as_object()
    _apply(draft, data, user)
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        state.cancel(user=user)
    if not page.live:
        draft.save()  # nothing is public yet: keep the row (listed on "My submissions") current
    draft.save_revision(user=user)
    page = GoodPracticePage.objects.get(pk=page.pk)
    if submit:
        do_submit_for_review(page, user)
    return page


@transaction.atomic
def do_submit_for_review(page: GoodPracticePage, user) -> WorkflowState:
    """Send the latest revision to the library's review workflow (or resume it after changes were asked for)."""
    check_can_edit_good_practice(user, page)
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        return state
    if state is not None:
        return state  # already in review
    workflow = page.get_workflow()
    if workflow is None:
        raise ReviewError("The good practice library has no review workflow; ask site staff to run setup.")
    return workflow.start(page, user)


@transaction.atomic
def do_review_good_practice(page: GoodPracticePage, reviewer, *, approve: bool, comment: str = "") -> None:
    """Approve (and so publish) or ask for changes, as the current review task allows ``reviewer``."""
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or state.current_task_state is None:
        raise ReviewError("This case study is not awaiting review.")
    task_state = state.current_task_state.specific
    task = task_state.task.specific
    action = "approve" if approve else "reject"
    if action not in {name for name, _label, _needs_data in task.get_actions(page, reviewer)}:
        raise PermissionDenied("You cannot review this case study.")
    task.on_action(task_state, reviewer, action, comment=comment)


@dataclass
class SubmissionStatus:
    code: str
    label: str
    comment: str = ""


def submission_status(page: GoodPracticePage) -> SubmissionStatus:
    """Where an author's case study stands, in their words."""
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return SubmissionStatus("needs-changes", "Changes requested", state.current_task_state.comment)
    if state is not None:
        return SubmissionStatus("in-review", "Waiting for review")
    if page.live and page.has_unpublished_changes:
        return SubmissionStatus("published-with-draft", "Published; your latest changes are a draft")
    if page.live:
        return SubmissionStatus("published", "Published")
    return SubmissionStatus("draft", "Draft: not yet sent for review")


def submissions_of(user) -> list[tuple[GoodPracticePage, SubmissionStatus]]:
    pages = GoodPracticePage.objects.filter(author=user).order_by("-latest_revision_created_at")
    return [(page, submission_status(page)) for page in pages]


def awaiting_review_by(user) -> list[GoodPracticePage]:
    """Case studies whose current review task ``user`` may act on."""
    if not user.is_authenticated:
        return []
    ids: list[str] = []
    for task in GoodPracticeReviewTask.objects.filter(active=True):
        ids += list(task.get_task_states_user_can_moderate(user).values_list("workflow_state__object_id", flat=True))
    return list(GoodPracticePage.objects.filter(pk__in=[int(i) for i in ids]).select_related("author__profile")
                .order_by("latest_revision_created_at"))


def visible_author_name(page: GoodPracticePage, viewer) -> str:
    """The author's name if their profile lets ``viewer`` see it, else a neutral phrase."""
    profile = getattr(page.author, "profile", None) if page.author_id else None
    return profile.display_name if can_see_profile(viewer, profile) else "a member whose profile is private"


# -- Reuse signals and discussion -------------------------------------------------------------


class ReuseError(Exception):
    """A reuse signal that cannot be recorded; the message says why, in the member's words."""


def check_can_signal_reuse(user, page: GoodPracticePage) -> None:
    if not user.is_authenticated:
        raise ReuseError("Sign in to say this helped you or that your council adopted it.")
    if not page.live:
        raise ReuseError("Only published case studies take reuse signals.")


def do_mark_helped(page: GoodPracticePage, user) -> bool:
    """Record "This helped me"; once per member. Returns whether it was new."""
    check_can_signal_reuse(user, page)
    try:
        with transaction.atomic():
            _signal, created = HelpedSignal.objects.get_or_create(page=page, user=user)
    except IntegrityError:  # a simultaneous click by the same member
        return False
    return created


def do_record_adoption(page: GoodPracticePage, user, note: str = "") -> Adoption:
    """Record that the member's council (from their profile) adopted this; once per member,
    a second time updates the note."""
    check_can_signal_reuse(user, page)
    profile = getattr(user, "profile", None)
    council = profile.council if profile else None
    if council is None:
        raise ReuseError("Add your council to your profile first, so we know which council adopted this.")
    with transaction.atomic():
        adoption, _ = Adoption.objects.update_or_create(
            page=page, user=user, defaults={"council": council, "note": note.strip()[:1000]}
        )
    return adoption


def _questions_community() -> CommunityPage:
    """The hub-wide open community that holds the case studies' question threads (made on first use)."""
    from communities.services.communities import do_create_community

    community = CommunityPage.objects.filter(slug=QUESTIONS_COMMUNITY_SLUG).first()
    if community is None:
        community = do_create_community(
            index=CommunityIndexPage.objects.get(), title="Good practice questions", slug=QUESTIONS_COMMUNITY_SLUG,
            visibility=Visibility.OPEN, tags=["good practice"],
            description="Questions and answers about the case studies in the good practice library, one thread each.",
        )
    return community


MAX_QUESTION_LENGTH = 10000


def check_can_ask_question(user, page: GoodPracticePage, question: str) -> None:
    if not user.is_authenticated:
        raise ReuseError("Sign in to ask a question.")
    if not page.live:
        raise ReuseError("Questions can be asked about published case studies only.")
    if not question.strip():
        raise ReuseError("Write your question.")
    if len(question) > MAX_QUESTION_LENGTH:
        raise ReuseError("Keep your question under 10,000 characters.")


@transaction.atomic
def do_ask_question(page: GoodPracticePage, user, question: str) -> ThreadPage:
    """Ask about a case study in its question thread, which the first question starts in the
    hub-wide "Good practice questions" community. Asking there joins that open community, as
    its one-click join would; a member banned from it cannot ask."""
    from communities.services.membership import NotAllowed, do_join
    from communities.services.threads import (
        DiscussionError,
        check_can_post,
        do_reply,
        do_start_thread,
    )

    check_can_ask_question(user, page, question)
    GoodPracticePage.objects.select_for_update().filter(pk=page.pk).first()  # one thread per case study
    discussion = GoodPracticeDiscussion.objects.filter(page=page).select_related("thread").first()
    community = discussion.thread.community if discussion else _questions_community()
    membership = membership_of(user, community)
    try:
        if membership is None or not membership.is_active:
            do_join(user, community)  # the same rules as the community's own join button
        check_can_post(user, community, discussion.thread if discussion else None)  # and as its reply form
    except NotAllowed as refusal:
        if membership is not None and membership.status == Membership.Status.BANNED:
            raise ReuseError("You cannot post in the good practice questions community.") from None
        raise ReuseError(f"Only members of the community can ask here. {refusal}") from None
    except DiscussionError as refusal:
        raise ReuseError(refusal.message) from None
    if discussion is not None:
        do_reply(thread=discussion.thread, author=user, body=question.strip())
        return discussion.thread
    thread = do_start_thread(
        community=community, author=user, title=f"Questions about: {page.title}"[:255],
        body=f"{question.strip()}\n\n*About the case study [{page.title}]({page.url or ''}).*",
        tags=["good practice"],
    )
    GoodPracticeDiscussion.objects.create(page=page, thread=thread)
    return thread


# -- Reading: the library, a case study, related ones, benchmark evidence ----------------------


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
        return cls(values("service_area"), values("tag"), values("council_type"), values("region"), years,
                   sort if sort in SORTS else "newest")


def filter_library(filters: LibraryFilters):
    """Published case studies matching ``filters``, with reuse counts, in the chosen order."""
    pages = GoodPracticePage.objects.published().with_reuse_counts()
    if filters.service_areas:
        chosen = ServiceArea.objects.filter(slug__in=filters.service_areas)
        ids = {pk for area in chosen for pk in area.with_descendants()}
        pages = pages.filter(pk__in=GoodPracticePage.objects.filter(service_areas__in=ids).values("pk"))
    if filters.tags:
        pages = pages.filter(pk__in=GoodPracticeTag.objects.filter(tag__slug__in=filters.tags).values("content_object_id"))
    if filters.council_types:
        pages = pages.filter(pk__in=GoodPracticePage.objects.filter(councils__authority_type__in=filters.council_types).values("pk"))
    if filters.regions:
        pages = pages.filter(pk__in=GoodPracticePage.objects.filter(councils__region__in=filters.regions).values("pk"))
    if filters.years:
        pages = pages.filter(practice_date__year__in=filters.years)
    return pages.prefetch_related("councils", "service_areas__parent", "tags").order_by(*SORTS[filters.sort])


def library_facets(filters: LibraryFilters) -> dict[str, list[dict]]:
    """The choices the library offers, drawn from what is published, marked when chosen."""
    published = GoodPracticePage.objects.published()
    used_areas = set(ServiceArea.objects.filter(good_practice__in=published).values_list("pk", "parent_id").distinct())
    used_ids = {pk for pair in used_areas for pk in pair if pk}
    areas = [a for a in ServiceArea.objects.in_tree_order() if a.pk in used_ids]
    tags = (
        GoodPracticeTag.objects.filter(content_object__in=published)
        .values("tag__slug", "tag__name").annotate(n=Count("id")).order_by("tag__name")
    )
    councils = Area.objects.filter(good_practice__in=published)
    types = councils.values("authority_type", "authority_type_name").distinct().order_by("authority_type_name")
    regions = councils.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    years = [d.year for d in published.dates("practice_date", "year", order="DESC")]
    return {
        "service_area": [
            {"value": a.slug, "label": a.full_name, "child": bool(a.parent_id), "checked": a.slug in filters.service_areas}
            for a in areas
        ],
        "tag": [{"value": t["tag__slug"], "label": t["tag__name"], "checked": t["tag__slug"] in filters.tags} for t in tags],
        "council_type": [
            {"value": t["authority_type"], "label": t["authority_type_name"], "checked": t["authority_type"] in filters.council_types}
            for t in types
        ],
        "region": [{"value": r, "label": r, "checked": r in filters.regions} for r in regions],
        "year": [{"value": str(y), "label": str(y), "checked": y in filters.years} for y in years],
    }


def library_listing(params: QueryDict, user=None) -> dict[str, Any]:
    """Everything the library page shows: one page of results, the filters and the sort."""
    filters = LibraryFilters.from_params(params)
    page = Paginator(filter_library(filters), PAGE_SIZE).get_page(params.get("page"))
    keep = params.copy() if hasattr(params, "copy") else QueryDict(mutable=True)
    if "page" in keep:
        del keep["page"]
    return {
        "case_studies": page,
        "facets": library_facets(filters),
        "filters": filters,
        "sort_options": [(key, label, key == filters.sort) for key, label in SORT_LABELS.items()],
        "filter_querystring": keep.urlencode(),
        "is_filtered": any([filters.service_areas, filters.tags, filters.council_types, filters.regions, filters.years]),
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
        GoodPracticePage.objects.published().exclude(pk=page.pk)
        .annotate(shared_areas=shared_areas, shared_tags=shared_tags)
        .filter(Q(shared_areas__gt=0) | Q(shared_tags__gt=0))
        .annotate(score=2 * F("shared_areas") + F("shared_tags"))
        .order_by("-score", "-first_published_at")[:limit]
    )


def case_study_context(page: GoodPracticePage, user) -> dict[str, Any]:
    """What a case study page shows ``user`` besides its own fields."""
    adoptions = list(page.adoptions.select_related("council").order_by("created_at")) if page.pk else []
    contact_profile = getattr(page.contact, "profile", None) if page.contact_id else None
    discussion = GoodPracticeDiscussion.objects.filter(page_id=page.pk).values_list("thread_id", flat=True).first()
    thread = (
        ThreadPage.objects.live().filter(pk=discussion, community__in=CommunityPage.objects.filter(readable_community_filter(user))).first()
        if discussion
        else None
    )
    councils_seen: dict[int, Area] = {}
    for adoption in adoptions:
        councils_seen.setdefault(adoption.council_id, adoption.council)
    return {
        "helped_count": page.helped_signals.count() if page.pk else 0,
        "adopted_count": len(adoptions),
        "adoptions": adoptions,
        "adopting_councils": list(councils_seen.values()),
        "user_helped": bool(user.is_authenticated and page.pk and page.helped_signals.filter(user=user).exists()),
        "user_adoption": next((a for a in adoptions if user.is_authenticated and a.user_id == user.pk), None),
        "user_council": getattr(getattr(user, "profile", None), "council", None) if user.is_authenticated else None,
        "contact_profile": contact_profile if can_see_profile(user, contact_profile) else None,
        "linked_communities": list(page.communities.listable_for(user).order_by("title")),
        "discussion_thread": thread,
        "councils": list(page.councils.all()),
        "service_areas": list(page.service_areas.select_related("parent").all()),
    }


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def describe_benchmark(value) -> dict[str, Any]:
    """A benchmark evidence block made readable: the author's figures and, when the measure is in
    the hub's benchmarking data, the published values for the same periods, the area's whole series
    as a chart with a table, and a link to the area page. An unknown measure or area degrades to
    its identifier rather than failing."""
    slug = value.get("measure") or ""
    measure = Measure.objects.filter(slug=slug).first()
    area = Area.objects.filter(gss_code=value.get("area")).first()
    before, after = _decimal(value.get("value_before")), _decimal(value.get("value_after"))
    periods = [value.get("period_before") or "", value.get("period_after") or ""]
    published: dict[str, Decimal] = {}
    chart = None
    if measure is not None and area is not None:
        dataset = Dataset.objects.filter(measure=measure).first()
        published = series(dataset, [area]).get(area.pk, {}) if dataset else {}
        if published:
            codes = sorted(published)
            chart = line_chart(
                f"{measure.label}, {area.short_name}",
                f"{measure.label} for {area.short_name} from {codes[0]} to {codes[-1]}, in {measure.unit}.",
                codes, [(area.short_name, [published[code] for code in codes])], measure.unit,
            )
    hub_values = [published.get(period_code_from_slug(period)) for period in periods]
    if before is None and after is None and any(v is not None for v in hub_values):
        before, after = hub_values
    change = after - before if before is not None and after is not None else None
    return {
        "measure_label": measure.label if measure else slug.replace("-", " ").capitalize(),
        "measure_known": measure is not None,
        "area_name": area.short_name if area else value.get("area"),
        "area_url": reverse("linkeddata:area", kwargs={"gss": area.gss_code}) if area and published else "",
        "unit": value.get("unit") or (measure.unit if measure else ""),
        "rows": [(period, quoted, hub) for period, quoted, hub in zip(periods, (before, after), hub_values, strict=True)],
        "has_hub_values": any(v is not None for v in hub_values),
        "series": sorted(published.items()),
        "chart": chart,
        "change": change,
        "note": value.get("note") or "",
    }
