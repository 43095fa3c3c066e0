"""The good practice library in the JSON API: published case studies only, with the library's filters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest, QueryDict
from ninja import Field, Path, Query, Router, Schema

from communities.good_practice.queries import (
    PAGE_SIZE,
    LibraryFilters,
    case_study,
    filter_library,
)
from communities.models import GoodPracticePage
from communities.permissions import access_good_practice
from hub.floor.links import absolute
from hub.floor.numbers import page_number

router = Router(tags=["good practice"])


class CouncilOut(Schema):
    gss_code: str | None
    name: str


class CaseStudyOut(Schema):
    id: int
    title: str
    url: str
    summary: str
    service_areas: list[str]
    tags: list[str]
    councils: list[CouncilOut]
    status: str
    licence: str
    practice_date: str | None
    first_published_at: datetime | None
    helped_count: int
    adopted_count: int


class CaseStudyDetailOut(CaseStudyOut):
    problem: str
    approach: str
    outcomes: str
    evidence: str
    cost_amount: Decimal | None
    savings_amount: Decimal | None
    currency: str
    savings_period: str
    savings_measurement: str
    adopting_councils: list[CouncilOut]


class CaseStudyList(Schema):
    count: int
    page: int
    results: list[CaseStudyOut]


class LibraryQuery(Schema):
    """The library's filters, as on /good-practice/; each may repeat (any of them matches)."""

    service_area: list[str] = Field(
        [], description="Only case studies in this service area (slug)."
    )
    tag: list[str] = Field([], description="Only case studies with this tag (slug).")
    council_type: list[str] = Field(
        [], description="Only case studies from councils of this type (e.g. district)."
    )
    region: list[str] = Field([], description="Only case studies from this region.")
    year: list[str] = Field([], description="Only case studies practised in this year.")
    sort: str = Field(
        "newest", description="Order: newest, adopted or helpful (anything else: newest)."
    )
    page: int = Field(1, description="Page of 12 results, from 1.")


def _council(area) -> dict:
    return {"gss_code": area.gss_code, "name": area.short_name}


def _summary(request: HttpRequest, page: GoodPracticePage, helped: int, adopted: int) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "url": absolute(request, page.get_url(request)),
        "summary": page.summary,
        "service_areas": [area.full_name for area in page.service_areas.all()],
        "tags": [tag.name for tag in page.tags.all()],
        "councils": [_council(area) for area in page.councils.all()],
        "status": page.status,
        "licence": page.licence,
        "practice_date": page.practice_date.isoformat() if page.practice_date else None,
        "first_published_at": page.first_published_at,
        "helped_count": helped,
        "adopted_count": adopted,
    }


@router.get(
    "/",
    response=CaseStudyList,
    summary="Published good practice, filtered and sorted like the library",
)
def list_good_practice(request, query: Query[LibraryQuery]):
    params = QueryDict(mutable=True)
    for name in ("service_area", "tag", "council_type", "region", "year"):
        params.setlist(name, getattr(query, name))
    params["sort"] = query.sort
    pages = filter_library(LibraryFilters.from_params(params))
    number = page_number(max(query.page, 1))
    start = (number - 1) * PAGE_SIZE
    return {
        "count": pages.count(),
        "page": number,
        "results": [
            _summary(request, p, p.helped_count, p.adopted_count)
            for p in pages[start : start + PAGE_SIZE]
        ],
    }


@router.get("/{id:page_id}", response=CaseStudyDetailOut, summary="One published case study")
def get_good_practice(
    request, page_id: int = Path(..., description="The case study's id (its `id` in the list).")
):
    page = access_good_practice(request.user, page_id)
    extra = case_study(page, request.user)
    return {
        **_summary(request, page, extra["helped_count"], extra["adopted_count"]),
        **{
            name: getattr(page, name)
            for name in (
                "problem",
                "approach",
                "outcomes",
                "evidence",
                "cost_amount",
                "savings_amount",
                "currency",
                "savings_period",
                "savings_measurement",
            )
        },
        "adopting_councils": [_council(area) for area in extra["adopting_councils"]],
    }
