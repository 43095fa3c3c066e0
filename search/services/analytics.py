"""Search analytics: what practitioners look for and do not find, by region and period.

A search is logged without the searcher's identity: only their council and its region, when
they are signed in and have said which council they work for.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from communities.permissions import is_site_staff
from hub.floor.actor import Actor
from search.documents import parse_doc_id
from search.models import SearchClick, SearchQueryLog
from search.queries import SearchResults


def can_view_analytics(user: Actor) -> bool:
    return is_site_staff(user) or user.has_perm("search.view_searchquerylog")


def do_log_search(user: Actor, results: SearchResults) -> SearchQueryLog | None:
    """Log a search (not the first page's reloads of later pages); None for an empty search."""
    params = results.params
    if not params.q or params.page > 1:
        return None
    council = None
    if user.is_authenticated:
        council = getattr(getattr(user, "profile", None), "council", None)
    filters = "&".join(f"{k}={v}" for k, values in sorted(params.filters.items()) for v in values)[
        :300
    ]
    return SearchQueryLog.objects.create(
        query=params.q.lower()[:200],
        filters=filters,
        council=council,
        region=council.region if council else "",
        result_count=results.total,
        backend=results.backend,
    )


def logged_fields(log: SearchQueryLog) -> dict[str, Any]:
    """What ``do_log_kept_copy`` logs again for each copy of a visitor's kept results page."""
    return {
        "query": log.query,
        "filters": log.filters,
        "result_count": log.result_count,
        "backend": log.backend,
    }


def do_log_kept_copy(request: HttpRequest, fields: dict[str, Any]) -> None:
    """Log a visitor's search answered by a kept copy of its results page
    (``hub.floor.pagecache.record_each_copy``), as the search the page was made for (``fields``:
    ``logged_fields`` of its log), now. The copy's results link to clicks through that first log,
    which says the same (a visitor's log has no council), so the analytics count every search and
    every click."""
    SearchQueryLog.objects.create(**fields)


def do_record_click(search_id: str, doc_id: str, position: str) -> None:
    """Note that a result was opened; silently ignores anything malformed."""
    if (
        not str(search_id).isdecimal()
        or parse_doc_id(doc_id) is None
        or not str(position).isdecimal()
    ):
        return
    search = SearchQueryLog.objects.filter(pk=int(search_id)).first()
    if search is not None:
        SearchClick.objects.create(
            search=search, doc_id=doc_id, position=min(int(position), 10_000)
        )


PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


@dataclass
class Report:
    region: str
    days: int
    top: Sequence[Mapping[str, Any]]  # query, searches, clicks, last
    zero: Sequence[Mapping[str, Any]]  # query, region, searches
    regions: list[str]


def _logs(region: str, days: int) -> QuerySet[SearchQueryLog]:
    since = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days), time.min)
    )
    logs = SearchQueryLog.objects.filter(created_at__gte=since)
    return logs.filter(region=region) if region else logs


def build_report(region: str = "", period: str = "30", limit: int = 50) -> Report:
    days = PERIODS.get(period, 30)
    logs = _logs(region, days)
    # After values() Django allows an annotation named like the "clicks" relation; the django-stubs plugin does not.
    top = list(
        logs.values("query")
        .annotate(
            searches=Count("id", distinct=True), clicks=Count("clicks"), last=Max("created_at")
        )  # type: ignore[no-redef]
        .order_by("-searches", "query")[:limit]
    )
    zero = list(
        logs.filter(result_count=0)
        .values("query", "region")
        .annotate(searches=Count("id"))
        .order_by("-searches", "query")[:limit]
    )
    regions = list(
        SearchQueryLog.objects.exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )
    return Report(region, days, top, zero, regions)


def report_csv(region: str = "", period: str = "30") -> str:
    """Every logged search in the period, one row each (no identities), as CSV."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["date", "query", "filters", "council", "region", "results", "clicks", "backend"]
    )
    logs = (
        _logs(region, PERIODS.get(period, 30))
        .select_related("council")
        .annotate(n=Count("clicks"))
        .order_by("created_at")
    )
    for log in logs.iterator():
        writer.writerow(
            [
                log.created_at.isoformat(),
                _safe(log.query),
                _safe(log.filters),
                log.council.short_name if log.council else "",
                log.region,
                log.result_count,
                log.n,
                log.backend,
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in user-typed text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
