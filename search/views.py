"""The search page, autocomplete, result clicks and the analytics page: parse, one call, render."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from hub.floor.pagecache import never_keep, record_each_copy
from search.apps import SEARCH_LOG
from search.documents import parse_doc_id
from search.queries import PER_PAGE, parse_params
from search.services.analytics import (
    PERIODS,
    build_report,
    can_view_analytics,
    do_log_search,
    do_record_click,
    logged_fields,
    report_csv,
)
from search.services.fallback import visible_querysets
from search.services.searching import do_autocomplete, do_search

ANALYTICS_ARE_FOR_STAFF = "Search analytics are for site staff."


@require_GET
def search_page(request):
    params = parse_params(request.GET)
    results = do_search(request.user, params) if not params.is_empty else None
    first = 0
    log = None
    if results is not None:
        first = (results.page - 1) * PER_PAGE
        log = do_log_search(request.user, results)
        if log:  # without a log a result links straight to its page (the template's default)
            click = reverse("search-click")
            for position, hit in enumerate(results.hits, start=first + 1):
                hit.click_url = f"{click}?s={log.pk}&doc={hit.doc_id}&pos={position}"
    response = render(
        request,
        "search/search.html",
        {
            "query": params.q,
            "params": params,
            "results": results,
            "filter_pairs": [(k, v) for k, values in params.filters.items() for v in values],
            "base_query": request.GET.urlencode(),
            "start": first + 1,
        },
    )
    if results is not None and not results.keepable:
        never_keep(response)
    elif log is not None:  # kept for visitors: every copy served is logged as this search was
        record_each_copy(response, SEARCH_LOG, logged_fields(log))
    return with_engine_time(response, results.took_ms if results is not None else None)


@require_GET
def autocomplete(request):
    suggestions = do_autocomplete(request.user, request.GET.get("q", ""))
    response = JsonResponse({"results": suggestions})
    if not suggestions.keepable:
        never_keep(response)
    return with_engine_time(response, suggestions.took_ms)


def with_engine_time(response: HttpResponse, took_ms: int | None) -> HttpResponse:
    """Elasticsearch's own time for the request (its ``took``) as a ``Server-Timing`` entry, so a
    browser's developer tools or a benchmark can set it beside the time the whole page took."""
    if took_ms is not None:
        response["Server-Timing"] = f'search;dur={took_ms};desc="Elasticsearch took"'
    return response


@require_GET
def result_click(request):
    """Record a click on a result, then go to it (only if the user may see it)."""
    doc = request.GET.get("doc", "")
    do_record_click(request.GET.get("s", ""), doc, request.GET.get("pos", ""))
    parsed = parse_doc_id(doc)
    if parsed is None:
        raise Http404
    doc_type, pk = parsed
    obj = visible_querysets(request.user)[doc_type.name].filter(pk=pk).first()
    if obj is None:
        raise Http404
    url = doc_type.url(obj)
    if not url:
        raise Http404
    return redirect(url)


@require_GET
def analytics(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_view_analytics(request.user):
        raise PermissionDenied(ANALYTICS_ARE_FOR_STAFF)  # the 403 page says why
    region = request.GET.get("region", "")[:60]
    period = request.GET.get("period", "30")
    if request.GET.get("format") == "csv":
        response = HttpResponse(report_csv(region, period), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="searches.csv"'
        return response
    report = build_report(region, period)
    return render(
        request,
        "search/analytics.html",
        {
            "report": report,
            "periods": PERIODS,
            "period": period,
            "csv_query": request.GET.copy().urlencode(),
        },
    )
