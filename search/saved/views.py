"""The saved searches page (/search/saved/): save from the search page, list, change, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from communities.errors import Invalid
from search.models import SavedSearch
from search.queries import FACETS
from search.saved.services import (
    access_saved_search,
    check_save_search,
    do_delete_saved_search,
    do_save_search,
    do_update_saved_search,
    saved_searches_of,
    search_url,
)

FILTER_PARAMS = [facet.param for facet in FACETS]


def form_data(post: QueryDict) -> dict[str, Any]:
    """The form's fields as the service reads them: filters as lists, the rest as text."""
    data: dict[str, Any] = {k: post[k] for k in ("name", "q", "frequency") if k in post}
    data.update({k: post.getlist(k) for k in FILTER_PARAMS if k in post})
    return data


def _page(
    request: HttpRequest,
    *,
    error: str = "",
    new: dict[str, Any] | None = None,
    editing: tuple[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    searches = list(saved_searches_of(request.user))
    for saved in searches:
        saved.search_url = search_url(saved)  # type: ignore[attr-defined]
        saved.form = {"name": saved.name, "q": saved.q, "frequency": saved.frequency}  # type: ignore[attr-defined]
        if editing is not None and editing[0] == saved.pk:
            saved.form.update(editing[1])  # type: ignore[attr-defined]
            saved.error = error  # type: ignore[attr-defined]
    return render(
        request,
        "search/saved.html",
        {
            "searches": searches,
            "frequencies": SavedSearch.Frequency.choices,
            "new": new,
            "new_filters": [
                (k, v)
                for k in FILTER_PARAMS
                for v in (new or {}).get(k, [])
                if isinstance(new, dict)
            ],
            "error": error if editing is None else "",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def saved_searches(request: HttpRequest) -> HttpResponse:
    """GET: the member's saved searches. POST: save one (the search page's "Save this search")."""
    if not request.user.is_authenticated:
        if request.method == "POST":  # back to the same search once signed in
            pairs = QueryDict(mutable=True)
            for key in ["q", *FILTER_PARAMS]:
                if key in request.POST:
                    pairs.setlist(key, request.POST.getlist(key))
            return redirect_to_login(reverse("search") + "?" + pairs.urlencode())
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        return _page(request)
    data = form_data(request.POST)
    try:
        saved = do_save_search(request.user, check_save_search(request.user, data))
    except Invalid as refusal:
        return _page(request, error=refusal.message, new=data, status=400)
    messages.success(request, f"Saved “{saved.name}”.")
    return redirect("saved-searches")


@require_POST
def change_saved_search(request: HttpRequest, saved_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("saved-searches"))
    saved = access_saved_search(request.user, saved_id)
    data = form_data(request.POST)
    try:
        do_update_saved_search(saved, check_save_search(request.user, data, saved=saved))
    except Invalid as refusal:
        return _page(request, error=refusal.message, editing=(saved.pk, data), status=400)
    messages.success(request, f"Changed “{saved.name}”.")
    return redirect("saved-searches")


@require_POST
def delete_saved_search(request: HttpRequest, saved_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("saved-searches"))
    saved = access_saved_search(request.user, saved_id)
    do_delete_saved_search(saved)
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("saved-searches")
