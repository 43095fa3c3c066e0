"""Search through the database (Wagtail's database search), with the same permission rules.

Used when ``ELASTICSEARCH_URL`` is unset and whenever Elasticsearch fails. Fewer features than
Elasticsearch: no synonyms, spelling suggestions, highlights or recency boost, and the only facet
is the type of content; results are grouped by type rather than ranked across types.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.html import escape

from communities.models import GoodPracticePage, Profile
from communities.permissions import (
    listable_communities,
    readable_posts,
    readable_threads,
    visible_profile_filter,
)
from hub.floor.actor import Actor
from search.documents import DOC_TYPES, page_url, profile_url
from search.queries import PER_PAGE, FacetResult, FacetValue, Hit, SearchParams, SearchResults

LIMIT = 200  # matches considered per type of content


def visible_querysets(user: Actor) -> dict[str, QuerySet[Any]]:
    """Per type of content, what ``user`` may see: the database twin of ``permission_filter``."""
    return {
        "community": listable_communities(user),
        "thread": readable_threads(user),
        "post": readable_posts(user).select_related("thread"),
        "good_practice": GoodPracticePage.objects.published(),
        "profile": Profile.objects.filter(visible_profile_filter(user), user__is_active=True),
    }


def _matches(doc_type: str, queryset: QuerySet[Any], q: str) -> list[Any]:
    if doc_type in ("post", "profile"):  # not in Wagtail's search index: a plain text match
        field = "body" if doc_type == "post" else "display_name"
        return list(queryset.filter(**{f"{field}__icontains": q}).order_by("-pk")[:LIMIT])
    # Wagtail's searchable (page) querysets, untyped: a QuerySet as far as mypy knows
    return list(queryset.search(q, operator="and")[:LIMIT])  # type: ignore[attr-defined]


def _hit(doc_type: str, obj: Any) -> Hit:
    label = DOC_TYPES[doc_type].label
    if doc_type == "post":
        return Hit(
            f"post-{obj.pk}",
            "post",
            label,
            f"Reply in “{obj.thread.title}”",
            f"{page_url(obj.thread)}#post-{obj.pk}",
            escape(obj.body[:240]),
            str(obj.created_at)[:10],
        )
    if doc_type == "profile":
        return Hit(
            f"profile-{obj.pk}",
            "profile",
            label,
            obj.display_name,
            profile_url(obj.user_id),
            escape(obj.job_title),
            None,
        )
    summary = (
        getattr(obj, "summary", "") or getattr(obj, "description", "") or getattr(obj, "body", "")
    )
    return Hit(
        f"{doc_type}-{obj.pk}",
        doc_type,
        label,
        obj.title,
        page_url(obj),
        escape(summary[:240]),
        str(obj.first_published_at or "")[:10] or None,
    )


def database_search(user: Actor, params: SearchParams, notice: str = "") -> SearchResults:
    """Results for ``params.q`` that ``user`` may see, filtered by type if asked."""
    notices = list(params.notices) + ([notice] if notice else [])
    other_filters = [p for p in params.filters if p != "type"]
    if other_filters:
        notices.append("Filters other than the type of content are not available right now.")
    if not params.q:
        return SearchResults(params, 0, [], [], "database", notices=notices)
    by_type = {name: _matches(name, qs, params.q) for name, qs in visible_querysets(user).items()}
    wanted = params.filters.get("type") or list(by_type)
    everything = [(name, obj) for name in DOC_TYPES if name in wanted for obj in by_type[name]]
    pages = max(1, -(-len(everything) // PER_PAGE))
    page = min(params.page, pages)
    chosen = everything[(page - 1) * PER_PAGE : page * PER_PAGE]
    facet = FacetResult(
        "type",
        "Type of content",
        [
            FacetValue(
                name, DOC_TYPES[name].label, len(found), name in (params.filters.get("type") or [])
            )
            for name, found in by_type.items()
            if found
        ],
    )
    return SearchResults(
        params,
        len(everything),
        [_hit(n, o) for n, o in chosen],
        [facet] if facet.values else [],
        "database",
        page=page,
        notices=notices,
    )
