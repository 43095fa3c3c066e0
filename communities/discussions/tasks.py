"""Background work for discussions, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from communities.discussions.services.notifications import (
    do_send_digests,
    do_send_notification_emails,
)


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    return do_send_notification_emails(notification_ids)


def next_digest_time(now: datetime | None = None) -> datetime:
    """07:00 local time tomorrow."""
    now = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time(7, 0)))


@task()
def send_daily_digests() -> int:
    """Send the daily digests, then queue itself for 07:00 tomorrow (where the backend can defer),
    so the worker runs it every day once ``manage.py send_digests --schedule`` has queued it."""
    sent = do_send_digests()
    if default_task_backend.supports_defer:
        send_daily_digests.using(run_after=next_digest_time()).enqueue()
    return sent
