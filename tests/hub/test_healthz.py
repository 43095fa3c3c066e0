import time
from datetime import timedelta

import pytest


def test_healthz_reports_database_search_and_tasks(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["search"] == {"ok": True, "backend": "database"}
    assert body["checks"]["tasks"]["ok"] is True


def test_healthz_stays_ready_but_degraded_when_elasticsearch_cannot_be_reached(
    client, db, settings, unused_tcp_port
):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"

    response = client.get("/healthz")

    assert response.status_code == 200  # pages still work: a load balancer must keep the hub in
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["search"]
    assert body["checks"]["search"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_stays_ready_but_degraded_when_the_sparql_server_is_down(
    client, db, settings, unused_tcp_port
):
    settings.SPARQL_ENDPOINT_URL = f"http://127.0.0.1:{unused_tcp_port}/query"

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["linked_data"]
    assert body["checks"]["linked_data"]["url"] == settings.SPARQL_ENDPOINT_URL


def test_the_public_sees_only_the_status(client, db, settings, unused_tcp_port):
    settings.ELASTICSEARCH_URL = f"http://hub:secret@127.0.0.1:{unused_tcp_port}"

    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded"}


def test_staff_see_the_details_from_anywhere(client, db, settings):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    body = client.get("/healthz", REMOTE_ADDR="203.0.113.9").json()

    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "engine": "postgresql"}


def test_behind_a_proxy_the_forwarded_client_decides_who_sees_details(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    public = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    local = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert public.json() == {"status": "ok"}
    assert "checks" in local.json()


def test_liveness_answers_without_any_dependency(client, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"

    response = client.get("/healthz/live", REMOTE_ADDR="203.0.113.9")  # no db: a query would fail

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_warns_when_no_task_worker_has_been_seen(client, db, settings):
    from django.utils import timezone

    from hub.floor.models import WorkerHeartbeat

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    unseen = client.get("/healthz").json()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="h", pid=1, last_seen=timezone.now() - timedelta(minutes=5)
    )
    stale = client.get("/healthz").json()
    WorkerHeartbeat.objects.create(worker_id="w2", host="h", pid=2)
    seen = client.get("/healthz").json()

    assert unseen["status"] == "degraded"
    assert unseen["warnings"] == ["no task worker has ever been seen"]
    assert stale["warnings"][0].startswith("no task worker seen for 30")
    assert seen["status"] == "ok"
    assert seen["checks"]["tasks"]["workers"] == 1


def test_healthz_reports_the_oldest_pending_work_and_warns_then_fails_past_the_thresholds(
    client, db, settings
):
    from django.utils import timezone

    from hub.floor.models import OutboundEmail
    from search.models import OutboxEntry

    settings.HEALTH_BACKLOG_WARNING_SECONDS = 60
    old = timezone.now() - timedelta(minutes=10)
    OutboxEntry.objects.create(doc_type="thread", object_id=1, created_at=old)
    OutboundEmail.objects.create(key="k", recipients=["a@example.org"], subject="S", body="B")

    warned = client.get("/healthz")
    settings.HEALTH_BACKLOG_FAILING_SECONDS = 300
    failing = client.get("/healthz")

    assert warned.status_code == 200
    body = warned.json()
    assert body["status"] == "degraded"
    assert body["checks"]["search_outbox"]["pending"] == 1
    assert body["checks"]["search_outbox"]["oldest_pending_seconds"] >= 600
    assert body["checks"]["emails"]["pending"] == 1
    assert body["warnings"] == [
        f"the oldest pending search index update has waited "
        f"{body['checks']['search_outbox']['oldest_pending_seconds']} s (warning after 60 s)"
    ]
    assert failing.status_code == 503
    assert failing.json()["status"] == "failing"


@pytest.mark.django_db
def test_healthz_reports_the_elasticsearch_version(client, elasticsearch, settings):
    body = client.get("/healthz").json()

    assert body["checks"]["search"]["backend"] == "elasticsearch"
    assert body["checks"]["search"]["version"].startswith(("8.", "9."))


def test_healthz_counts_the_database_task_queue(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    body = client.get("/healthz").json()

    assert body["checks"]["tasks"]["backend"] == "database"
    assert body["checks"]["tasks"]["pending"] == 0
    assert body["checks"]["tasks"]["oldest_pending_seconds"] == 0


def test_healthz_gives_the_age_of_the_oldest_pending_task(client, db, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from search.tasks import index_pending

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    waiting = index_pending.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=now - timedelta(minutes=2))
    index_pending.using(run_after=now - timedelta(minutes=1)).enqueue()  # due a minute ago
    index_pending.using(run_after=now + timedelta(hours=1)).enqueue()  # not due: not pending

    tasks = client.get("/healthz").json()["checks"]["tasks"]

    assert tasks["pending"] == 2
    assert 120 <= tasks["oldest_pending_seconds"] < 3600


@pytest.mark.django_db
def test_healthz_asks_search_for_the_elasticsearch_node_and_reports_it_healthy(
    client, settings, elasticsearch_url
):
    from elasticsearch import Elasticsearch

    settings.ELASTICSEARCH_URL = elasticsearch_url
    node = Elasticsearch(elasticsearch_url, request_timeout=10)
    info = node.nodes.info(node_id="_local", metric="_none", filter_path="nodes.*.version")
    node.close()

    response = client.get("/healthz")

    search = response.json()["checks"]["search"]
    assert search["backend"] == "elasticsearch"
    assert search["ok"] is True
    assert search["version"] == next(iter(info.body["nodes"].values()))["version"]
    assert search["cluster_status"] in {"green", "yellow"}
    assert search["url"] == elasticsearch_url
    assert "error" not in search


def test_check_search_reports_an_unreachable_node_as_not_ok_with_a_short_error(
    settings, unused_tcp_port
):
    from search.health import check_search

    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"

    started = time.monotonic()
    status = check_search()

    assert status["ok"] is False
    assert status["backend"] == "elasticsearch"
    assert status["url"] == settings.ELASTICSEARCH_URL
    assert status["error"] == "ConnectionError"
    assert "version" not in status
    assert time.monotonic() - started < 10  # a short timeout, no retries


def test_check_search_redacts_the_password_in_the_url(settings, unused_tcp_port):
    from search.health import check_search

    settings.ELASTICSEARCH_URL = f"http://hub:secret@127.0.0.1:{unused_tcp_port}"

    status = check_search()

    assert status["ok"] is False
    assert "secret" not in str(status)
