"""Retrying background work later without piling up duplicate retries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def enqueue_later(task, delay_seconds: float) -> bool:
    """Enqueue ``task`` to run after ``delay_seconds``, unless a retry of it is already waiting.

    Returns False when the task backend cannot defer (the immediate backend): then the next change,
    or the app's drain command, retries instead.
    """
    if not task.get_backend().supports_defer:
        return False
    if not _retry_waiting(task):
        task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds)).enqueue()
    return True


def _retry_waiting(task) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY", run_after__gt=timezone.now()).exists()
