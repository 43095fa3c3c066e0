"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

Django 5.2 has no built-in CSP (6.0 has), so this small middleware sends the policies written in the
settings (``CONTENT_SECURITY_POLICY``, ``CONTENT_SECURITY_POLICY_ADMIN`` for Wagtail's admin,
``PERMISSIONS_POLICY``). It comes first, outside ``SecurityMiddleware`` and WhiteNoise, so
the HTTPS redirect, static files, error pages and refusals carry the headers too. A view that sets its own policy keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
