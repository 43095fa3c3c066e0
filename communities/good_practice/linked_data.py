"""The hub's public content handed to linked data as plain records, and kept current there.

What is public is decided here only through ``communities.permissions``, asked as an anonymous
reader: open communities (``readable_communities``), their live threads (``readable_threads``),
published case studies (``access_good_practice``'s own ``published()``), and an author's name only
where ``can_see_profile`` lets an anonymous reader see their profile. Linked data
(``linkeddata.services.content``) publishes exactly what ``content_records`` returns.

Every announced change that can alter what the public sees (``communities.events``) marks the
content graph for rebuilding in the announcing transaction, through linked data's outbox, exactly as
search notes its documents; the rebuild runs after the commit. Registered once, in
``CommunitiesConfig.ready()``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from communities.events import ContentChanged, announced_by_a_service, subscribe
from communities.models import (
    CommunityPage,
    GoodPracticeIndexPage,
    GoodPracticePage,
    Profile,
    ServiceArea,
    ThreadPage,
)
from communities.permissions import can_see_profile, readable_communities, readable_threads
from linkeddata.models import Dataset
from linkeddata.services.content import (
    CommunityRecord,
    ContentKind,
    ContentRecords,
    EvidenceRecord,
    PracticeRecord,
    ServiceAreaRecord,
    ThreadRecord,
    evidence_period_code,
    provide_content,
)
from linkeddata.services.publish import record_content_change
from linkeddata.uris import base_uri

# Announced changes that alter nothing in the graph: who belongs (readers change, not content), how a
# thread is shown, and the steps of the review workflow (publication itself is announced as such).
UNPUBLISHED_CHANGES = {
    "membership",
    "locked",
    "answered",
    "submitted",
    "changes_requested",
    "asked",
    "flagged",
}
PAGE_TYPES = (CommunityPage, ThreadPage, GoodPracticePage)


def _url(page: Page) -> str:
    return page.get_full_url() or f"{base_uri()}{page.get_url() or ''}"


def _community_records(key: str | None) -> list[CommunityRecord]:
    communities = readable_communities(AnonymousUser())
    if key is not None:
        communities = communities.filter(slug=key)
    return [
        CommunityRecord(
            slug=c.slug,
            title=c.title,
            description=c.description,
            url=_url(c),
            created=c.first_published_at,
            modified=c.last_published_at,
        )
        for c in communities.order_by("pk")
    ]


def _thread_records(key: str | None) -> list[ThreadRecord]:
    anonymous = AnonymousUser()
    threads = readable_threads(anonymous).select_related(
        "community", "author__profile", "figure_area", "figure_dataset", "figure_period"
    )
    if key is not None:
        if not key.isdigit():
            return []
        threads = threads.filter(pk=int(key))
    records = []
    for thread in threads.order_by("pk"):
        profile = getattr(thread.author, "profile", None) if thread.author else None
        records.append(
            ThreadRecord(
                id=thread.pk,
                title=thread.title,
                url=_url(thread),
                community_slug=thread.community.slug,
                created=thread.first_published_at,
                modified=thread.last_published_at,
                author_name=profile.display_name if can_see_profile(anonymous, profile) else None,
                figure=(
                    (
                        thread.figure_dataset.slug,
                        str(thread.figure_area.gss_code),
                        thread.figure_period.code,
                    )
                    if thread.figure_dataset and thread.figure_area and thread.figure_period
                    else None
                ),
            )
        )
    return records


def _evidence(page: GoodPracticePage, datasets: dict[str, str]) -> tuple[EvidenceRecord, ...]:
    found = []
    for block in page.body:
        if block.block_type != "benchmark_evidence":
            continue
        value = block.value
        measure = str(value.get("measure") or "").strip()
        gss = str(value.get("area") or "").strip().upper()
        periods = tuple(
            code
            for label in (value.get("period_before"), value.get("period_after"))
            if label and (code := evidence_period_code(str(label)))
        )
        if measure and gss:
            found.append(EvidenceRecord(datasets.get(measure, measure), measure, gss, periods))
    return tuple(found)


def _practice_records(key: str | None) -> list[PracticeRecord]:
    pages = GoodPracticePage.objects.published().prefetch_related("councils", "service_areas")
    if key is not None:
        pages = pages.filter(slug=key)
    datasets = dict(Dataset.objects.values_list("measure__slug", "slug"))
    return [
        PracticeRecord(
            slug=page.slug,
            title=page.title,
            summary=page.summary,
            outcomes=page.outcomes,
            url=_url(page),
            issued=page.first_published_at,
            modified=page.last_published_at,
            licence_url=page.licence_url,
            councils=tuple(sorted(a.gss_code for a in page.councils.all() if a.gss_code)),
            service_areas=tuple(sorted(s.slug for s in page.service_areas.all())),
            evidence=_evidence(page, datasets),
            practice_date=page.practice_date,
        )
        for page in pages.order_by("pk")
    ]


def content_records(kind: ContentKind | None = None, key: str | None = None) -> ContentRecords:
    """Every piece of content an anonymous reader may see (``kind`` None), or the one item of that
    kind and key (a slug; a thread's id) if it is public."""
    index = GoodPracticeIndexPage.objects.live().public().first()
    library = _url(index) if index is not None else ""
    return ContentRecords(
        communities=_community_records(key) if kind in (None, "community") else [],
        threads=_thread_records(key) if kind in (None, "thread") else [],
        practice=_practice_records(key) if kind in (None, "practice") else [],
        service_areas=_service_area_records(library)
        if kind in (None, "practice", "service-area", "service-areas")
        else [],
        library_url=library,
    )


def _service_area_records(library: str) -> list[ServiceAreaRecord]:
    return [
        ServiceAreaRecord(
            slug=s.slug,
            name=s.name,
            description=s.description,
            parent_slug=s.parent.slug if s.parent else None,
            url=f"{library}?{urlencode({'service_area': s.slug})}" if library else "",
        )
        for s in ServiceArea.objects.select_related("parent").order_by("pk")
    ]


def publish_announced_change(event: ContentChanged) -> None:
    """Mark the content graph for rebuilding in the announcing transaction (replies are not in it)."""
    if event.kind == "post" or event.change in UNPUBLISHED_CHANGES:
        return
    record_content_change()


def _page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    """Backstop for pages published, unpublished, moved or deleted outside the services."""
    if announced_by_a_service():
        return
    page = instance.specific if hasattr(instance, "specific") else instance
    if isinstance(page, PAGE_TYPES):
        record_content_change()


def _profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    record_content_change()


def register_linked_data() -> None:
    provide_content(content_records)
    subscribe("linkeddata.content", publish_announced_change)
    page_published.connect(_page_changed, dispatch_uid="linkeddata-content-published")
    page_unpublished.connect(_page_changed, dispatch_uid="linkeddata-content-unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="linkeddata-content-moved")
    for model in PAGE_TYPES:
        post_delete.connect(
            _page_changed, sender=model, dispatch_uid=f"linkeddata-content-delete-{model.__name__}"
        )
    post_delete.connect(_profile_deleted, sender=Profile, dispatch_uid="linkeddata-content-profile")
