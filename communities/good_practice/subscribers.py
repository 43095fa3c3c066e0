"""The people a case study's workflow concerns hear of each step (``communities.events``).

Sent for review: its reviewers. Published or sent back: its author, with the reviewer's comment.
A question on it: its author and its contact. Registered once, in ``CommunitiesConfig.ready()``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from communities.discussions.services.notifications import (
    do_settle_review_notifications,
    notify_about,
)
from communities.events import ContentChanged, subscribe
from communities.models import GoodPracticePage, Membership, Notification, Post, ThreadPage
from communities.permissions import (
    GOOD_PRACTICE_EDITORS,
    can_read_community,
    can_review_good_practice,
    can_view_good_practice_draft,
    community_of,
)


def _reviewer_candidates(page: GoodPracticePage) -> list[int]:
    """Editors, site staff and facilitators of a linked community (``can_review_good_practice``
    then decides for each)."""
    facilitators = Membership.objects.filter(
        community__in=page.communities.all(),
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.FACILITATOR, Membership.Role.OWNER],
    ).values("user_id")
    return list(
        get_user_model()
        .objects.filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(groups__name=GOOD_PRACTICE_EDITORS)
            | Q(pk__in=facilitators)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def notify_case_study_people(event: ContentChanged) -> None:
    if event.kind != "good_practice":
        return
    for page in GoodPracticePage.objects.filter(pk__in=event.ids):
        author = page.author_id if page.author_id is not None else page.owner_id
        comment = str(event.details.get("comment") or "")
        if event.change == "submitted":
            notify_about(
                _reviewer_candidates(page),
                Notification.Kind.REVIEW,
                may_see=lambda user, page=page: can_review_good_practice(user, page),
                actor=event.actor,
                good_practice=page,
            )
        elif event.change in {"published", "changes_requested"} and event.actor is not None:
            do_settle_review_notifications(page)
            notify_about(
                [author],
                Notification.Kind.PUBLISHED
                if event.change == "published"
                else Notification.Kind.CHANGES,
                may_see=lambda user, page=page: can_view_good_practice_draft(user, page),
                actor=event.actor,
                good_practice=page,
                message=comment,
            )
        elif event.change == "asked":
            thread = event.details.get("thread")
            post = event.details.get("post")
            if not isinstance(thread, ThreadPage):
                continue
            notify_about(
                [author, page.contact_id],
                Notification.Kind.QUESTION,
                may_see=lambda user, thread=thread: can_read_community(user, community_of(thread)),
                actor=event.actor,
                good_practice=page,
                thread=thread,
                post=post if isinstance(post, Post) else None,
                message=(post.body if isinstance(post, Post) else thread.body)[:2000],
            )


def register_subscribers() -> None:
    subscribe("communities.good_practice", notify_case_study_people)
