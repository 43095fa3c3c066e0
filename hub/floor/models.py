"""The floor's tables: emails the hub owes (sent at most once per key) and the task workers' heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One email the hub means to send, written before it is sent and marked when the server accepted it.

    ``key`` names what the email is about (``notification:42``), so a task that runs again after a crash
    finds the email already sent and does not send it twice. An email the server refused stays unsent,
    with a back-off, and the worker's sweep tries it again (``hub.floor.mail``).
    """

    key = models.CharField(max_length=200, unique=True)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    # The HTML alternative (the plain text above is always sent too) and extra headers, such as an
    # alert's one-click unsubscribe (RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post``).
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    from_email = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="floor_email_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A task worker's lease: rewritten every few seconds while it lives (``manage.py hub_worker``).

    A task still RUNNING under a worker whose heartbeat has gone stale is put back in the queue.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class ContentGeneration(models.Model):
    """A counter that changes whenever readers may see something different (``hub.floor.pagecache``):
    bumped inside the changing transaction, so it commits or rolls back with the change."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
