"""Storing a page's related content, worked out after the page changed (``hub.related``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from communities.models.related import RelatedContent


@transaction.atomic
def do_store_related(page_id: int, page_ids: list[int]) -> None:
    """Replace what is stored as related to page ``page_id`` (ids most alike first)."""
    RelatedContent.objects.update_or_create(
        page_id=page_id,
        defaults={"page_ids": [int(pk) for pk in page_ids], "computed_at": timezone.now()},
    )
