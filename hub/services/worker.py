"""What keeps background work moving: the workers' heartbeats, tasks taken back from dead workers,
and the sweep that re-drives every outbox whose back-off has expired.

``manage.py hub_worker`` calls ``beat`` and ``sweep`` every ``WORKER_HEARTBEAT_SECONDS`` from a side
thread, so a long task does not stop its worker's heartbeat, and ``requeue_own_tasks`` when it has
reconnected after losing the database mid-task. Every task the hub runs is safe to run again: index
writes carry an external version and read the current state, graph publication replaces whole named
graphs, and emails are sent once per idempotency key (``hub.floor.mail``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.floor.mail import DELIVERY_TASK, due_emails
from hub.floor.models import WorkerHeartbeat
from hub.floor.tasks import enqueue_if_idle

logger = logging.getLogger("hub.worker")

FORGET_AFTER = timedelta(days=1)


def beat(worker_id: str, host: str, pid: int) -> None:
    """Record that this worker is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": host, "pid": pid, "last_seen": now}
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat (it holds no task)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _put_back(results: list[DBTaskResult], why: str) -> list[str]:
    for result in results:
        result.status = "READY"
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
        logger.warning("task %s (%s) put back in the queue: %s", result.pk, result.task_path, why)
    return [str(result.pk) for result in results]


def requeue_orphaned_tasks(lease_seconds: int) -> list[str]:
    """Put back in the queue every task RUNNING under a worker not seen for ``lease_seconds``.

    Returns the ids of the tasks put back. A task claimed less than a lease ago is left alone, as is
    every task of a worker whose heartbeat is fresh.
    """
    cutoff = timezone.now() - timedelta(seconds=lease_seconds)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        orphans = [
            result
            for result in running.select_for_update(skip_locked=True)
            if not result.worker_ids or result.worker_ids[-1] not in alive
        ]
        return _put_back(orphans, f"its worker has not been seen for {lease_seconds} s")


def requeue_own_tasks(worker_id: str) -> list[str]:
    """Put back the tasks this worker had claimed: it lost the database while running them, so
    their outcome was never recorded. Call only when the worker is running no task."""
    with transaction.atomic():
        mine = [
            result
            for result in DBTaskResult.objects.running().select_for_update(skip_locked=True)
            if result.worker_ids and result.worker_ids[-1] == worker_id
        ]
        return _put_back(mine, "its worker lost the database while running it")


def drive_outboxes() -> list[str]:
    """Enqueue the task of every outbox with work past its back-off (and no run of it queued)."""
    from linkeddata.services import publish
    from search import indexing

    driven = []
    if indexing.drive_overdue():
        driven.append("search")
    if publish.drive_overdue():
        driven.append("linked data")
    if due_emails().exists() and enqueue_if_idle(DELIVERY_TASK):
        driven.append("emails")
    return driven


def sweep(lease_seconds: int) -> None:
    """Once every few seconds: take back dead workers' tasks, re-drive overdue outboxes, and forget
    workers gone for a day."""
    requeue_orphaned_tasks(lease_seconds)
    driven = drive_outboxes()
    if driven:
        logger.info("retrying overdue work: %s", ", ".join(driven))
    WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - FORGET_AFTER).delete()
