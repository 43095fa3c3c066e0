"""Who is asking: the client's network address, for limits that count per client.

Behind a reverse proxy every request comes from the proxy, so ``TRUSTED_PROXY_COUNT`` (default 0)
says how many proxies in front of the hub append to ``X-Forwarded-For``; the client is the entry that
many places from its right end. Entries further left are written by the client and never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address to count this request against (``REMOTE_ADDR`` without a trusted proxy)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"
