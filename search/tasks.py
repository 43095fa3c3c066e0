"""Background work for search, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from search.indexing import do_index_pending


@task()
def index_pending() -> dict:
    """Bring the index up to date with the outbox; reschedules itself while Elasticsearch is down."""
    result = do_index_pending()
    return {
        "indexed": result.indexed,
        "deleted": result.deleted,
        "failed": result.failed,
        "unreachable": result.unreachable,
    }
