"""Signal handlers of the communities app, connected once in ``CommunitiesConfig.ready()``."""

from __future__ import annotations

from wagtail.signals import post_page_move


def keep_thread_community_in_step(sender, instance, parent_page_after, **kwargs) -> None:
    """A moved thread belongs to the community it was moved under (permissions filter on it)."""
    from communities.models import ThreadPage

    ThreadPage.objects.filter(pk=instance.pk).update(community_id=parent_page_after.pk)


def register_signal_handlers() -> None:
    from communities.models import ThreadPage

    post_page_move.connect(
        keep_thread_community_in_step, sender=ThreadPage, dispatch_uid="communities-thread-community"
    )
