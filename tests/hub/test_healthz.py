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
