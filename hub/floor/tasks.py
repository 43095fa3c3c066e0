"""Background work: enqueueing a task by its dotted path, and retrying later without piling up retries.

Services name the task they want (``enqueue_on_commit("search.tasks.index_pending")``) rather than
import it, so a task module imports the services it runs and a service never imports a task module.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResult

MAX_BACKOFF_SECONDS = 600

AnyTask = Task[..., Any]


def backoff(attempts: int) -> timedelta:
    """How long to wait before retrying after ``attempts`` failures: 5 s, doubling, at most 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def get_task(task: AnyTask | str) -> AnyTask:
    """The django-tasks task ``task`` names (a dotted path such as ``"search.tasks.index_pending"``).

    Raises ImportError when the path names nothing, TypeError when it names something that is not a task.
    """
    if isinstance(task, Task):
        return task
    found = import_string(task)
    if not isinstance(found, Task):
        raise TypeError(
            f"{task} is {type(found).__name__}, not a django-tasks task (decorate it with @task())"
        )
    return found


def enqueue(task_path: str, *args: Any, **kwargs: Any) -> TaskResult[Any]:
    """Enqueue the task at ``task_path`` with these arguments, now."""
    return get_task(task_path).enqueue(*args, **kwargs)


def enqueue_on_commit(task_path: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue the task at ``task_path`` once the current transaction commits (now, outside one).

    The path is checked now, so a wrong name fails inside the transaction rather than after it.
    """
    get_task(task_path)
    transaction.on_commit(partial(enqueue, task_path, *args, **kwargs))


@dataclass(eq=False)
class _Batch:
    """The requests for one task (and arguments) made in one transaction: the first to run enqueues it."""

    task_path: str
    args: tuple[Hashable, ...]
    kwargs: dict[str, Hashable]
    done: bool = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        enqueue(self.task_path, *self.args, **self.kwargs)


# Per database connection (so per thread), the batch still waiting for its transaction to commit.
_batches: WeakKeyDictionary[BaseDatabaseWrapper, dict[Hashable, _Batch]] = WeakKeyDictionary()


def enqueue_once_on_commit(task_path: str, *args: Hashable, **kwargs: Hashable) -> None:
    """As ``enqueue_on_commit``, but at most once per transaction for the same task and arguments.

    However many changes in one transaction ask for the task, it is enqueued once, after the commit:
    every request registers a callback, and the first of them to run enqueues the task for all.
    A rolled-back transaction or savepoint discards its callbacks with it, so nothing is lost, and
    the next transaction starts a new batch once the previous one has run.
    """
    get_task(task_path)
    connection = transaction.get_connection()
    pending = _batches.setdefault(connection, {})
    key = (task_path, args, tuple(sorted(kwargs.items())))
    batch = pending.get(key)
    if batch is None or batch.done:
        batch = pending[key] = _Batch(task_path, args, kwargs)
    transaction.on_commit(batch)


def enqueue_later(task: AnyTask | str, delay_seconds: float) -> None:
    """Enqueue ``task`` (a task or its dotted path) to run after ``delay_seconds``, unless a retry
    of it is already waiting.

    Does nothing when the task backend cannot defer (the immediate backend): then the next change,
    or the app's drain command, retries instead.
    """
    found = get_task(task)
    if found.get_backend().supports_defer and not _retry_waiting(found):
        found.using(run_after=timezone.now() + timedelta(seconds=delay_seconds)).enqueue()


def _retry_waiting(task: AnyTask) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()


def task_queued(task: AnyTask | str) -> bool:
    """Whether ``task`` is already due in the queue or running (so enqueueing it again adds nothing)."""
    found = get_task(task)
    if not found.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    results = DBTaskResult.objects.filter(task_path=found.module_path)
    return results.ready().exists() or results.running().exists()


def enqueue_if_idle(task: AnyTask | str) -> bool:
    """Enqueue ``task`` now unless it is already due or running; returns whether it was enqueued.

    The worker's sweep uses it to re-drive an outbox whose back-off has expired.
    """
    found = get_task(task)
    if task_queued(found):
        return False
    found.enqueue()
    return True
