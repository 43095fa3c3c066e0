"""``/.well-known/security.txt`` (RFC 9116): where to report a vulnerability in the hub."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET


def security_contact() -> str:
    """``SECURITY_CONTACT``, or the address the hub sends its emails from (a mailbox someone reads)."""
    if settings.SECURITY_CONTACT:
        return settings.SECURITY_CONTACT
    return f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    # RFC 9116 asks for an expiry under a year ahead; the file is generated, so it never goes stale.
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: {security_contact()}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
