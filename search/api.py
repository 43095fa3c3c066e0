"""Search in the JSON API (/api/search/): the same query builder and permission rules as the page."""

from __future__ import annotations

from ninja import Router, Schema

from search.queries import parse_params
from search.services.analytics import do_log_search
from search.services.searching import do_autocomplete, do_related, do_search

router = Router(tags=["search"])


class HitOut(Schema):
    id: str
    type: str
    type_label: str
    title: str
    url: str
    snippet: str
    date: str | None
    community: str
    tags: list[str]


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    param: str
    label: str
    values: list[FacetValueOut]


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    backend: str
    suggestion: str
    notices: list[str]
    results: list[HitOut]
    facets: list[FacetOut]


class SuggestionOut(Schema):
    kind: str
    label: str
    url: str
    type: str


def _hit(hit) -> dict:
    return {
        "id": hit.doc_id,
        "type": hit.doc_type,
        "type_label": hit.type_label,
        "title": hit.title,
        "url": hit.url,
        "snippet": str(hit.snippet),
        "date": hit.date,
        "community": hit.community,
        "tags": hit.tags,
    }


@router.get(
    "/",
    response=SearchOut,
    summary="Search everything you may see",
    description="Parameters as on /search/: q, page, and filters type, community, service_area, tag, "
    "council, region, year (each may repeat). Snippets are HTML with <mark> around matches.",
)
def search(request):
    params = parse_params(request.GET)
    results = do_search(request.user, params)
    do_log_search(request.user, results)
    return {
        "query": params.q,
        "total": results.total,
        "page": results.page,
        "pages": results.num_pages,
        "backend": results.backend,
        "suggestion": results.suggestion,
        "notices": results.notices,
        "results": [_hit(h) for h in results.hits],
        "facets": [
            {"param": f.param, "label": f.label, "values": [v.__dict__ for v in f.values]}
            for f in results.facets
        ],
    }


@router.get("/autocomplete", response=list[SuggestionOut], summary="Titles and tags as you type")
def autocomplete(request, q: str = ""):
    return do_autocomplete(request.user, q)


@router.get(
    "/related/{doc_id}",
    response=list[HitOut],
    summary="Related threads and good practice",
    description="doc_id is a result id such as thread-12; empty if you may not see it.",
)
def related(request, doc_id: str):
    return [_hit(h) for h in do_related(request.user, doc_id)]
