"""Middleware of the hub shell.

``SecurityHeadersMiddleware`` sends Content-Security-Policy and Permissions-Policy on every response.
Django 5.2 has no built-in CSP (6.0 has), so it sends the policies written in the settings
(``CONTENT_SECURITY_POLICY``, ``CONTENT_SECURITY_POLICY_ADMIN`` for Wagtail's admin,
``PERMISSIONS_POLICY``). It comes first, so the HTTPS redirect, static files, error pages, refusals and
the 503 below carry the headers too. A view that sets its own policy keeps it.

``DatabaseRetryMiddleware``: when the database is unreachable for a moment, retry the request once if
that is safe, then answer 503 with ``Retry-After`` and the hub's database-free error page
(``hub.views.server_error``). A retry is safe when nothing can have been written: for GET, HEAD and
OPTIONS, and for any method when no statement had completed (the failure came at connecting or at the
first query).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_DELAY_SECONDS = 0.5
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def close_connections() -> None:
    """Drop this thread's database connections, so the retry opens fresh ones."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


class _Statements:
    """Counts the statements that completed during a request (a database execute wrapper)."""

    def __init__(self) -> None:
        self.completed = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        result = execute(sql, params, many, context)
        self.completed += 1
        return result


class DatabaseRetryMiddleware:
    """Outermost middleware: a request that met an unreachable database is tried once more if safe."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = _Statements()
        with connections["default"].execute_wrapper(statements):
            response = self.get_response(request)
        if not getattr(request, "database_unavailable", False):
            return response
        if request.method not in SAFE_METHODS and statements.completed:
            return response  # something may have been written: the 503 stands
        request.database_unavailable = False  # type: ignore[attr-defined]
        close_connections()
        time.sleep(RETRY_DELAY_SECONDS)
        return self.get_response(request)


def policy_header(policy: Mapping[str, Sequence[str]]) -> str:
    """``{"default-src": ["'self'"], "upgrade-insecure-requests": []}`` as a CSP header value."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def permissions_header(policy: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` as ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.site_policy = policy_header(settings.CONTENT_SECURITY_POLICY)
        self.admin_policy = policy_header(settings.CONTENT_SECURITY_POLICY_ADMIN)
        self.admin_prefix = settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIX
        self.permissions = permissions_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = self.admin_policy if admin else self.site_policy
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


class KeptWagtailSiteMiddleware:
    """Wagtail's site for the request and its root page, kept per content generation
    (``hub.floor.fragments.keep_wagtail_site``) for the requests Wagtail serves: three queries fewer
    on every page view, none added elsewhere. Sits after ``AnonymousPageCacheMiddleware``, which
    reads the generation once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: Sequence, kwargs: Mapping
    ) -> None:
        from wagtail.views import serve

        from hub.floor.fragments import keep_wagtail_site

        if view is serve:
            keep_wagtail_site(request)
