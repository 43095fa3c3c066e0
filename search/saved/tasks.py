"""Background work for saved searches, run by the task worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from django_tasks import default_task_backend, task

from communities.discussions.tasks import next_digest_time
from search.saved.services import do_match_new_content, do_run_due_saved_searches

BEFORE_DIGEST = timedelta(minutes=15)


@task()
def match_new_content(kind: str, ids: list[int]) -> int:
    """New content just published, against the saved searches set to "straight away"."""
    return do_match_new_content(kind, ids)


def next_run_time(now: datetime | None = None) -> datetime:
    """Tomorrow, a quarter of an hour before the daily digest (so what it finds goes in it)."""
    return next_digest_time(now) - BEFORE_DIGEST


@task()
def run_due_saved_searches() -> int:
    """The daily and weekly saved searches that are due, then queue itself for tomorrow."""
    made = do_run_due_saved_searches()
    if default_task_backend.supports_defer:
        run_due_saved_searches.using(run_after=next_run_time()).enqueue()
    return made
