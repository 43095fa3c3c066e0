from datetime import datetime

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from communities.markdown import render_markdown
from hub.floor.fragments import kept_value

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.simple_tag
def time_element(moment: datetime | None, shown: str) -> SafeString | str:
    """``<time>`` for ``moment`` in the site's time zone, shown in the ``date`` filter's format
    ``shown``, its machine-readable value in ISO 8601: one conversion, where two ``date`` filters
    each converted and formatted it (a list of notifications or replies has one a row)."""
    if moment is None:
        return ""
    local = template_localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        dateformat.format(local, shown),
    )


@register.inclusion_tag("search/related.html", takes_context=True)
def related_content(context, page, heading: str = "Related"):
    """Threads and case studies like ``page`` that the reader may see, as stored when the page last
    changed (``communities.discussions.queries.related_pages``); until something is stored, case
    studies sharing the page's service areas and tags (case studies only)."""
    from communities.discussions.queries import related_pages
    from communities.good_practice.queries import related_good_practice
    from communities.models import GoodPracticePage

    request = context.get("request")
    if request is None or page.pk is None:
        return {"related": [], "heading": heading}
    related = related_pages(request, page)
    if related is None and isinstance(page, GoodPracticePage):

        def alike() -> list[dict[str, str]]:
            return [
                {"url": other.url, "title": other.title, "type_label": "Good practice"}
                for other in related_good_practice(page)
            ]

        # published case studies, the same for everyone: kept per revision, never for a preview
        # (whose service areas and tags are the draft's, in memory)
        previewing = getattr(request, "is_preview", False) or not page.live
        related = (
            alike()
            if previewing
            else kept_value("related-good-practice", [page.pk, page.latest_revision_id], alike)
        )
    return {"related": related or [], "heading": heading}
