"""Retrying background work later without piling up duplicate retries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

MAX_BACKOFF_SECONDS = 600


def backoff(attempts: int) -> timedelta:
    """How long to wait before retrying after ``attempts`` failures: 5 s, doubling, at most 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def enqueue_later(task, delay_seconds: float) -> None:
    """Enqueue ``task`` to run after ``delay_seconds``, unless a retry of it is already waiting.

    Does nothing when the task backend cannot defer (the immediate backend): then the next change,
    or the app's drain command, retries instead.
    """
    if task.get_backend().supports_defer and not _retry_waiting(task):
        task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds)).enqueue()


def _retry_waiting(task) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY", run_after__gt=timezone.now()).exists()
