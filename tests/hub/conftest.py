"""The hub as production runs it: the README's production settings, and gunicorn in its own process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_PORTS = range(8400, 8500)  # loopback ports this suite's own servers may use

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


def _free_port() -> int:
    for port in SERVER_PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {SERVER_PORTS}")


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
    port = _free_port()
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
