"""Health of the services the hub depends on, for /healthz and the start-up checks.

Each app reports on its own backend (``search.health.check_search`` for the search backend).
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from hub.floor.config import redact_url
from search.health import check_search


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "engine": connection.vendor, "error": str(exc).strip().splitlines()[0]}
    return {"ok": True, "engine": connection.vendor}


def check_tasks() -> dict:
    """The task queue: its backend, and for the database queue its backlog."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"ok": True, "backend": backend.rsplit(".", 1)[-1]}
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        pending = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except DatabaseError as exc:
        return {"ok": False, "backend": "database", "error": str(exc).strip().splitlines()[0]}
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "ok": True,
        "backend": "database",
        "pending": pending,
        "oldest_pending_seconds": round(age),
    }


def check_sparql_server() -> dict:
    """Whether the external SPARQL server answers (no database access: start-up checks use it too)."""
    from linkeddata.store import StoreUnavailable, external_query

    check = {"ok": True, "store": "external", "url": redact_url(settings.SPARQL_ENDPOINT_URL)}
    try:
        external_query("ASK {}", timeout=2)
    except StoreUnavailable as exc:
        check.update(ok=False, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - any refusal means the server is not answering queries
        check.update(
            ok=False, error=f"the SPARQL server at {check['url']} refused a query: {exc}"[:300]
        )
    return check


def check_linked_data() -> dict:
    """The RDF store (local, or the external SPARQL server and whether it answers) and what awaits publishing."""
    from linkeddata.services.publish import publication_status

    server = (
        check_sparql_server() if settings.SPARQL_ENDPOINT_URL else {"ok": True, "store": "local"}
    )
    return {**server, **publication_status()}


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database()}
    checks["search"] = check_search()
    checks["tasks"] = (
        check_tasks()
        if checks["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    checks["linked_data"] = (
        check_linked_data()
        if checks["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
