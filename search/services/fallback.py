"""Search through the database, with the same permission rules as every other surface."""

from __future__ import annotations

from wagtail.models import Page

from communities.models import CommunityPage, GoodPracticePage, ThreadPage


def database_search(user, query: str, limit: int = 200) -> list[Page]:
    """Live pages matching ``query`` that ``user`` may see: communities they may know of,
    threads in communities they may read, published good practice."""
    results: list[Page] = []
    querysets = [
        CommunityPage.objects.live().listable_for(user),
        ThreadPage.objects.live().readable_by(user),
        GoodPracticePage.objects.live(),
    ]
    for queryset in querysets:
        results.extend(queryset.search(query, operator="and")[:limit])
    return results[:limit]
