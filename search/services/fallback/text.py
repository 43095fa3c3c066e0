"""What both ranking engines share: the searched columns, their boosts and the highlight markers."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.queries import council_names

OPEN, CLOSE = "\x02", "\x03"  # highlight markers (control characters never reach a query)
COLUMNS = ("title", "tags", "service_areas", "places", "summary", "body")
BOOSTS = (4.0, 3.0, 3.0, 3.0, 2.0, 1.0)  # as ``search.queries.SEARCH_FIELDS``
SNIPPET_WORDS = 24


def searchable(doc: dict) -> tuple[str, ...]:
    """A document's text, column by column (``COLUMNS``)."""
    councils = council_names(list(doc.get("councils") or []))
    places = doc.get("places") or " ".join(councils.values())
    return (
        doc.get("title") or "",
        " ".join(doc.get("tags") or []),
        " ".join(doc.get("service_areas") or []),
        places,
        doc.get("summary") or "",
        doc.get("body") or "",
    )


def marked(text: str) -> SafeString:
    """Engine output with markers as escaped HTML with ``<mark>`` (the text itself is escaped)."""
    return mark_safe(escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))  # noqa: S308


def pick_snippet(doc: dict, body: str, summary: str) -> str:
    """The body's highlighted passage, else the summary's, else the start of the plain text."""
    if OPEN in body:
        return body
    if OPEN in summary:
        return summary
    plain = doc.get("summary") or doc.get("body") or ""
    return plain[:240] + ("…" if len(plain) > 240 else "")
