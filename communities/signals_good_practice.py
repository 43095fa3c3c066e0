"""Signal handlers of the good-practice library."""

from __future__ import annotations

from wagtail.signals import page_published


def _open_discussion_on_publish(sender, instance, **kwargs) -> None:
    """Every published case study gets its question thread, in the same transaction."""
    from communities.services.good_practice import do_ensure_discussion

    do_ensure_discussion(instance)


def register_good_practice_signal_handlers() -> None:
    from communities.models import GoodPracticePage

    page_published.connect(_open_discussion_on_publish, sender=GoodPracticePage, dispatch_uid="good_practice_discussion")
