"""Background work for linked data, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from linkeddata.services.publish import do_publish_pending_or_later
from linkeddata.store import uses_external_endpoint


@task()
def publish_pending() -> dict:
    """Publish what is pending on the external SPARQL server; reschedules itself while it is down.

    The worker never opens the local store: only one process may hold it, and that is the web server,
    which publishes what is pending before its next query.
    """
    if not uses_external_endpoint():
        return {
            "published": [],
            "remaining": None,
            "error": "the local store is published by the process that holds it",
        }
    result = do_publish_pending_or_later()
    return {"published": result.published, "remaining": result.remaining, "error": result.error}
