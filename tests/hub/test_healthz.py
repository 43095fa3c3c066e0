import time

import pytest


def test_healthz_reports_database_search_and_tasks(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["search"] == {"ok": True, "backend": "database"}
    assert body["checks"]["tasks"]["ok"] is True


def test_healthz_is_503_when_elasticsearch_cannot_be_reached(client, db, settings, unused_tcp_port):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{unused_tcp_port}"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["search"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


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
