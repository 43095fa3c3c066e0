"""Good practice writes: the library's setup, submission and review, reuse signals, questions.

Every door (front-end forms, the API, the demo loader, tests) writes through the ``do_*``
functions here, after their ``check_*``; who may do what is decided in ``communities.permissions``
and reading the library is ``communities.good_practice.queries``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from communities.discussions.services.threads import (
    check_can_post,
    check_rate_limit,
    do_reply,
    do_start_thread,
)
from communities.errors import Invalid, Refusal
from communities.events import announce, announced_here
from communities.models import (
    Adoption,
    CommunityIndexPage,
    CommunityPage,
    GoodPracticeDiscussion,
    GoodPracticeIndexPage,
    GoodPracticePage,
    GoodPracticeReviewTask,
    HelpedSignal,
    Membership,
    Post,
    ServiceArea,
    ThreadPage,
    Visibility,
)
from communities.people.services.communities import do_create_community
from communities.people.services.membership import do_join
from communities.permissions import (
    GOOD_PRACTICE_EDITORS,
    SELF_REVIEW_REFUSAL,
    can_edit_good_practice,
    can_review_good_practice,
    community_of,
    is_good_practice_author,
    membership_of,
)
from hub.floor.actor import Actor, AuthenticatedActor

WORKFLOW_NAME = "Good practice review"
TASK_NAME = "Review by good practice editors or community facilitators"
QUESTIONS_COMMUNITY_SLUG = "good-practice-questions"
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")

# -- Setup ------------------------------------------------------------------------------------

# The starting vocabulary of service areas (editors extend it in the admin's snippets).
SERVICE_AREAS: dict[str, list[str]] = {
    "Adult social care": [
        "Safeguarding",
        "Home care",
        "Adaptations and equipment",
        "Hospital discharge",
    ],
    "Children's services": ["SEND", "Early help", "Children in care"],
    "Housing": [
        "Homelessness and temporary accommodation",
        "Private rented sector",
        "Housing delivery",
    ],
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
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=library,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    task = GoodPracticeReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GoodPracticeReviewTask.objects.create(name=TASK_NAME)
    task.groups.add(group)
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=library, defaults={"workflow": workflow})


@transaction.atomic
def do_make_good_practice_editor(user: AuthenticatedActor) -> None:
    """Make ``user`` one of the library's editors (they review case studies and use the admin's
    good-practice pages). Idempotent."""
    ensure_good_practice_library()
    user.groups.add(Group.objects.get(name=GOOD_PRACTICE_EDITORS))


# -- Submission and review --------------------------------------------------------------------

SCALAR_FIELDS = (
    "title",
    "summary",
    "problem",
    "approach",
    "outcomes",
    "evidence",
    "cost_amount",
    "savings_amount",
    "body",
    "savings_period",
    "savings_measurement",
    "contact",
    "practice_date",
    "status",
    "licence",
    "image",
    "image_alt",
)
RELATION_FIELDS = ("councils", "service_areas", "communities")


def _apply(page: GoodPracticePage, data: dict[str, Any], user: Actor | None = None) -> None:
    if data.get("image_file"):
        upload = data["image_file"]
        page.image = get_image_model().objects.create(
            title=(data.get("image_alt") or data.get("title") or "Case study image")[:255],
            file=upload,
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


def _body_with(body: Iterable[Any], parts: dict[str, Any]) -> list[tuple[str, Any]]:
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
def do_create_good_practice(
    *, author: Actor, data: dict[str, Any], submit: bool = False
) -> GoodPracticePage:
    """A new draft case study by ``author`` (any signed-in member), sent for review if ``submit``."""
    library = GoodPracticeIndexPage.objects.get()
    page = GoodPracticePage(author=author, owner=author, live=False, contact=author)
    _apply(page, data, author)
    library.add_child(instance=page)
    page.save_revision(user=author)
    if submit:
        do_submit_for_review(page, author)
    return page


def check_can_edit_good_practice(user: Actor, page: GoodPracticePage) -> None:
    if not can_edit_good_practice(user, page):
        raise Refusal("Only the author can edit this case study.")


@transaction.atomic
def do_update_good_practice(
    page: GoodPracticePage, user: Actor, data: dict[str, Any], submit: bool = False
) -> GoodPracticePage:
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
def do_submit_for_review(page: GoodPracticePage, user: Actor) -> WorkflowState:
    """Send the latest revision to the library's review workflow (or resume it after changes were asked for)."""
    check_can_edit_good_practice(user, page)
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        with announced_here():
            state.resume(user=user)
        announce("good_practice", [page.pk], "submitted", actor=_signed_in(user))
        return state
    if state is not None:
        return state  # already in review
    workflow = page.get_workflow()
    if workflow is None:
        raise Refusal(
            "The good practice library has no review workflow; ask site staff to run setup.", 400
        )
    with announced_here():
        state = workflow.start(page, user)
    announce("good_practice", [page.pk], "submitted", actor=_signed_in(user))
    return state


def _signed_in(user: Actor) -> AuthenticatedActor | None:
    return user if user.is_authenticated else None


def check_can_review_good_practice(page: GoodPracticePage, reviewer: Actor) -> None:
    """Refuse a review by the case study's own author (whoever else they are: editor, staff,
    facilitator of a linked community), saying why, or by anyone who is not a reviewer."""
    if is_good_practice_author(reviewer, page):
        raise Refusal(SELF_REVIEW_REFUSAL)
    if not can_review_good_practice(reviewer, page):
        raise Refusal("You cannot review this case study.")


@transaction.atomic
def do_review_good_practice(
    page: GoodPracticePage, reviewer: Actor, *, approve: bool, comment: str = ""
) -> None:
    """Approve (and so publish) or ask for changes, as the current review task allows ``reviewer``;
    never by the case study's author (``check_can_review_good_practice``)."""
    check_can_review_good_practice(page, reviewer)
    state = page.current_workflow_state
    if (
        state is None
        or state.status != WorkflowState.STATUS_IN_PROGRESS
        or state.current_task_state is None
    ):
        raise Refusal("This case study is not awaiting review.", 400)
    task_state = state.current_task_state.specific
    task = task_state.task.specific
    action = "approve" if approve else "reject"
    if action not in {name for name, _label, _needs_data in task.get_actions(page, reviewer)}:
        raise Refusal("You cannot review this case study.")
    # The review task offers no action to anonymous visitors.
    reviewer = cast(AuthenticatedActor, reviewer)
    with announced_here():
        task.on_action(task_state, reviewer, action, comment=comment)
    # The author hears of the decision, with the reviewer's comment (``comment`` in the details).
    if approve and GoodPracticePage.objects.filter(pk=page.pk, live=True).exists():
        announce("good_practice", [page.pk], "published", actor=reviewer, comment=comment)
    elif not approve:
        announce("good_practice", [page.pk], "changes_requested", actor=reviewer, comment=comment)


# -- Reuse signals and discussion -------------------------------------------------------------


def check_can_signal_reuse(user: Actor, page: GoodPracticePage) -> None:
    if not user.is_authenticated:
        raise Refusal("Sign in to say this helped you or that your council adopted it.")
    if not page.live:
        raise Refusal("Only published case studies take reuse signals.")


def do_mark_helped(page: GoodPracticePage, user: Actor) -> bool:
    """Record "This helped me"; once per member. Returns whether it was new."""
    check_can_signal_reuse(user, page)
    user = cast(AuthenticatedActor, user)  # check_can_signal_reuse refuses anonymous visitors
    try:
        with transaction.atomic():
            _signal, created = HelpedSignal.objects.get_or_create(page=page, user=user)
    except IntegrityError:  # a simultaneous click by the same member
        return False
    return created


def do_record_adoption(page: GoodPracticePage, user: Actor, note: str = "") -> Adoption:
    """Record that the member's council (from their profile) adopted this; once per member,
    a second time updates the note."""
    check_can_signal_reuse(user, page)
    user = cast(AuthenticatedActor, user)  # check_can_signal_reuse refuses anonymous visitors
    profile = getattr(user, "profile", None)
    council = profile.council if profile else None
    if council is None:
        raise Refusal(
            "Add your council to your profile first, so we know which council adopted this."
        )
    with transaction.atomic():
        adoption, _ = Adoption.objects.update_or_create(
            page=page, user=user, defaults={"council": council, "note": note.strip()[:1000]}
        )
    return adoption


def _questions_community() -> CommunityPage:
    """The hub-wide open community that holds the case studies' question threads (made on first use)."""
    community = CommunityPage.objects.filter(slug=QUESTIONS_COMMUNITY_SLUG).first()
    if community is None:
        community = do_create_community(
            index=CommunityIndexPage.objects.get(),
            title="Good practice questions",
            slug=QUESTIONS_COMMUNITY_SLUG,
            visibility=Visibility.OPEN,
            tags=["good practice"],
            description="Questions and answers about the case studies in the good practice library, one thread each.",
        )
    return community


MAX_QUESTION_LENGTH = 10000


def check_can_ask_question(
    user: Actor, page: GoodPracticePage, question: str, idempotency_key: uuid.UUID | None = None
) -> str:
    """Validate a question on a case study; returns it cleaned. The same limits as any post apply:
    the hourly rate limit (unless this submission already arrived: the idempotency key)."""
    if not user.is_authenticated:
        raise Refusal("Sign in to ask a question.")
    if not page.live:
        raise Refusal("Questions can be asked about published case studies only.")
    if not question.strip():
        raise Invalid("Write your question.")
    if len(question) > MAX_QUESTION_LENGTH:
        raise Invalid("Keep your question under 10,000 characters.")
    already = idempotency_key is not None and (
        ThreadPage.objects.filter(author=user, idempotency_key=idempotency_key).exists()
        or Post.objects.filter(author=user, idempotency_key=idempotency_key).exists()
    )
    if not already:
        has_thread = GoodPracticeDiscussion.objects.filter(page=page).exists()
        check_rate_limit(user, new_thread=not has_thread)
    return question.strip()


@transaction.atomic
def do_ask_question(
    page: GoodPracticePage,
    user: AuthenticatedActor,
    question: str,
    idempotency_key: uuid.UUID | None = None,
) -> ThreadPage:
    """Ask about a case study in its question thread, which the first question starts in the
    hub-wide "Good practice questions" community; the caller has run ``check_can_ask_question``.
    Asking there joins that open community, as its one-click join would; a member banned from it
    cannot ask. A repeated ``idempotency_key`` (a double-submitted form) asks once."""
    GoodPracticePage.objects.select_for_update().filter(
        pk=page.pk
    ).first()  # one thread per case study
    if idempotency_key is not None:
        asked = ThreadPage.objects.filter(author=user, idempotency_key=idempotency_key).first()
        replied = (
            Post.objects.filter(author=user, idempotency_key=idempotency_key)
            .select_related("thread")
            .first()
        )
        if asked is not None:
            return asked
        if replied is not None:
            return replied.thread
    discussion = GoodPracticeDiscussion.objects.filter(page=page).select_related("thread").first()
    community = community_of(discussion.thread) if discussion else _questions_community()
    membership = membership_of(user, community)
    if membership is None or not membership.is_active:
        try:
            do_join(user, community)  # the same rules as the community's own join button
        except Refusal as refusal:
            if membership is not None and membership.status == Membership.Status.BANNED:
                raise Refusal("You cannot post in the good practice questions community.") from None
            raise Refusal(f"Only members of the community can ask here. {refusal}") from None
    check_can_post(
        user, community, discussion.thread if discussion else None
    )  # and as its reply form
    question = question.strip()
    if discussion is not None:
        post = do_reply(
            thread=discussion.thread, author=user, body=question, idempotency_key=idempotency_key
        )
        announce(
            "good_practice", [page.pk], "asked", actor=user, thread=discussion.thread, post=post
        )
        return discussion.thread
    thread = do_start_thread(
        community=community,
        author=user,
        title=f"Questions about: {page.title}"[:255],
        body=f"{question}\n\n*About the case study [{page.title}]({page.url or ''}).*",
        tags=["good practice"],
        idempotency_key=idempotency_key,
    )
    GoodPracticeDiscussion.objects.get_or_create(page=page, defaults={"thread": thread})
    announce("good_practice", [page.pk], "asked", actor=user, thread=thread, post=None)
    return thread
