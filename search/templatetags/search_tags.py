from datetime import date
from functools import lru_cache

from django import template
from django.http import QueryDict
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.client import is_enabled
from search.queries import FacetResult
from search.services.searching import do_related

register = template.Library()


@register.filter
def result_date(value: str | None) -> str:
    """A result's ISO date ("2025-03-01") as the site writes dates ("1 March 2025"), or as it is if
    it is not a date."""
    return _written_date(str(value or ""), translation.get_language() or "")


@lru_cache(maxsize=4096)
def _written_date(value: str, language: str) -> str:
    # Kept per process and language: a page of results shows twenty, and Django's date filter took
    # about 90 µs each in the template (more than the rest of the result)
    try:
        return date_format(date.fromisoformat(value[:10]), "j F Y") if value else ""
    except ValueError:
        return value


@register.simple_tag
def without_filter(query: str, key: str, value) -> str:
    """The search's query string without one filter value (and back to the first page)."""
    params = QueryDict(query, mutable=True)
    params.setlist(key, [v for v in params.getlist(key) if v != str(value)])
    params.pop("page", None)
    return params.urlencode()


@register.simple_tag
def facet_choices(facet: FacetResult, estimated: bool = False) -> SafeString:
    """A facet's values as checkboxes with their counts ("about" each when ``estimated``, none when
    too few of the sample's documents had the value for a count worth showing). Written
    here, not in a template loop: a search page has up to 150 of them, and the template engine took
    about 60 µs each (a third of the results page's rendering). Each text is escaped once (the
    parameter, each value and its label); the rest are numbers."""
    param = escape(facet.param)
    about = "about " if estimated else ""
    choices = "\n".join(
        f'<li><input type="checkbox" id="f-{param}-{number}" name="{param}" '
        f'value="{escape(value.value)}"{" checked" if value.selected else ""}> '
        f'<label for="f-{param}-{number}">{escape(value.label)}'
        + (
            f' <span class="count">({about}{value.count:,})</span>'
            if value.count is not None
            else ""
        )
        + "</label></li>"
        for number, value in enumerate(facet.values, start=1)
    )
    return mark_safe(f"<ul>{choices}</ul>")  # noqa: S308 - every text in it escaped above


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
