"""Background work for linked data, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from linkeddata.services.publish import do_publish_pending_or_later


@task()
def publish_pending() -> dict:
    """Publish what is pending on the external SPARQL server; reschedules itself while it is down."""
    result = do_publish_pending_or_later()
    return {"published": result.published, "remaining": result.remaining, "error": result.error}
