"""The hub under gunicorn while its database is down for a moment: a calm 503 with Retry-After from the
database-free error page, liveness still answering, readiness failing, and all well once it is back."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.drill.stack import free_port
from tests.hub.conftest import ROOT, SERVER_PORTS, Postgres, wait_for, worker_env

# From the top of this process's share of ports, as the suite's other servers take them from its foot.
PORT = free_port(SERVER_PORTS[::-1])


def get(path: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def web(postgres: Postgres) -> Iterator[subprocess.Popen]:
    log = (postgres.dir / "gunicorn.log").open("w")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "hub.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers", "1"],
        cwd=ROOT,
        env=worker_env(postgres.dir / "mail"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def live() -> bool:
        try:
            return get("/healthz/live")[0] == 200
        except OSError:
            return False

    wait_for("gunicorn to answer", live)
    yield process
    process.terminate()
    process.wait(timeout=60)


def test_while_the_database_is_down_pages_answer_503_and_health_tells_the_truth(postgres, web):
    assert get("/healthz")[0] == 200

    postgres.stop()
    try:
        page_status, headers, html = get("/")
        live = get("/healthz/live")
        ready_status, _, ready = get("/healthz")
    finally:
        postgres.start()

    assert page_status == 503
    assert int(headers["Retry-After"]) > 0
    assert "having trouble reaching its data for a moment" in html
    assert "Traceback" not in html and "127.0.0.1" not in html
    assert live[0] == 200
    assert ready_status == 503
    report = json.loads(ready)
    assert report["status"] == "failing"
    assert report["checks"]["database"]["ok"] is False
    assert wait_for("the hub to be ready again", lambda: get("/healthz")[0] == 200)
