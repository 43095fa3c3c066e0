"""The search backend's health, for /healthz and the start-up checks (the shell asks here)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from elastic_transport import ConnectionError as TransportConnectionError

from hub.floor.config import redact_url
from search.client import SEARCH_ERRORS, get_client, is_enabled

HEALTH_TIMEOUT_SECONDS = 2  # a health check answers quickly or reports the backend as down


def check_search() -> dict[str, Any]:
    """Which search backend is in use and whether it answers.

    ``{"ok", "backend"}``, and for Elasticsearch also ``url`` (password redacted), then either
    ``version`` and ``cluster_status`` or ``error`` (the failure's class name, short and safe to publish).
    """
    if not is_enabled():
        return {"ok": True, "backend": "database"}
    url = redact_url(settings.ELASTICSEARCH_URL)
    client = get_client().options(request_timeout=HEALTH_TIMEOUT_SECONDS, max_retries=0)
    try:
        health = client.cluster.health()
        info = client.nodes.info(node_id="_local", metric="_none", filter_path="nodes.*.version")
    except SEARCH_ERRORS as exc:
        return {
            "ok": False,
            "backend": "elasticsearch",
            "url": url,
            "error": exc.__class__.__name__,
        }
    nodes: dict[str, dict[str, Any]] = info.body.get("nodes", {})
    version = next(iter(nodes.values()), {}).get("version")
    status = health["status"]
    return {
        "ok": status in {"green", "yellow"},
        "backend": "elasticsearch",
        "url": url,
        "version": version,
        "cluster_status": status,
    }


def explain_unreachable(exc: BaseException) -> str | None:
    """One line when ``exc`` means Elasticsearch could not be reached, else None (for the entry points)."""
    if not isinstance(exc, TransportConnectionError):
        return None
    url = redact_url(os.environ.get("ELASTICSEARCH_URL", ""))
    return f"cannot reach Elasticsearch at {url}: {exc.message}"
