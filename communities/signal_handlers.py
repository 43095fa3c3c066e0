"""Signal handlers of the communities app, connected once in ``CommunitiesConfig.ready()``."""

from __future__ import annotations

from wagtail.signals import post_page_move


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
# these dispatch ids are taken first by a receiver that sends nothing, and Wagtail's admin app,
# which is ready after this one, does not connect its own under them.
WAGTAIL_WORKFLOW_EMAILS = (
    ("task_submitted", "TaskState", "group_approval_task_submitted_email_notification"),
    ("workflow_submitted", "WorkflowState", "workflow_state_submitted_email_notification"),
    ("workflow_rejected", "WorkflowState", "workflow_state_rejected_email_notification"),
    ("workflow_approved", "WorkflowState", "workflow_state_approved_email_notification"),
)


def told_by_the_hub(sender, **kwargs) -> None:
    """Stands in for a Wagtail workflow email: the hub's notifications say it instead."""


def replace_wagtail_workflow_emails() -> None:
    from wagtail import models, signals

    for signal_name, sender_name, dispatch_uid in WAGTAIL_WORKFLOW_EMAILS:
        getattr(signals, signal_name).connect(
            told_by_the_hub, sender=getattr(models, sender_name), dispatch_uid=dispatch_uid
        )


def register_signal_handlers() -> None:
    from communities.models import ThreadPage

    replace_wagtail_workflow_emails()

    post_page_move.connect(
        keep_thread_community_in_step,
        sender=ThreadPage,
        dispatch_uid="communities-thread-community",
    )
