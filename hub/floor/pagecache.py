"""Pages kept whole for visitors who are not signed in, never shown once something has changed.

Every visitor without a session, a token or any cookie but the CSRF one has the same permissions, so
they all get the same page at the same address: a rendered page (status 200, no cookie set, no CSRF
token used, no ``Cache-Control: private``/``no-store``) is kept in Django's cache for
``PAGE_CACHE_SECONDS`` under its address (scheme, host, path and query), the ``Accept`` header and the
**content generation**. Signed-in people, and anyone carrying a session, are never served or stored.

The generation is a counter in the database (``ContentGeneration``), bumped by the explicit side
effects inside the transaction that changes what readers may see: every
``communities.events.announce`` (publishing, editing, hiding, a community's visibility or members, a
profile, a case study's review…, and the model-signal backstops that announce edits made in Wagtail's
admin), every recorded linked-data publication (``linkeddata.services.publish.on_publication``) and
Wagtail's own page publishing. Each request reads it (one small query) before looking, so once a
change has committed no process serves a page from before it, whatever the cache backend (a
per-process local-memory cache is enough). Changes that are not announced (a *Helpful* vote, a count)
show within ``PAGE_CACHE_SECONDS``.

A view may hand over what its page records of each visit (``record_each_copy``: a visitor's search
is logged for every copy of its results served) or say that a page must not be kept at all
(``never_keep``: results from a search index still catching up with a committed change).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse

GENERATION = "pages"
KEY_PREFIX = "hub-page-2"  # -2: a kept page carries what each copy records
MAX_BYTES = 1_000_000  # larger answers (downloads) have their own ETag revalidation

# Never kept: what writes or counts per request (result clicks, SPARQL queries in per-client slots),
# what belongs to someone (accounts, dashboard, notifications, attachments) and the admin.
EXCLUDED_PREFIXES = (
    "/admin/",
    "/api/",
    "/accounts/",
    "/sparql",
    "/search/",
    "/healthz",
    "/documents/",
    "/discussions/",
    "/notifications/",
    "/dashboard/",
    "/feeds/private/",
    "/static/",
    "/media/",
)
# ...but for these under them: a visitor's autocomplete suggestions write nothing, and every visitor
# typing the same letters gets the same ones (kept, it is one query a keystroke instead of a search)
KEPT_UNDER_EXCLUDED = ("/search/autocomplete/",)
# ...and these pages exactly: a visitor's search results, the same for every visitor (what a page
# records of each visit, the search log, its view hands over with it: ``record_each_copy``); the
# SPARQL page and Service Description (the endpoint's answers to queries say ``never_keep``)
KEPT_PATHS_UNDER_EXCLUDED = ("/search/", "/sparql")
NO_STORE = ("private", "no-store", "no-cache")
# what describes the request that made an answer, not the answer: not kept with it
NOT_KEPT_HEADERS = {"server-timing"}
VARY_KEYED = {"cookie", "accept", "accept-encoding", "host"}

# The generation read once per request (by the middleware, or by the first kept fragment), forgotten
# at the request's end and whenever this process bumps it.
_request_generation: ContextVar[dict[str, int | None] | None] = ContextVar(
    "hub_request_generation", default=None
)


def bump() -> None:
    """Every page kept so far is out of date. Call inside the transaction that changed what readers may
    see: the new generation commits (or rolls back) with the change."""
    from hub.floor.models import ContentGeneration

    remembered = _request_generation.get()
    if remembered is not None:
        remembered.clear()
    # A random step, not 1: a bump rolled back never hands its number to the next one, so nothing
    # kept under it inside the transaction that rolled back (what that transaction alone saw) is
    # ever found again. A random start does the same for a database emptied and begun again.
    step = F("value") + secrets.randbelow(2**20) + 1
    rows = ContentGeneration.objects.filter(name=GENERATION)
    if rows.update(value=step):
        return
    _, created = ContentGeneration.objects.get_or_create(
        name=GENERATION, defaults={"value": secrets.randbits(62)}
    )
    if not created:
        rows.update(value=step)


def current_generation() -> int | None:
    """The generation now, or None before the first change (nothing is kept then)."""
    from hub.floor.models import ContentGeneration

    return ContentGeneration.objects.filter(name=GENERATION).values_list("value", flat=True).first()


def request_generation() -> int | None:
    """``current_generation()``, read once per request (outside a request: every time)."""
    remembered = _request_generation.get()
    if remembered is None:
        return current_generation()
    if GENERATION not in remembered:
        remembered[GENERATION] = current_generation()
    return remembered[GENERATION]


# What a kept page's view records of each visit, by name (``record_each_copy``), registered by the app
# that owns it at start-up: called with the request and what the view handed over, for every copy served.
_copy_recorders: dict[str, Callable[[HttpRequest, Any], None]] = {}


def on_copy_served(name: str, record: Callable[[HttpRequest, Any], None]) -> None:
    """Register ``record``, called for every kept copy of a page whose view said ``name``."""
    _copy_recorders[name] = record


def record_each_copy(response: HttpResponse, name: str, what: Any) -> None:
    """Kept for visitors, ``response`` still records each visit: every copy served calls the recorder
    registered as ``name`` with ``what`` (picklable), as the view recorded the first."""
    response.hub_record_each_copy = (name, what)  # type: ignore[attr-defined]


def never_keep(response: HttpResponse) -> None:
    """``response`` is right for this request but must not be kept for the generation (an answer
    from a search index still catching up, or from a fallback standing in for a failing one)."""
    response.hub_never_keep = True  # type: ignore[attr-defined]


def _anonymous_request(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    if (
        request.path.startswith(EXCLUDED_PREFIXES)
        and not request.path.startswith(KEPT_UNDER_EXCLUDED)
        and request.path not in KEPT_PATHS_UNDER_EXCLUDED
    ):
        return False
    if "Authorization" in request.headers or "If-None-Match" in request.headers:
        return False
    if "If-Modified-Since" in request.headers:
        return False
    return set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(response, "hub_never_keep", False):
        return False
    if request.META.get("CSRF_COOKIE_USED") or getattr(request, "authenticated_by_token", False):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in NO_STORE) or response.has_header("Content-Disposition"):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= VARY_KEYED and len(response.content) <= MAX_BYTES


def page_key(request: HttpRequest, generation: int) -> str:
    address = "\n".join(
        [
            request.scheme or "",
            request.get_host(),
            request.get_full_path(),
            request.headers.get("Accept", ""),
        ]
    )
    return f"{KEY_PREFIX}:{generation}:{hashlib.sha256(address.encode()).hexdigest()}"


Frozen = tuple[int, list[tuple[str, str]], bytes, "tuple[str, Any] | None"]


def _frozen(response: HttpResponse) -> Frozen:
    headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_KEPT_HEADERS]
    recorded = getattr(response, "hub_record_each_copy", None)
    return response.status_code, headers, response.content, recorded


def _thawed(request: HttpRequest, frozen: Frozen) -> HttpResponse:
    status, headers, content, recorded = frozen
    if recorded is not None:
        name, what = recorded
        _copy_recorders[name](request, what)
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class AnonymousPageCacheMiddleware:
    """Serves and keeps pages for visitors who are not signed in (see the module's docstring). Sits
    after the authentication middlewares, so a bearer token or session is known before it looks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_generation.set({})
        try:
            return self._serve(request)
        finally:
            _request_generation.reset(token)

    def _serve(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not _anonymous_request(request):
            return self.get_response(request)
        generation = request_generation()
        if generation is None:
            return self.get_response(request)
        key = page_key(request, generation)
        frozen = cache.get(key)
        if frozen is not None:
            return _thawed(request, frozen)
        response = self.get_response(request)
        if _storable(request, response):
            cache.set(key, _frozen(response), seconds)
        return response


def _bump_on_signal(*args: Any, **kwargs: Any) -> None:
    bump()


def register_signal_handlers() -> None:
    """Pages published, unpublished or deleted in Wagtail's admin (the site's own pages, which no
    service announces) change the generation too."""
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    page_published.connect(_bump_on_signal, dispatch_uid="hub-page-cache-published")
    page_unpublished.connect(_bump_on_signal, dispatch_uid="hub-page-cache-unpublished")
    from django.db.models.signals import post_delete

    post_delete.connect(_bump_on_signal, sender=Page, dispatch_uid="hub-page-cache-deleted")
    # The sites and view restrictions kept per generation (hub.floor.fragments), and visitors' pages
    from django.db.models.signals import post_save
    from wagtail.models import PageViewRestriction, Site

    for model in (Site, PageViewRestriction):
        for signal, when in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                _bump_on_signal,
                sender=model,
                dispatch_uid=f"hub-page-cache-{model.__name__}-{when}",
            )
