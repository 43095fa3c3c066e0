from datetime import date

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from search.client import is_enabled
from search.queries import FacetResult
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
def facet_choices(facet: FacetResult) -> SafeString:
    """A facet's values as checkboxes with their counts. Written here, not in a template loop: a
    search page has up to 150 of them, and the template engine took about 60 µs each (a third of
    the results page's rendering)."""
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "\n",
            '<li><input type="checkbox" id="f-{0}-{1}" name="{0}" value="{2}"{3}> '
            '<label for="f-{0}-{1}">{4} <span class="count">({5})</span></label></li>',
            (
                (
                    facet.param,
                    number,
                    value.value,
                    " checked" if value.selected else "",
                    value.label,
                    intcomma(value.count),
                )
                for number, value in enumerate(facet.values, start=1)
            ),
        ),
    )


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
