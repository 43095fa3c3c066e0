"""Saved searches set to "straight away" hear of content as it is published (``communities.events``)."""

from __future__ import annotations

from communities.alerts import on_unsubscribe
from communities.events import ContentChanged, subscribe
from hub.floor.tasks import enqueue_on_commit
from search.saved.matching import DELIVERED_TYPES
from search.saved.services import unsubscribe


def match_published(event: ContentChanged) -> None:
    """After the commit, run the "straight away" saved searches against what was published."""
    if event.change == "published" and event.kind in DELIVERED_TYPES:
        enqueue_on_commit("search.saved.tasks.match_new_content", event.kind, sorted(event.ids))


def register_subscribers() -> None:
    subscribe("search.saved_searches", match_published)
    on_unsubscribe("saved-search", unsubscribe)
