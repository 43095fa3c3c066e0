"""Parts of a page kept for every reader who may see the same thing, never shown once it has changed.

A signed-in page carries its reader's header and controls, so it is never kept whole
(``hub.floor.pagecache``); but most of its body (a community's thread list, the library's list of
case studies, a measure's ranking, the related content) is the same for every reader who may see
the same things. ``fragment(name, parts, render)`` keeps such a part's HTML in Django's cache for
``FRAGMENT_CACHE_SECONDS`` under:

- its name and ``parts``: the object it shows, the request's filters and page number, and the
  reader's **permission class** for that object, which the caller takes from
  ``communities.permissions`` (``reader_class``) and never works out itself: two readers share a
  kept fragment only when the access layer puts them in the same class;
- the **content generation** of ``hub.floor.pagecache`` (``ContentGeneration``), bumped inside the
  transaction of every announced change (``communities.events.announce``: a hide, a delete, a
  visibility change, someone joining, leaving or being banned…), every linked-data publication and
  Wagtail's page publishing. It is read once per request (one small query, the one a visitor's kept
  page reads anyway) before any content, so a fragment kept under a generation never shows a state
  older than it.

A change nobody announces (a *Helpful* vote, a count) shows within ``FRAGMENT_CACHE_SECONDS``.
``render`` must only show what every reader of that class may see: per-reader controls (edit,
vote, watch) stay outside the fragment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from hub.floor.pagecache import request_generation

KEY_PREFIX = "hub-fragment"
T = TypeVar("T")
K = TypeVar("K")


def fragment_key(name: str, parts: Iterable[object], generation: int) -> str:
    """The cache key of fragment ``name`` for ``parts`` at ``generation``."""
    digest = hashlib.sha256("\x1f".join(repr(part) for part in parts).encode()).hexdigest()
    return f"{KEY_PREFIX}:{generation}:{name}:{digest}"


def fragment(name: str, parts: Iterable[object], render: Callable[[], str]) -> SafeString:
    """The HTML of fragment ``name`` for ``parts`` (the object, the request's own choices and the
    reader's permission class), rendered by ``render`` once per content generation; rendered every
    time when ``FRAGMENT_CACHE_SECONDS`` is 0 or before the first change."""
    return mark_safe(kept_value(name, parts, lambda: str(render())))  # noqa: S308 - the caller's rendered template


# -- What every Wagtail page view asks again ------------------------------------------------------
#
# Every page view finds the request's Wagtail ``Site`` and its root page (three queries) and looks
# for view restrictions on the page and its ancestors (two). Both change only through the admin,
# and saving or deleting a site or a restriction bumps the content generation
# (``hub.floor.pagecache.register_signal_handlers``), so they are kept per generation like fragments.


def kept_value(name: str, parts: Iterable[object], read: Callable[[], T]) -> T:
    """``read()``, kept in Django's cache under ``name`` and ``parts`` for the current content
    generation (``FRAGMENT_CACHE_SECONDS``); read every time when that is 0 or before the first
    change. ``read`` must return something picklable and the same for every request."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    generation = request_generation() if seconds else None
    if generation is None:
        return read()
    key = fragment_key(name, parts, generation)
    found = cache.get(key)
    if found is None:
        found = (read(),)  # a tuple: a kept None or False is found too
        cache.set(key, found, seconds)
    return found[0]


def kept_values(name: str, keys: Iterable[K], read: Callable[[list[K]], dict[K, T]]) -> dict[K, T]:
    """``kept_value`` for many ``keys`` at once: the kept ones in one look in the cache, the others
    read together by ``read(missing keys)`` (one query for them all, however many there are)."""
    wanted = list(dict.fromkeys(keys))
    seconds = settings.FRAGMENT_CACHE_SECONDS
    generation = request_generation() if seconds and wanted else None
    if generation is None:
        return read(wanted) if wanted else {}
    cache_keys = {fragment_key(name, [key], generation): key for key in wanted}
    found = {cache_keys[k]: v[0] for k, v in cache.get_many(list(cache_keys)).items()}
    missing = [key for key in wanted if key not in found]
    if missing:
        fresh = read(missing)
        cache.set_many({k: (fresh[key],) for k, key in cache_keys.items() if key in fresh}, seconds)
        found |= fresh
    return found


def in_kept_order(queryset: Any, ids: Iterable[int]) -> list[Any]:
    """The rows of ``queryset`` with these ``ids``, in the order of ``ids`` (a kept list of ids),
    leaving out any no longer there: one query."""
    ids = list(ids)
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def view_restrictions_exist() -> bool:
    """Whether any Wagtail page view restriction exists. The hub guards communities itself, so
    usually none does and a page view need not look for the ones on its ancestors."""
    from wagtail.models import PageViewRestriction

    return kept_value("view-restrictions", [], PageViewRestriction.objects.exists)


class KeptViewRestrictionsMixin:
    """For Wagtail page models: ``get_view_restrictions`` (which Wagtail's ``on_serve_page`` hook
    asks on every view, in two queries) answers with no query when the hub has none at all."""

    def get_view_restrictions(self) -> Any:
        from wagtail.models import PageViewRestriction

        if not view_restrictions_exist():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()  # type: ignore[misc]


def _site_with_root(request: HttpRequest) -> Any:
    from wagtail.models import Site

    site = Site._find_for_request(request)
    if site is not None:
        site.root_page.localized.specific  # noqa: B018 - read now, so they are kept with the site
    return site


def keep_wagtail_site(request: HttpRequest) -> None:
    """Give ``request`` its Wagtail site, with the root page routing starts from, kept per content
    generation and host (Wagtail's ``Site.find_for_request`` reads what it finds on the request)."""
    if hasattr(request, "_wagtail_site") or not settings.FRAGMENT_CACHE_SECONDS:
        return
    host = (request._get_raw_host(), request.get_port())  # type: ignore[attr-defined]
    request._wagtail_site = kept_value("wagtail-site", host, lambda: _site_with_root(request))  # type: ignore[attr-defined]
