"""Search in the JSON API (/api/search/): the same query builder and permission rules as the page."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from hub.floor.links import absolute
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
    count: int | None = Field(
        description="Results with this value; null when the counts are estimates (see estimated) "
        "and too few of the sample had this value to tell."
    )
    selected: bool


class FacetOut(Schema):
    param: str
    label: str
    values: list[FacetValueOut]


class SearchOut(Schema):
    query: str
    total: int
    estimated: bool = Field(
        description="Whether total and the facets' counts are estimates (rounded to two significant "
        "figures), read from a sample: so for a search matching more documents than are counted exactly "
        "(10,000 unless the hub is set higher)."
    )
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


class SearchFilters(Schema):
    """A search's words and filters, as on /search/ (also what a saved search keeps)."""

    q: str = Field("", description="Words to search for (at most 200 characters are used).")
    type: list[str] = Field(
        [],
        description="Only this type of content: community, thread, post, good_practice or profile.",
    )
    community: list[str] = Field([], description="Only content of this community (its id).")
    service_area: list[str] = Field([], description="Only content in this service area.")
    tag: list[str] = Field([], description="Only content with this tag.")
    council: list[str] = Field([], description="Only good practice from this council.")
    region: list[str] = Field([], description="Only good practice from this region.")
    year: list[str] = Field([], description="Only content from this year (e.g. 2024).")


class SearchQuery(SearchFilters):
    """The search's parameters, as on /search/. All are read leniently: a value that cannot be used
    is ignored with a notice in ``notices``, never refused."""

    page: str = Field("1", description="Page of results, from 1; anything else means 1.")


def _hit(request: HttpRequest, hit) -> dict:
    return {
        "id": hit.doc_id,
        "type": hit.doc_type,
        "type_label": hit.type_label,
        "title": hit.title,
        "url": absolute(request, hit.url),
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
def search(request, query: Query[SearchQuery]):  # declared for the docs; read by parse_params
    params = parse_params(request.GET)
    results = do_search(request.user, params)
    do_log_search(request.user, results)
    return {
        "query": params.q,
        "total": results.total,
        "estimated": results.estimated,
        "page": results.page,
        "pages": results.num_pages,
        "backend": results.backend,
        "suggestion": results.suggestion,
        "notices": results.notices,
        "results": [_hit(request, h) for h in results.hits],
        "facets": [
            {"param": f.param, "label": f.label, "values": [v.__dict__ for v in f.values]}
            for f in results.facets
        ],
    }


@router.get("/autocomplete", response=list[SuggestionOut], summary="Titles and tags as you type")
def autocomplete(request, q: str = Query("", description="What has been typed so far.")):
    return [
        {**suggestion, "url": absolute(request, suggestion["url"])}
        for suggestion in do_autocomplete(request.user, q)
    ]


@router.get(
    "/related/{doc_id}",
    response=list[HitOut],
    summary="Related threads and good practice",
    description="doc_id is a result id such as thread-12; empty if you may not see it.",
)
def related(
    request, doc_id: str = Path(..., description="A search result's id, such as thread-12.")
):
    return [_hit(request, h) for h in do_related(request.user, doc_id)]
