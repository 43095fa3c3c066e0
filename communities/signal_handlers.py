"""Signal handlers of the communities app, connected once in ``CommunitiesConfig.ready()``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wagtail.signals import post_page_move

if TYPE_CHECKING:
    from communities.events import Change


def keep_thread_community_in_step(sender, instance, **kwargs) -> None:
    """A moved thread belongs to the community it was moved under (permissions filter on it)."""
    from communities.models import ThreadPage

    thread = ThreadPage.objects.get(pk=instance.pk)
    # save() takes the community from the (moved) page path and sends post_save, so anything
    # that follows thread saves (search indexing, for one) sees the new community too.
    thread.save(clean=False, update_fields=["community"])


# Wagtail's own workflow emails (to moderators on submission, to the submitter on approval or
# rejection) go straight through Django's mail, ignoring each member's email setting. The hub tells
# those people itself (``communities.good_practice.subscribers``, through ``hub.floor.mail``), so
# these dispatch ids are taken first by the hub's receivers, and Wagtail's admin app, which is
# ready after this one, does not connect its own under them. The hub's receivers are the backstop
# for a review step taken in Wagtail's admin: they announce it as the good-practice services do.
WAGTAIL_WORKFLOW_EMAILS = {
    "task_submitted": ("TaskState", "group_approval_task_submitted_email_notification"),
    "workflow_submitted": ("WorkflowState", "workflow_state_submitted_email_notification"),
    "workflow_rejected": ("WorkflowState", "workflow_state_rejected_email_notification"),
    "workflow_approved": ("WorkflowState", "workflow_state_approved_email_notification"),
}
ANNOUNCED_AS: dict[str, Change] = {
    "workflow_submitted": "submitted",
    "workflow_rejected": "changes_requested",
    "workflow_approved": "published",
}


def review_step_in_the_admin(signal_name: str):
    """A receiver that announces a case study's review step taken outside the services (in
    Wagtail's admin); the services announce their own (``communities.events.announced_here``)."""

    def receiver(sender, instance=None, user=None, **kwargs) -> None:
        from communities.events import announce, announced_by_a_service
        from communities.models import GoodPracticePage

        change = ANNOUNCED_AS.get(signal_name)
        if change is None or instance is None or announced_by_a_service():
            return
        page = instance.content_object
        page = getattr(page, "specific", page)
        if not isinstance(page, GoodPracticePage):
            return
        last = instance.task_states.order_by("-started_at", "-pk").first()
        actor = user or (last.finished_by if last is not None else None)
        if (
            change == "published"
            and not GoodPracticePage.objects.filter(pk=page.pk, live=True).exists()
        ):
            return
        comment = (last.comment if last is not None else "") if change != "submitted" else ""
        announce("good_practice", [page.pk], change, actor=actor, comment=comment)

    return receiver


def replace_wagtail_workflow_emails() -> None:
    from wagtail import models, signals

    for signal_name, (sender_name, dispatch_uid) in WAGTAIL_WORKFLOW_EMAILS.items():
        getattr(signals, signal_name).connect(
            review_step_in_the_admin(signal_name),
            sender=getattr(models, sender_name),
            dispatch_uid=dispatch_uid,
            weak=False,
        )


def register_signal_handlers() -> None:
    from django.db.models.signals import post_delete, post_save

    from communities.events import subscribe
    from communities.models import EmailConfirmation, Membership, ThreadPage
    from communities.permissions import forget_memoised_reads
    from hub.floor.pagecache import bump as bump_page_generation

    # A request that changes a membership or a confirmation reads them afresh afterwards; the
    # services' announcements say so, the model signals catch changes made outside them.
    subscribe("communities-forget-memoised-reads", forget_memoised_reads)
    # Pages kept for visitors who are not signed in are out of date once anything is announced.
    subscribe("hub-page-cache", lambda event: bump_page_generation())
    for model in (Membership, EmailConfirmation):
        post_save.connect(forget_memoised_reads, sender=model, dispatch_uid=f"memo-save-{model}")
        post_delete.connect(
            forget_memoised_reads, sender=model, dispatch_uid=f"memo-delete-{model}"
        )

    replace_wagtail_workflow_emails()

    post_page_move.connect(
        keep_thread_community_in_step,
        sender=ThreadPage,
        dispatch_uid="communities-thread-community",
    )
