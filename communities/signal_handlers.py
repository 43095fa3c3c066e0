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


def register_signal_handlers() -> None:
    from django.db.models.signals import post_delete, post_save

    from communities.events import subscribe
    from communities.models import EmailConfirmation, Membership, ThreadPage
    from communities.permissions import forget_memoised_reads

    # A request that changes a membership or a confirmation reads them afresh afterwards; the
    # services' announcements say so, the model signals catch changes made outside them.
    subscribe("communities-forget-memoised-reads", forget_memoised_reads)
    for model in (Membership, EmailConfirmation):
        post_save.connect(forget_memoised_reads, sender=model, dispatch_uid=f"memo-save-{model}")
        post_delete.connect(
            forget_memoised_reads, sender=model, dispatch_uid=f"memo-delete-{model}"
        )

    post_page_move.connect(
        keep_thread_community_in_step,
        sender=ThreadPage,
        dispatch_uid="communities-thread-community",
    )
