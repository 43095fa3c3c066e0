"""Related content, worked out when a thread or case study changes rather than on every view.

A service that publishes, edits, moves or unhides a thread or case study announces it
(``communities.events``); the subscriber below then queues ``refresh_related`` for after the
commit, which asks Elasticsearch for the pages most like it (by its text, so the page's own
document need not be indexed yet) and stores their ids (``communities.models.RelatedContent``).
The page shows them filtered by what its reader may see. It lives in the hub's shell because it
joins search (which imports communities) and the communities' services.
"""

from __future__ import annotations

import logging

from django_tasks import task
from wagtail.models import Page

from communities.discussions.services.related import do_store_related
from communities.events import ContentChanged, subscribe
from communities.models import GoodPracticePage, ThreadPage
from hub.floor.tasks import enqueue_on_commit
from search.client import SEARCH_ERRORS, is_enabled
from search.queries import related_page_ids

logger = logging.getLogger(__name__)

CHANGES = {"published", "edited", "moved", "unhidden"}


def _text(page: Page) -> tuple[str, dict[str, str]] | None:
    if isinstance(page, ThreadPage):
        return f"thread-{page.pk}", {"title": page.title, "body": page.body}
    if isinstance(page, GoodPracticePage):
        body = "\n".join([page.problem, page.approach, page.outcomes])
        return f"good_practice-{page.pk}", {
            "title": page.title,
            "summary": page.summary,
            "body": body,
        }
    return None


@task()
def refresh_related(page_ids: list[int]) -> int:
    """Work out and store the related content of these pages; returns how many were stored."""
    if not is_enabled():
        return 0
    stored = 0
    for page in Page.objects.filter(pk__in=page_ids).specific():
        found = _text(page)
        if found is None:
            continue
        doc_id, text = found
        try:
            ids = related_page_ids(doc_id, text)
        except SEARCH_ERRORS as exc:  # kept as it was; the next change works it out again
            logger.warning("related content of %s not worked out: %s", doc_id, exc)
            continue
        do_store_related(page.pk, ids)
        stored += 1
    return stored


def related_changed(event: ContentChanged) -> None:
    if event.kind in ("thread", "good_practice") and event.change in CHANGES and is_enabled():
        enqueue_on_commit("hub.related.refresh_related", sorted(event.ids))


def register_subscriber() -> None:
    subscribe("hub-related-content", related_changed)
