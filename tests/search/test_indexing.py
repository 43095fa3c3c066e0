"""Indexing loses nothing: the outbox while Elasticsearch is down, and rebuilds under writes."""

import threading
from dataclasses import replace
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import Post, Profile, ThreadPage, Visibility
from communities.people.services.communities import do_add_member
from search.client import alias_name
from search.documents import DOC_TYPES
from search.indexes import (
    create_building_index,
    drop_indexes,
    ensure_index,
    finish_building,
    indexes_behind,
)
from search.indexing import do_index_pending, do_rebuild
from search.models import OutboxEntry
from search.queries import parse_params, run_search
from search.tasks import index_pending
from tests.factories import CommunityFactory, PostFactory, ThreadFactory, UserFactory
from tests.search.conftest import SearchIndex


def database_ids() -> set[str]:
    """Every document the index should hold, read from the database."""
    return {
        t.doc_id(pk)
        for t in DOC_TYPES.values()
        for pk in t.indexable_queryset().values_list("pk", flat=True)
    }


def make_fifty_changes(community) -> int:
    changes = 0
    threads = [ThreadFactory(community=community, title=f"Outbox thread {i}") for i in range(10)]
    changes += 10
    posts = [PostFactory(thread=threads[i % 10], body=f"Outbox reply {i}") for i in range(20)]
    changes += 20
    for thread in threads[:5]:
        thread.title = f"{thread.title} (edited)"
        thread.save_revision().publish()
        changes += 1
    for post in posts[:5]:
        post.is_hidden = True
        post.save()
        changes += 1
    for post in posts[5:8]:
        post.delete()
        changes += 1
    for thread in threads[8:]:
        thread.delete()
        changes += 1
    community.visibility = Visibility.RESTRICTED
    community.save_revision().publish()
    changes += 1
    for profile in Profile.objects.all()[:4]:
        profile.bio = "Updated while search was down"
        profile.save()
        changes += 1
    return changes


@pytest.mark.django_db
def test_with_elasticsearch_down_the_outbox_keeps_every_change_and_drains_when_it_returns(
    search_index, settings, unused_tcp_port, client, django_capture_on_commit_callbacks
):
    community = CommunityFactory(title="Outbox community")
    search_index.sync()
    live_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"  # nothing listens there

    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the indexing task runs after each commit, and fails
        changes = make_fifty_changes(community)

    assert changes == 50
    assert OutboxEntry.objects.count() >= 50
    assert OutboxEntry.objects.filter(attempts__gt=0).exists()
    assert "ConnectionError" in OutboxEntry.objects.exclude(last_error="").first().last_error
    response = client.get(
        "/search/", {"q": "outbox community"}
    )  # the hub keeps working, from the database
    assert response.status_code == 200
    assert "simpler mode" in response.content.decode()
    assert "Outbox community" in response.content.decode()

    settings.ELASTICSEARCH_URL = live_url
    OutboxEntry.objects.update(next_attempt_at=timezone.now())  # the back-off has passed
    index_pending.enqueue()  # what the worker runs next

    assert OutboxEntry.objects.count() == 0
    ids = search_index.ids()
    assert len(ids) == len(set(ids))
    assert set(ids) == database_ids()


@pytest.mark.django_db
def test_a_change_is_indexed_by_the_task_once_committed(
    search_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = ThreadFactory(title="Committed and indexed")
    search_index.client.indices.refresh(index=alias_name())

    assert f"thread-{thread.pk}" in search_index.ids()
    assert OutboxEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_document_elasticsearch_rejects_is_retried_then_recorded_as_failed(
    search_index, monkeypatch
):
    thread = ThreadFactory(title="Rejected")
    real = DOC_TYPES["thread"]
    monkeypatch.setitem(
        DOC_TYPES, "thread", replace(real, build=lambda t: {**real.build(t), "year": "not a year"})
    )
    OutboxEntry.objects.exclude(doc_type="thread").delete()
    for _ in range(8):
        do_index_pending(include_backoff=True)

    entry = OutboxEntry.objects.get(doc_type="thread", object_id=thread.pk)
    assert entry.failed_at is not None and entry.attempts == 8
    assert "year" in entry.last_error
    out = StringIO()
    call_command("search_status", stdout=out)
    assert "1 failed" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_while_a_writer_adds_content_keeps_every_document_exactly_once(
    elasticsearch, home_page
):
    index = SearchIndex(elasticsearch)
    ensure_index()
    community = CommunityFactory(title="Busy community")
    author = UserFactory()
    do_add_member(community, author)
    for i in range(40):
        thread = do_start_thread(
            community=community, author=author, title=f"Before the rebuild {i}", body="Text."
        )
        do_reply(thread=thread, author=author, body=f"Reply {i}")
    first_index = indexes_behind(alias_name())
    stop, written = threading.Event(), []

    def writer():
        try:
            while not stop.is_set():
                thread = do_start_thread(
                    community=community,
                    author=author,
                    title=f"During the rebuild {len(written)}",
                    body="Written meanwhile.",
                )
                do_reply(thread=thread, author=author, body="A reply written meanwhile.")
                written.append(thread.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=writer)
    worker.start()
    try:
        while len(written) < 2:
            stop.wait(0.05)
        before = len(written)
        result = do_rebuild(chunk_size=1)  # one document a request: long enough to overlap writes
        during = len(written) - before
    finally:
        stop.set()
        worker.join()
    do_index_pending(include_backoff=True)

    ids = index.ids()
    assert during > 0
    assert len(ids) == len(set(ids))
    assert set(ids) == database_ids()
    assert ThreadPage.objects.filter(title__startswith="During").count() == len(written)
    assert Post.objects.count() == 40 + len(written)
    assert indexes_behind(alias_name()) == [result.index] != first_index


@pytest.mark.django_db
def test_rebuild_and_status_commands_report_progress_and_counts(search_index):
    ThreadFactory(title="Counted")
    out, err = StringIO(), StringIO()
    call_command("search_rebuild", stdout=out, stderr=err)
    assert "searches now use it" in out.getvalue()
    assert "left" in err.getvalue()  # progress with an estimate of the time left

    out = StringIO()
    call_command("search_status", stdout=out)
    report = out.getvalue()
    assert alias_name() in report
    assert "thread" in report and "differs" not in report
    assert "Outbox backlog: 0 pending" in report


def _segments(client, index: str) -> int:
    shards = client.indices.segments(index=index)["indices"][index]["shards"]
    return sum(len(copy["segments"]) for copies in shards.values() for copy in copies)


def test_a_new_index_is_merged_into_one_segment_before_searches_use_it(search_index):
    """A bulk load writes many segments; the rebuild merges them before the alias moves."""
    client = search_index.client
    index = create_building_index()
    for n in range(3):  # each refresh writes a segment
        client.index(index=index, id=f"probe-{n}", document={"title": f"Probe {n}"}, refresh=True)
    assert _segments(client, index) == 3
    finish_building(index)
    assert _segments(client, index) == 1
    drop_indexes([index])


def test_a_rebuilt_index_still_finds_everything_and_takes_updates(search_index):
    for n in range(30):
        ThreadFactory(title=f"Merged thread {n}")
    # indexed already: the rebuild's closing drain has nothing to write into the merged index (what
    # it writes is made searchable at once, in a segment of its own)
    search_index.sync()
    result = do_rebuild(chunk_size=5)
    assert _segments(search_index.client, result.index) == 1
    assert run_search(AnonymousUser(), parse_params({"q": "Merged", "type": "thread"})).total == 30

    ThreadFactory(title="Merged thread after the rebuild")
    search_index.sync()
    assert run_search(AnonymousUser(), parse_params({"q": "Merged", "type": "thread"})).total == 31


@pytest.mark.django_db
def test_with_the_database_task_queue_a_failed_run_schedules_one_retry(
    search_index, settings, unused_tcp_port
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    thread = ThreadFactory(title="Waiting for a retry")
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"
    do_index_pending()
    do_index_pending(include_backoff=True)

    retries = DBTaskResult.objects.filter(task_path=index_pending.module_path, status="READY")
    assert retries.count() == 1
    assert retries.get().run_after > timezone.now()
    assert OutboxEntry.objects.filter(doc_type="thread", object_id=thread.pk).exists()
