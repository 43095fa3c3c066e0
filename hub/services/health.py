"""Health of the hub and the services it depends on, for /healthz and the start-up checks.

Readiness says whether the hub can serve pages: ``failing`` (HTTP 503) only when the database cannot
be reached (or background work is older than ``HEALTH_BACKLOG_FAILING_SECONDS``, when that is set);
``degraded`` (still 200) when Elasticsearch or the SPARQL server is down, no task worker has been seen
for ``HEALTH_WORKER_STALE_SECONDS``, or the oldest pending task, search outbox entry, linked-data
publication or email is older than ``HEALTH_BACKLOG_WARNING_SECONDS``. Each app reports on its own
backend (``search.health.check_search`` for the search backend).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from hub.floor.config import redact_url
from search.health import check_search

OK, DEGRADED, FAILING = "ok", "degraded", "failing"


def _error(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "engine": connection.vendor, "error": _error(exc)}
    return {"ok": True, "engine": connection.vendor}


def check_tasks() -> dict:
    """The task queue: its backend, and for the database queue its backlog and the workers seen."""
    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db"):
        return {"ok": True, "backend": backend.rsplit(".", 1)[-1]}
    from django_tasks_db.models import DBTaskResult, get_date_max

    from hub.floor.models import WorkerHeartbeat

    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    # a task is pending from when it was enqueued or, if deferred, from when it fell due
    undeferred = ready.filter(run_after=get_date_max()).order_by("enqueued_at")
    deferred = ready.exclude(run_after=get_date_max()).order_by("run_after")
    starts = [
        undeferred.values_list("enqueued_at", flat=True).first(),
        deferred.values_list("run_after", flat=True).first(),
    ]
    since = min((start for start in starts if start is not None), default=None)
    last_seen = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True)
    seen = last_seen.first()
    stale = timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS)
    return {
        "ok": True,
        "backend": "database",
        "pending": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_pending_seconds": round((now - since).total_seconds()) if since else 0,
        "workers": WorkerHeartbeat.objects.filter(last_seen__gte=now - stale).count(),
        "worker_last_seen_seconds": round((now - seen).total_seconds()) if seen else None,
    }


def check_search_outbox() -> dict:
    from search.indexing import outbox_status

    return {"ok": True, **outbox_status()}


def check_emails() -> dict:
    from hub.floor.mail import MAX_ATTEMPTS, oldest_unsent_seconds
    from hub.floor.models import OutboundEmail

    unsent = OutboundEmail.objects.filter(sent_at__isnull=True)
    return {
        "ok": True,
        "pending": unsent.filter(attempts__lt=MAX_ATTEMPTS).count(),
        "oldest_pending_seconds": round(oldest_unsent_seconds()),
        "given_up": unsent.filter(attempts__gte=MAX_ATTEMPTS).count(),
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


BACKLOGS = {  # check → what its oldest pending item is, for the warnings
    "tasks": "task",
    "search_outbox": "search index update",
    "linked_data": "linked-data publication",
    "emails": "email",
}


def _warnings(checks: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
    """The warnings about background work, and whether any is past the failing threshold."""
    warnings: list[str] = []
    failing = False
    warn_after = settings.HEALTH_BACKLOG_WARNING_SECONDS
    fail_after = settings.HEALTH_BACKLOG_FAILING_SECONDS
    for name, what in BACKLOGS.items():
        age = checks.get(name, {}).get("oldest_pending_seconds") or 0
        if fail_after and age > fail_after:
            failing = True
            warnings.append(
                f"the oldest pending {what} has waited {age} s (failing after {fail_after} s)"
            )
        elif warn_after and age > warn_after:
            warnings.append(
                f"the oldest pending {what} has waited {age} s (warning after {warn_after} s)"
            )
    tasks = checks.get("tasks", {})
    stale_after = settings.HEALTH_WORKER_STALE_SECONDS
    if tasks.get("backend") == "database" and stale_after and not tasks.get("workers"):
        seen = tasks.get("worker_last_seen_seconds")
        warnings.append(
            "no task worker has ever been seen"
            if seen is None
            else f"no task worker seen for {seen} s (warning after {stale_after} s)"
        )
    return warnings, failing


def health_report() -> tuple[str, dict]:
    """``(status, report)``: status is ok, degraded or failing; the report has every check's details."""
    checks: dict[str, dict[str, Any]] = {"database": check_database()}
    checks["search"] = check_search()
    if checks["database"]["ok"]:
        for name, check in (
            ("tasks", check_tasks),
            ("search_outbox", check_search_outbox),
            ("linked_data", check_linked_data),
            ("emails", check_emails),
        ):
            try:
                checks[name] = check()
            except DatabaseError as exc:
                checks[name] = {"ok": False, "error": _error(exc)}
    else:
        for name in ("tasks", "search_outbox", "linked_data", "emails"):
            checks[name] = {"ok": False, "error": "database unavailable"}
    warnings, backlog_failing = _warnings(checks)
    if not checks["database"]["ok"] or backlog_failing:
        status = FAILING
    elif warnings or not all(check["ok"] for check in checks.values()):
        status = DEGRADED
    else:
        status = OK
    degraded = sorted(name for name, check in checks.items() if not check["ok"])
    return status, {"status": status, "degraded": degraded, "warnings": warnings, "checks": checks}
