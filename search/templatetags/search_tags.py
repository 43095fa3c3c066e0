from datetime import date

from django import template
from django.http import QueryDict

from search.client import is_enabled
from search.services.searching import do_related

register = template.Library()


@register.filter
def iso_date(value: str | None) -> date | None:
    """A result's ISO date ("2025-03-01") as a date, for the ``date`` filter the site uses."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@register.simple_tag
def without_filter(query: str, key: str, value) -> str:
    """The search's query string without one filter value (and back to the first page)."""
    params = QueryDict(query, mutable=True)
    params.setlist(key, [v for v in params.getlist(key) if v != str(value)])
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def with_page(query: str, number: int) -> str:
    params = QueryDict(query, mutable=True)
    params["page"] = str(number)
    return params.urlencode()


@register.inclusion_tag("search/related.html", takes_context=True)
def related_content(context, page, heading: str = "Related"):
    """Threads and good practice like ``page`` that the viewer may see: Elasticsearch's more-like-this,
    or, without Elasticsearch, case studies sharing service areas and tags (good practice only)."""
    doc_type = {"threadpage": "thread", "goodpracticepage": "good_practice"}.get(
        page._meta.model_name
    )
    request = context.get("request")
    if not doc_type or request is None or page.pk is None:
        return {"related": [], "heading": heading}
    if is_enabled():
        return {"related": do_related(request.user, f"{doc_type}-{page.pk}"), "heading": heading}
    if doc_type == "good_practice":
        from communities.good_practice.queries import related_good_practice

        related = [
            {"url": other.url, "title": other.title, "type_label": "Good practice"}
            for other in related_good_practice(page)
        ]
        return {"related": related, "heading": heading}
    return {"related": [], "heading": heading}
