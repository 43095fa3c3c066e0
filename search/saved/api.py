"""Saved searches in the JSON API (/api/search/saved/): the member's own, with the search's parameters."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from hub.floor.api_errors import ErrorOut
from hub.floor.links import absolute
from search.api import SearchFilters
from search.models import SavedSearch
from search.saved.services import (
    SignInRequired,
    access_saved_search,
    check_save_search,
    do_delete_saved_search,
    do_save_search,
    do_update_saved_search,
    saved_searches_of,
    search_url,
)

router = Router(tags=["saved searches"])

FREQUENCY = (
    "How often to hear of new results: immediate (straight away), daily, weekly or off "
    "(kept, but silent)."
)
SAVED_ID = Path(..., description="The saved search's id, as in its address.")
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


class SavedSearchOut(Schema):
    id: int
    name: str
    q: str
    filters: dict[str, list[str | int]]
    frequency: str
    created_at: str
    search_url: str = Field(description="The search page showing this search's results now.")


class SavedSearchIn(SearchFilters):
    """A search's parameters as on /api/search/, with a name and how often to hear of it."""

    name: str = Field(
        "", description="Its name (at most 100 characters); empty: made from the search."
    )
    frequency: str = Field("daily", description=FREQUENCY)


class SavedSearchPatch(Schema):
    """What to change; what is left out stays. Giving any filter replaces all the filters."""

    name: str | None = Field(None, description="A new name.")
    frequency: str | None = Field(None, description=FREQUENCY)
    q: str | None = Field(None, description="New words to search for.")
    type: list[str] | None = None
    community: list[str] | None = None
    service_area: list[str] | None = None
    tag: list[str] | None = None
    council: list[str] | None = None
    region: list[str] | None = None
    year: list[str] | None = None


def _out(request: HttpRequest, saved: SavedSearch) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "name": saved.name,
        "q": saved.q,
        "filters": saved.filters,
        "frequency": saved.frequency,
        "created_at": saved.created_at.isoformat(),
        "search_url": absolute(request, search_url(saved)),
    }


def _member(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        raise SignInRequired("Sign in (or send a personal token) to use saved searches.")
    return request.user


@router.get("/", response={200: list[SavedSearchOut], **ERRORS}, summary="Your saved searches")
def list_saved(request: HttpRequest) -> Any:
    _member(request)
    return [_out(request, s) for s in saved_searches_of(request.user)]


@router.post(
    "/",
    response={201: SavedSearchOut, **ERRORS},
    summary="Save a search",
    description="Same parameters as GET /api/search/, plus a name and a frequency. New results are "
    "delivered as notifications (and by email per your notification settings).",
)
def create_saved(request: HttpRequest, payload: SavedSearchIn) -> Any:
    user = _member(request)
    data = check_save_search(user, payload.dict())
    return Status(201, _out(request, do_save_search(user, data)))


@router.get(
    "/{id:saved_id}/",
    response={200: SavedSearchOut, **ERRORS, 404: ErrorOut},
    summary="One of your saved searches",
)
def get_saved(request: HttpRequest, saved_id: int = SAVED_ID) -> Any:
    return _out(request, access_saved_search(request.user, saved_id))


@router.patch(
    "/{id:saved_id}/",
    response={200: SavedSearchOut, **ERRORS, 404: ErrorOut},
    summary="Rename a saved search, or change its search or frequency",
)
def update_saved(request: HttpRequest, payload: SavedSearchPatch, saved_id: int = SAVED_ID) -> Any:
    saved = access_saved_search(request.user, saved_id)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    data = check_save_search(request.user, changes, saved=saved)
    return _out(request, do_update_saved_search(saved, data))


@router.delete(
    "/{id:saved_id}/",
    response={204: None, **ERRORS, 404: ErrorOut},
    summary="Delete a saved search",
)
def delete_saved(request: HttpRequest, saved_id: int = SAVED_ID) -> Any:
    do_delete_saved_search(access_saved_search(request.user, saved_id))
    return Status(204, None)
