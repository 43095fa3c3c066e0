"""The floor: configuration, back-off and enqueueing tasks by name, which any app may import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from hub.floor import loopback
from hub.floor import tasks as floor_tasks
from hub.floor.tasks import (
    backoff,
    enqueue,
    enqueue_later,
    enqueue_on_commit,
    enqueue_once_on_commit,
    get_task,
)

INDEX_TASK = "search.tasks.index_pending"


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    """What the floor enqueued by name (the task itself does not run)."""
    calls: list[tuple] = []
    monkeypatch.setattr(
        floor_tasks, "enqueue", lambda path, *args, **kwargs: calls.append((path, args, kwargs))
    )
    return calls


def test_backoff_doubles_from_five_seconds_up_to_ten_minutes():
    assert [backoff(n).total_seconds() for n in (0, 1, 2, 3)] == [5, 5, 10, 20]
    assert backoff(30) == timedelta(minutes=10)


def test_get_task_finds_a_task_by_its_dotted_path():
    from search.tasks import index_pending

    assert get_task(INDEX_TASK) is index_pending
    assert get_task(index_pending) is index_pending


def test_get_task_refuses_what_is_not_a_task():
    with pytest.raises(ImportError):
        get_task("search.tasks.no_such_task")
    with pytest.raises(TypeError, match="not a django-tasks task"):
        get_task("search.indexing.do_index_pending")


@pytest.mark.django_db
def test_enqueue_runs_the_named_task_on_the_immediate_backend():
    result = enqueue(INDEX_TASK)

    assert result.return_value == {"indexed": 0, "deleted": 0, "failed": 0, "unreachable": False}


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(INDEX_TASK)
        enqueue_on_commit(INDEX_TASK)
        assert enqueued == []

    assert enqueued == [(INDEX_TASK, (), {}), (INDEX_TASK, (), {})]


@pytest.mark.django_db
def test_enqueue_on_commit_checks_the_name_inside_the_transaction():
    with pytest.raises(ImportError):
        enqueue_on_commit("search.tasks.no_such_task")


@pytest.mark.django_db
def test_enqueue_once_on_commit_enqueues_once_per_transaction(
    enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            enqueue_once_on_commit(INDEX_TASK)
        enqueue_once_on_commit(INDEX_TASK, "other", flag=True)  # other arguments: another request

    assert sorted(enqueued) == [(INDEX_TASK, (), {}), (INDEX_TASK, ("other",), {"flag": True})]

    with django_capture_on_commit_callbacks(execute=True):  # the next transaction enqueues again
        enqueue_once_on_commit(INDEX_TASK)

    assert enqueued.count((INDEX_TASK, (), {})) == 2


@pytest.mark.django_db
def test_enqueue_once_on_commit_forgets_a_request_rolled_back_with_its_savepoint(
    enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_once_on_commit(INDEX_TASK)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert enqueued == []
        enqueue_once_on_commit(INDEX_TASK)

    assert enqueued == [(INDEX_TASK, (), {})]


@pytest.mark.django_db(transaction=True)
def test_enqueue_once_on_commit_outside_a_transaction_enqueues_at_once(enqueued):
    enqueue_once_on_commit(INDEX_TASK)
    enqueue_once_on_commit(INDEX_TASK)  # autocommit: each request is its own transaction

    assert enqueued == [(INDEX_TASK, (), {}), (INDEX_TASK, (), {})]


@pytest.mark.django_db(transaction=True)
def test_enqueue_once_on_commit_in_a_real_transaction_enqueues_after_it_commits(enqueued):
    with transaction.atomic():
        enqueue_once_on_commit(INDEX_TASK)
        enqueue_once_on_commit(INDEX_TASK)
        assert enqueued == []

    assert enqueued == [(INDEX_TASK, (), {})]

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_once_on_commit(INDEX_TASK)
        raise RuntimeError("rolled back")

    assert enqueued == [(INDEX_TASK, (), {})]

    with transaction.atomic():
        enqueue_once_on_commit(INDEX_TASK)

    assert enqueued == [(INDEX_TASK, (), {}), (INDEX_TASK, (), {})]


@pytest.mark.django_db
def test_enqueue_later_by_name_keeps_one_waiting_retry(settings):
    from django_tasks_db.models import DBTaskResult

    from search.tasks import index_pending

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    enqueue_later(INDEX_TASK, 60)
    enqueue_later(index_pending, 60)

    assert (
        DBTaskResult.objects.filter(task_path=index_pending.module_path, status="READY").count()
        == 1
    )


@pytest.mark.django_db
def test_one_content_change_queues_the_indexing_task_once(
    settings, enqueued, django_capture_on_commit_callbacks
):
    from search.indexing import record_change
    from search.models import OutboxEntry
    from tests.factories import ThreadFactory

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # enabled; nothing is indexed here

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ThreadFactory(title="One change")  # the page, its revision, its tags: several records
        record_change("post", [1, 2])

    assert len(callbacks) > 2  # every record asked for the task...
    assert OutboxEntry.objects.filter(doc_type="thread").exists()
    indexing = [task for task in enqueued if task[0] == INDEX_TASK]
    assert indexing == [(INDEX_TASK, (), {})]  # ...which was queued once


def test_the_actor_type_is_what_request_user_is():
    from django.contrib.auth.models import AnonymousUser, User

    from hub.floor.actor import Actor, AuthenticatedActor

    assert isinstance(AnonymousUser(), Actor)
    assert isinstance(User(), Actor)
    assert AuthenticatedActor is User


def test_a_server_is_never_given_a_port_the_kernel_lends_outgoing_connections():
    """A port outgoing connections borrow can be held at the moment a server binds it (the suite's
    own PostgreSQL once failed to start so): free_port refuses such ports, naming the range."""
    lent = loopback.ephemeral_ports()
    with pytest.raises(OSError, match=f"lends outgoing connections \\({lent.start}–"):
        loopback.free_port([lent.start + 1])
    assert loopback.free_port(range(lent.start - 200, lent.start)) < lent.start


def test_the_servers_the_tests_and_the_drill_start_listen_below_the_lent_ports():
    from hub.drill import stack
    from search.node import DEFAULT_PORT
    from tests.hub.conftest import PG_PORTS, SERVER_PORTS

    lent = loopback.ephemeral_ports()
    ranges = [stack.PG_PORTS, stack.ES_PORTS, stack.OXIGRAPH_PORTS, stack.WEB_PORTS]
    ranges += [PG_PORTS, SERVER_PORTS, range(DEFAULT_PORT, DEFAULT_PORT + 101)]  # HTTP, transport
    assert all(ports.stop <= lent.start for ports in ranges)
