"""Background work of data alerts, run by the task worker after the import commits."""

from __future__ import annotations

from django_tasks import task

from communities.data_alerts.services import do_tell_release


@task()
def tell_figures_release(release_id: int) -> int:
    return do_tell_release(release_id)
