"""``manage.py hub_worker``: the hub's task worker, django-tasks-db's ``db_worker`` made to keep working.

It takes every ``db_worker`` option (``--queue-name``, ``--interval``, ``--batch``, ``--max-tasks``,
``--worker-id``, ``--no-startup-delay``, ``--reload`` …) and adds:

- ``--heartbeat SECONDS`` (``WORKER_HEARTBEAT_SECONDS``): how often a side thread writes the worker's
  heartbeat and sweeps (dead workers' tasks back to the queue, overdue outboxes re-driven);
- ``--lease SECONDS`` (``WORKER_LEASE_SECONDS``): how long a worker may go unseen before its
  running task is given to another worker;
- ``--max-reconnect-delay SECONDS``: the longest wait between attempts to reach a lost database.

When the database goes away (a restart, a fail-over) the worker waits and reconnects, doubling the wait
from half a second up to ``--max-reconnect-delay``, instead of exiting; a task it was running when the
database went away is put back in the queue once it is reachable again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import socket
import threading
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, InternalError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from hub.services.worker import beat, forget, requeue_own_tasks, sweep

logger = logging.getLogger("hub.worker")

# What a database restart or fail-over raises: no connection, a dropped one, a read-only standby.
DB_UNAVAILABLE = (OperationalError, InterfaceError, InternalError)
FIRST_RECONNECT_DELAY = 0.5
CALM_AFTER_SECONDS = (
    60  # a worker that ran this long since its last failure starts its back-off again
)


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


def close_connections() -> None:
    """Drop this thread's database connections (a broken one cannot be reused)."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


class HubWorker(Worker):
    """django-tasks-db's worker loop, restarted after database failures, with a heartbeat and a sweep."""

    def __init__(
        self, *, heartbeat: float, lease: int, max_reconnect_delay: float, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.heartbeat = heartbeat
        self.lease = lease
        self.max_reconnect_delay = max_reconnect_delay
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self._stopped = threading.Event()

    def run(self) -> None:
        thread = threading.Thread(target=self._keep_alive, name="hub-worker-heartbeat", daemon=True)
        thread.start()
        failures, last_failure = 0, 0.0
        try:
            while self.running:
                try:
                    requeue_own_tasks(self.worker_id)
                    super().run()  # returns when --batch or --max-tasks says the work is done
                    return
                except DB_UNAVAILABLE as exc:
                    if time.monotonic() - last_failure > CALM_AFTER_SECONDS:
                        failures = 0
                    failures, last_failure = failures + 1, time.monotonic()
                    delay = min(
                        FIRST_RECONNECT_DELAY * 2 ** (failures - 1), self.max_reconnect_delay
                    )
                    logger.warning(
                        "worker %s lost the database (%s); reconnecting in %.1f s",
                        self.worker_id,
                        first_line(exc),
                        delay,
                    )
                    close_connections()
                    time.sleep(delay)
        finally:
            self._stopped.set()
            thread.join(timeout=self.heartbeat + 5)
            with contextlib.suppress(
                DatabaseError
            ):  # else its heartbeat goes stale: it holds no task
                forget(self.worker_id)
            close_connections()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run the task; one that failed because the database went away is not recorded as failed but
        left to the reconnect loop, which puts it back in the queue once the database is back."""
        record_failure = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            if isinstance(exc, (OperationalError, InterfaceError)):  # not a bug of the task's
                raise exc
            record_failure(exc)

        db_task_result.set_failed = set_failed  # type: ignore[method-assign]
        super().run_task(db_task_result)

    def _keep_alive(self) -> None:
        """The side thread: heartbeat and sweep every ``heartbeat`` seconds, whatever the main loop does."""
        down = False
        while True:
            try:
                beat(self.worker_id, self.host, self.pid)
                sweep(self.lease)
                if down:
                    logger.warning("worker %s reached the database again", self.worker_id)
                down = False
            except DB_UNAVAILABLE as exc:
                if not down:
                    logger.warning("worker %s heartbeat: %s", self.worker_id, first_line(exc))
                down = True
                close_connections()
            except Exception:  # a broken sweep must not stop the heartbeat; it is logged
                logger.exception("worker %s: the sweep failed", self.worker_id)
            if self._stopped.wait(self.heartbeat):
                break
        close_connections()


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ArgumentTypeError("must be a number of seconds greater than zero")
    return seconds


class Command(DbWorkerCommand):
    help = (
        "Run the hub's task worker: django-tasks-db's db_worker that reconnects to a lost database, "
        "writes a heartbeat, takes back dead workers' tasks and retries overdue outboxes on time."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=positive_seconds,
            default=settings.WORKER_HEARTBEAT_SECONDS,
            help="Seconds between heartbeats and sweeps (default: WORKER_HEARTBEAT_SECONDS, %(default)s)",
        )
        parser.add_argument(
            "--lease",
            type=positive_seconds,
            default=settings.WORKER_LEASE_SECONDS,
            help="Seconds a worker may go unseen before its running task is given to another worker "
            "(default: WORKER_LEASE_SECONDS, %(default)s)",
        )
        parser.add_argument(
            "--max-reconnect-delay",
            type=positive_seconds,
            default=30.0,
            help="Longest wait in seconds between attempts to reach a lost database (default: %(default)s)",
        )
        parser.set_defaults(
            worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        heartbeat, lease = options["heartbeat"], options["lease"]
        if lease < 2 * heartbeat:
            raise CommandError(
                f"--lease ({lease:g} s) must be at least twice --heartbeat ({heartbeat:g} s), or a "
                "living worker's task could be given to another."
            )
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: not reloading.")
            reload = False
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HubWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            heartbeat=heartbeat,
            lease=int(math.ceil(lease)),
            max_reconnect_delay=options["max_reconnect_delay"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
