"""The worker's sweep: tasks of dead workers back in the queue, and every outbox re-driven when its
back-off expires, without waiting for the next change (on the database task queue, as in production)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.floor.models import OutboundEmail, WorkerHeartbeat
from hub.services.worker import drive_outboxes, requeue_orphaned_tasks, requeue_own_tasks
from linkeddata.models import PendingPublication
from search.models import OutboxEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued(task_path: str) -> list[str]:
    return list(DBTaskResult.objects.filter(task_path=task_path).values_list("status", flat=True))


def running_task(worker_id: str, started_ago: timedelta) -> DBTaskResult:
    from search.tasks import index_pending

    result = index_pending.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - started_ago)
    return row


def test_a_task_whose_worker_went_unseen_past_the_lease_is_put_back_in_the_queue():
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="dead", host="h", pid=1, last_seen=now - timedelta(minutes=2)
    )
    WorkerHeartbeat.objects.create(worker_id="alive", host="h", pid=2, last_seen=now)
    orphan = running_task("dead", timedelta(minutes=2))
    busy = running_task("alive", timedelta(minutes=2))
    just_claimed = running_task("unknown", timedelta(seconds=1))

    assert requeue_orphaned_tasks(lease_seconds=60) == [str(orphan.pk)]

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == "READY"
    assert statuses[busy.pk] == statuses[just_claimed.pk] == "RUNNING"
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()


def test_a_worker_back_from_a_lost_database_queues_its_own_task_again():
    mine = running_task("me", timedelta(seconds=1))
    theirs = running_task("other", timedelta(seconds=1))

    assert requeue_own_tasks("me") == [str(mine.pk)]
    assert DBTaskResult.objects.get(pk=theirs.pk).status == "RUNNING"


def test_a_search_update_past_its_back_off_is_retried_without_another_change(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    OutboxEntry.objects.create(
        doc_type="thread",
        object_id=1,
        attempts=3,
        next_attempt_at=timezone.now() + timedelta(minutes=1),
    )
    assert drive_outboxes() == []  # still backing off

    OutboxEntry.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert drive_outboxes() == ["search"]
    assert drive_outboxes() == []  # already queued: not twice
    assert queued("search.tasks.index_pending") == ["READY"]


def test_linked_data_publication_is_retried_once_its_back_off_since_the_last_attempt_expires(
    settings,
):
    from linkeddata.tasks import publish_pending

    settings.SPARQL_ENDPOINT_URL = "http://127.0.0.1:9/query"
    PendingPublication.objects.create(graph="reference", requested_at=timezone.now(), attempts=2)
    last = publish_pending.enqueue()
    DBTaskResult.objects.filter(pk=last.id).update(status="FAILED", finished_at=timezone.now())
    assert drive_outboxes() == []  # tried a moment ago: 10 s back-off after two attempts

    DBTaskResult.objects.filter(pk=last.id).update(
        finished_at=timezone.now() - timedelta(minutes=1)
    )
    assert drive_outboxes() == ["linked data"]
    assert sorted(queued("linkeddata.tasks.publish_pending")) == ["FAILED", "READY"]


def test_an_email_past_its_back_off_is_retried():
    OutboundEmail.objects.create(
        key="k", recipients=["a@example.org"], subject="S", body="B", attempts=1,
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip

    assert drive_outboxes() == ["emails"]
    assert queued("hub.floor.mail.deliver_due_emails") == ["READY"]
