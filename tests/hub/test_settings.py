"""Bad configuration ends in one clear line, never a traceback."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "ELASTICSEARCH_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    clean["HUB_DATA_DIR"] = tempfile.mkdtemp(prefix="hub-settings-")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]


def test_debug_off_without_secret_key_fails_with_one_line():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="hub.example.gov.uk")

    assert_one_clear_line(result, "SECRET_KEY is required when DEBUG is off")


def test_debug_off_without_allowed_hosts_fails_with_one_line():
    result = run_manage("check", DEBUG="false", SECRET_KEY="x" * 50)

    assert_one_clear_line(result, "ALLOWED_HOSTS is required")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_URL", "postgresql://hub:secret@127.0.0.1:notaport/hub", "DATABASE_URL"),
        ("DATABASE_URL", "mysql-ish://nowhere", "not a database URL the hub supports"),
        ("DATABASE_URL", "postgresql://hub:secret@127.0.0.1:5432", "database name is missing"),
        ("ELASTICSEARCH_URL", "localhost:9200", "ELASTICSEARCH_URL"),
        ("ELASTICSEARCH_URL", "http://127.0.0.1:99999", "ELASTICSEARCH_URL"),
        ("SPARQL_ENDPOINT_URL", "127.0.0.1:7878/query", "SPARQL_ENDPOINT_URL"),
        (
            "SPARQL_GRAPH_STORE_URL",
            "http://127.0.0.1:7878/store",
            "set both to use an external SPARQL server",
        ),
        ("SPARQL_UPDATE_URL", "127.0.0.1:7878/update", "SPARQL_UPDATE_URL"),
        (
            "SPARQL_UPDATE_URL",
            "http://127.0.0.1:7878/update",
            "set both to use an external SPARQL server",
        ),
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("CACHE_MAX_ENTRIES", "lots", "CACHE_MAX_ENTRIES='lots' is not a whole number"),
        ("CACHE_MAX_ENTRIES", "10", "CACHE_MAX_ENTRIES=10 must be at least 300"),
        ("CACHE_MAX_MEGABYTES", "0", "CACHE_MAX_MEGABYTES=0 must be at least 1"),
    ],
)
def test_malformed_settings_fail_with_one_line(name, value, expected):
    result = run_manage("check", **{name: value})

    assert_one_clear_line(result, expected)
    assert "secret" not in result.stderr  # passwords are never printed


def test_unreachable_database_fails_with_one_line(unused_tcp_port):
    result = run_manage(
        "migrate", DATABASE_URL=f"postgresql://hub:secret@127.0.0.1:{unused_tcp_port}/hub"
    )

    assert_one_clear_line(result, "cannot use the database", "127.0.0.1")


def test_unreachable_elasticsearch_is_one_warning_line(unused_tcp_port):
    result = run_manage("check", ELASTICSEARCH_URL=f"http://127.0.0.1:{unused_tcp_port}")

    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "hub.W001" in line]
    assert len(warnings) == 1
    assert f"Elasticsearch at http://127.0.0.1:{unused_tcp_port} cannot be reached" in warnings[0]
    assert "falls back to the database" in warnings[0]


def test_unreachable_sparql_server_is_one_warning_line(unused_tcp_port):
    result = run_manage("check", SPARQL_ENDPOINT_URL=f"http://127.0.0.1:{unused_tcp_port}/query")

    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "hub.W002" in line]
    assert len(warnings) == 1
    assert (
        f"SPARQL server at http://127.0.0.1:{unused_tcp_port}/query cannot be reached"
        in warnings[0]
    )
    assert "/sparql answers 503" in warnings[0]


def test_wsgi_entry_point_fails_with_one_line():
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(DEBUG="false", ALLOWED_HOSTS="hub.example.gov.uk")
    result = subprocess.run(
        [sys.executable, "-c", "import hub.wsgi"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert_one_clear_line(result, "SECRET_KEY is required")


def test_runserver_with_unreachable_database_fails_with_one_line(unused_tcp_port):
    result = run_manage(
        "runserver",
        f"127.0.0.1:{unused_tcp_port}",
        DATABASE_URL=f"postgresql://hub:secret@127.0.0.1:{unused_tcp_port}/hub",
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("hub:")]
    assert len(errors) == 1 and "cannot use the database" in errors[0]


def test_an_unreachable_elasticsearch_is_explained_in_one_line_without_its_password(monkeypatch):
    from elastic_transport import ConnectionError as TransportConnectionError

    from hub.startup import explain_connection_failure

    monkeypatch.setenv("ELASTICSEARCH_URL", "http://hub:secret@127.0.0.1:9/")

    line = explain_connection_failure(TransportConnectionError("Connection refused"))

    assert line == "cannot reach Elasticsearch at http://hub:***@127.0.0.1:9/: Connection refused"
    assert explain_connection_failure(ValueError("something else")) is None
