"""The search page. Until the Elasticsearch search lands, a permission-aware database search."""

from django.core.paginator import Paginator
from django.shortcuts import render

from search.services.fallback import database_search

MAX_QUERY_LENGTH = 500


def search_page(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = database_search(request.user, query) if query else []
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "page": page})
