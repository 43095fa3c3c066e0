import ipaddress
import sys
from email.utils import parseaddr

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hub.floor.bad_input import BadInput
from hub.floor.clients import client_address
from hub.middleware import DATABASE_UNAVAILABLE
from hub.services.health import FAILING, health_report

RETRY_AFTER_SECONDS = 10


def may_see_health_details(request) -> bool:
    """Staff, and requests from this machine (the client address is proxy-aware: TRUSTED_PROXY_COUNT)."""
    try:
        if ipaddress.ip_address(client_address(request)).is_loopback:
            return True
    except ValueError:
        pass
    try:
        return bool(request.user.is_staff)
    except DatabaseError:
        return False  # without the database nobody can be recognised as staff


@never_cache
@require_safe  # GET and HEAD alike
def healthz(request):
    """Readiness: 200 while the hub can serve pages (ok or degraded), 503 when failing.

    Everyone sees the status; staff and loopback see every check, count and error.
    """
    status, report = health_report()
    body = report if may_see_health_details(request) else {"status": status}
    return JsonResponse(body, status=503 if status == FAILING else 200)


@never_cache
@require_safe
def healthz_live(request):
    """Liveness: the process answers. No database, no other service."""
    return JsonResponse({"status": "ok"})


ROBOTS_TXT = """User-agent: *
Disallow: /admin/
Disallow: /accounts/
Disallow: /notifications/
Disallow: /dashboard/
Disallow: /search/
"""


@require_safe
def robots_txt(request):
    """Crawlers may read the public hub, not its sign-in, personal or search pages."""
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    """Browsers that ask for /favicon.ico get the SVG icon base.html links."""
    return redirect(static("hub/favicon.svg"), permanent=True)


def about_data(request):
    return render(request, "hub/about_data.html")


def accessibility(request):
    return render(request, "hub/accessibility.html", {"contact_email": contact_email()})


def privacy(request):
    return render(request, "hub/privacy.html", {"contact_email": contact_email()})


def cookies(request):
    return render(request, "hub/cookies.html")


def contact(request):
    return render(request, "hub/contact.html", {"contact_email": contact_email()})


def contact_email() -> str:
    """``CONTACT_EMAIL``, or the address the hub sends its emails from (a mailbox someone reads)."""
    return settings.CONTACT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def permission_denied(request, exception=None):
    """The 403 page: why (the refusal's own message, when it gives one) and a way back."""
    reason = str(exception) if exception is not None and str(exception) else ""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason or "You do not have permission."}, status=403)
    return render(request, "403.html", {"reason": reason, "back": back}, status=403)


def bad_request(request, exception=None):
    """The 400 answer: a page, or JSON under /api/; a ``BadInput`` says what was wrong."""
    message = exception.message if isinstance(exception, BadInput) else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or "Bad request."}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The error page, rendered without the database (no context processors, no queries).

    When the database could not be reached the answer is 503 with Retry-After (and the outermost
    middleware, ``hub.middleware.DatabaseRetryMiddleware``, tries the request once more if safe).
    """
    unavailable = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    html = loader.get_template("500.html").render(
        {"unavailable": unavailable, "posted": request.method == "POST"}
    )
    response = HttpResponse(html, status=503 if unavailable else 500)
    if unavailable:
        request.database_unavailable = True
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
