"""The one rule for absolute addresses in what the hub answers (API, feeds, linked data).

- A **link** a client follows (an API answer's ``url``, a feed's ``link``, an RDF document's address)
  is absolute on the host the request came to: ``request.build_absolute_uri``. Behind a proxy, the
  scheme comes from ``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``) and the host from
  ``X-Forwarded-Host`` when ``USE_X_FORWARDED_HOST`` is on; either way the host must be in
  ``ALLOWED_HOSTS``, so a forged ``Host`` header cannot put another site's name into an answer.
- A **name** that must never change (a linked-data URI, an Atom entry's ``id``) is built on the
  configured base, ``SITE_URL`` (and ``LINKED_DATA_BASE_URI`` for linked data), whatever host asked.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def absolute(request: HttpRequest, url: str | None) -> str:
    """``url`` (a path, or already absolute) made absolute on the request's own host; "" for none."""
    return request.build_absolute_uri(url) if url else ""


def tag_uri(when: date | datetime | None, specific: str) -> str:
    """A stable ``tag:`` URI (RFC 4151) on the site's configured host: ``tag:host,2024-05-01:post-12``.

    ``when`` is the day the thing was first made (so the name stays the same for ever); ``specific``
    names it among that day's things on the site."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    day = (when.date() if isinstance(when, datetime) else when) if when else date(2024, 1, 1)
    return f"tag:{host},{day.isoformat()}:{specific}"
