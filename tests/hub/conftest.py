"""The hub as production runs it (the README's production settings, gunicorn in its own process), and a
PostgreSQL of the hub tests' own for the worker and outage tests, which stop and restart it (a throwaway
cluster on a port of its own from 5440, run as the postgres user, migrated once per run)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from hub.drill import stack
from tests.conftest import missing, ports_of_this_process

ROOT = Path(__file__).resolve().parents[2]
SERVER_PORTS = ports_of_this_process(range(8400, 8500))  # loopback ports for this suite's servers

# The production settings the README shows (section "Production deployment"), with example values.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k4W0V3zQmXbq1d7t9LrY2pHcN8sJf6uAeGoB5iTyZxMvPlRwCnDa-_EhKgSj",
    "ALLOWED_HOSTS": "hub.example.gov.uk,127.0.0.1",
    "CSRF_TRUSTED_ORIGINS": "https://hub.example.gov.uk",
    "SITE_URL": "https://hub.example.gov.uk",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}
PASSED_ON = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}


def hub_env(**env: str) -> dict[str, str]:
    """A clean environment (none of the settings the test run made), a fresh data directory, ``env``."""
    clean = {k: v for k, v in os.environ.items() if k in PASSED_ON}
    clean["HUB_DATA_DIR"] = tempfile.mkdtemp(prefix="hub-production-")
    clean.update(env)
    return clean


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=hub_env(**env),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _test_database_url() -> str:
    """The URL of the database this test run uses (pytest's test_… database)."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def gunicorn(**env: str) -> Iterator[str]:
    """Serve the hub with gunicorn on the test database, with the test settings' storages and ``env``;
    yields its base URL and stops it afterwards."""
    port = stack.free_port(SERVER_PORTS)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hub.wsgi",
            "--preload",  # the hub is loaded before the port opens: an open port means ready
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=hub_env(
            DJANGO_SETTINGS_MODULE="hub.settings.test",
            DATABASE_URL=_test_database_url(),
            **env,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while not _listening(port):
            if process.poll() is not None:
                pytest.fail(f"gunicorn ended:\n{process.stdout.read() if process.stdout else ''}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


PG_BIN = stack.PG_BIN
# The first free port of this test process's share: a cluster left running by an interrupted run
# (or another checkout's run) on the first one must not stop this one. Below the kernel's ephemeral
# ports, which the suite's own outgoing connections take, so nothing else takes it between runs.
PG_PORTS = range(5440, 5450)
PG_PORT = stack.free_port(ports_of_this_process(PG_PORTS))
URL = f"postgresql://hub:hub@127.0.0.1:{PG_PORT}/hub"


def wait_for(what: str, check: Callable[[], object], timeout: float = 180) -> object:
    """Poll ``check`` until it returns something true; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except psycopg.OperationalError:
            found = None
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"gave up waiting for {what}")


class Postgres:
    """A throwaway PostgreSQL cluster (the drill's, run as the postgres user) on this process's port,
    in a folder that also holds the servers' logs and mail of the tests that use it."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hub-worker-pg-"))
        self.dir.chmod(0o755)
        self.cluster = stack.Postgres(self.dir / "data", PG_PORT)

    def init(self) -> None:
        self.cluster.init()
        self.start()
        self.cluster.create_hub_database()

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()

    def destroy(self) -> None:
        self.cluster.stop(mode="immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(migrated_template: str) -> Iterator[Postgres]:
    if not (PG_BIN / "initdb").exists() or os.geteuid() != 0 or not shutil.which("runuser"):
        missing(
            "a throwaway PostgreSQL cluster", "run as root with Debian's postgresql-15 installed"
        )
    cluster = Postgres()
    try:
        cluster.init()
        if migrated_template:
            restore_migrated_template(URL)
        else:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                cwd=ROOT,
                env=worker_env(cluster.dir / "mail"),
                check=True,
                timeout=900,
            )
        yield cluster
    finally:
        cluster.destroy()


def restore_migrated_template(url: str) -> None:
    """The run's migrated template (``tests/migrated_database.py``) copied into the database at
    ``url``: the same tables and rows as running the migrations there, in seconds."""
    from tests import migrated_database

    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", migrated_database.url()],
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [str(PG_BIN / "psql"), "--quiet", "--set=ON_ERROR_STOP=1", "--dbname", url],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=300,
    )


def worker_env(mail_dir: Path) -> dict[str, str]:
    mail_dir.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "tests.hub.worker_settings",
        "HUB_TEST_MAIL_DIR": str(mail_dir),
    }


def sql(query: str, *params: object) -> list[tuple]:
    with psycopg.connect(URL, autocommit=True, connect_timeout=3) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []
