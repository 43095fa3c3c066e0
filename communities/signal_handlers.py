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
    from communities.models import ThreadPage

    post_page_move.connect(
        keep_thread_community_in_step,
        sender=ThreadPage,
        dispatch_uid="communities-thread-community",
    )
