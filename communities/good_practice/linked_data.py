"""The hub's public content handed to linked data as plain records, and kept current there.

What is public is decided here only through ``communities.permissions``, asked as an anonymous
reader: open communities (``readable_communities``), their live threads (``readable_threads``),
published case studies (``access_good_practice``'s own ``published()``), and an author's name only
where ``can_see_profile`` lets an anonymous reader see their profile. Linked data
(``linkeddata.services.content``) publishes exactly what ``content_records`` returns.

Every announced change that can alter what the public sees (``communities.events``) names the items
of the content graph it affects (``ContentItem``: the thread; the community, with its threads; the
case study and the service areas' scheme; a profile's threads, which carry the author's name) in the
announcing transaction, through linked data's outbox, exactly as search notes its documents; after the
commit only their triples are replaced. Registered once, in ``CommunitiesConfig.ready()``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, Min
from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

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
    ContentItem,
    ContentRecords,
    ContentSummary,
    EvidenceRecord,
    PracticeRecord,
    ServiceAreaRecord,
    SourceKind,
    ThreadRecord,
    evidence_period_code,
    provide_content,
    provide_content_summary,
    thread_item,
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


def _thread_records(key: str | None, community: str | None = None) -> list[ThreadRecord]:
    anonymous = AnonymousUser()
    threads = readable_threads(anonymous).select_related(
        "community", "author__profile", "figure_area", "figure_dataset", "figure_period"
    )
    if community is not None:
        threads = threads.filter(community__slug=community)
    elif key is not None:
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


def content_records(kind: SourceKind | None = None, key: str | None = None) -> ContentRecords:
    """Every piece of content an anonymous reader may see (``kind`` None), the one item of that
    kind and key (a slug; a thread's id) if it is public, or (``community-threads``) the public
    threads of the community whose slug is ``key``."""
    index = GoodPracticeIndexPage.objects.live().public().first()
    library = _url(index) if index is not None else ""
    return ContentRecords(
        communities=_community_records(key) if kind in (None, "community") else [],
        threads=(
            _thread_records(key)
            if kind in (None, "thread")
            else _thread_records(None, community=key or "")
            if kind == "community-threads"
            else []
        ),
        practice=_practice_records(key) if kind in (None, "practice") else [],
        service_areas=_service_area_records(library)
        if kind in (None, "practice", "service-area", "service-areas")
        else [],
        library_url=library,
    )


def content_summary() -> ContentSummary | None:
    """When the public content was first published and last changed (three aggregate queries)."""
    anonymous = AnonymousUser()
    first, last = [], []
    for pages in (
        readable_communities(anonymous),
        readable_threads(anonymous),
        GoodPracticePage.objects.published(),
    ):
        dates = pages.aggregate(first=Min("first_published_at"), last=Max("last_published_at"))
        first += [dates["first"]] if dates["first"] else []
        last += [dates["last"]] if dates["last"] else []
    if not first or not last:
        return None
    return ContentSummary(issued=min(first), modified=max(last))


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


SERVICE_AREAS = ContentItem("service-areas", "all")


def _page_items(page: Page) -> list[ContentItem]:
    """The content graph's items a change to ``page`` (a community, thread or case study) affects."""
    if isinstance(page, CommunityPage):
        return [ContentItem("community", page.slug)]
    if isinstance(page, ThreadPage):
        return [thread_item(page.pk)]
    if isinstance(page, GoodPracticePage):
        return [ContentItem("practice", page.slug), SERVICE_AREAS]
    return []


def announced_items(event: ContentChanged) -> list[ContentItem] | None:
    """The content graph's items an announced change affects ([]: none; None: the whole graph, when
    what it named is gone)."""
    if event.kind == "post" or event.change in UNPUBLISHED_CHANGES:
        return []
    ids = sorted(event.ids)
    if event.kind == "thread":
        return [thread_item(pk) for pk in ids]
    if event.kind == "profile":
        # The author's name is on each of their threads (shown only while their profile is public).
        threads = ThreadPage.objects.filter(author__profile__pk__in=ids).order_by("pk")
        return [thread_item(pk) for pk in threads.values_list("pk", flat=True)]
    model = CommunityPage if event.kind == "community" else GoodPracticePage
    pages = list(model.objects.filter(pk__in=ids).order_by("pk"))
    if len(pages) < len(ids):
        return None
    return [item for page in pages for item in _page_items(page)]


def publish_announced_change(event: ContentChanged) -> None:
    """Mark the items the change affects for publication, in the announcing transaction (replies are
    not in the graph)."""
    items = announced_items(event)
    if items is None or items:
        record_content_change(items)


def _page_changed(sender: Any, instance: Page, **kwargs: Any) -> None:
    """Backstop for pages published, unpublished, moved or deleted outside the services."""
    if announced_by_a_service():
        return
    page = instance.specific if hasattr(instance, "specific") else instance
    if items := _page_items(page):
        record_content_change(items)


def _slug_changed(sender: Any, instance: Page, instance_before: Page, **kwargs: Any) -> None:
    """A community or case study renamed: its former URI leaves the graph (Wagtail sends this after
    the commit, so the item is recorded in a transaction of its own)."""
    with transaction.atomic():
        record_content_change(_page_items(instance_before))


def _profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    record_content_change()  # its threads may be gone or ownerless already: rebuild it whole


def register_linked_data() -> None:
    provide_content(content_records)
    provide_content_summary(content_summary)
    subscribe("linkeddata.content", publish_announced_change)
    page_published.connect(_page_changed, dispatch_uid="linkeddata-content-published")
    page_unpublished.connect(_page_changed, dispatch_uid="linkeddata-content-unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="linkeddata-content-moved")
    page_slug_changed.connect(_slug_changed, dispatch_uid="linkeddata-content-slug")
    for model in PAGE_TYPES:
        post_delete.connect(
            _page_changed, sender=model, dispatch_uid=f"linkeddata-content-delete-{model.__name__}"
        )
    post_delete.connect(_profile_deleted, sender=Profile, dispatch_uid="linkeddata-content-profile")
