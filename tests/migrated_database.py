"""One migrated database per test run, the template every other test database of the run is copied
from (PostgreSQL's ``CREATE DATABASE … TEMPLATE``, a file copy of a second or so), instead of each
running the hub's whole migration history again (a minute or more each on a busy machine).

With parallel test processes the controlling process migrates it once while they start (each waits
for it, ``wait_until_built``), and each process's test database is a copy (``hub.settings.test`` reads
``HUB_TEST_DATABASE_TEMPLATE``); the benchmark scripts' own databases (``tests.template_settings``)
and the hub tests' throwaway cluster (a dump of it) start from it too. Nothing connects to it but to
copy it, so copies never wait.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
ENV = "HUB_TEST_DATABASE_TEMPLATE"
READY_ENV = "HUB_TEST_DATABASE_TEMPLATE_READY"  # a file: "built", or why the build failed


def _url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def _maintenance(sql: str) -> None:
    import psycopg

    with psycopg.connect(_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def template_name() -> str:
    """``test_<database>_migrated``: beside the run's test databases, named after the same database."""
    base = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") or "hub"
    return f"test_{base}_migrated"


def build() -> str:
    """Create and migrate the template (dropping one a killed run left); returns its name."""
    name = template_name()
    drop(name)
    _maintenance(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": _url(name),
            "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        },
        check=True,
        timeout=1800,
    )
    return name


def build_in_background(ready: Path) -> threading.Thread:
    """``build()`` in a thread of this process, writing the outcome to ``ready`` when it ends."""

    def run() -> None:
        try:
            build()
            outcome = "built"
        except Exception as exc:  # noqa: BLE001 - not hidden: every test process waiting raises it
            outcome = f"the migrated template database could not be built: {exc!r}"
        written = ready.with_suffix(".new")
        written.write_text(outcome)
        written.replace(ready)  # whole, at once: a waiting process never reads half of it

    thread = threading.Thread(target=run, name="migrated-template", daemon=True)
    thread.start()
    return thread


def wait_until_built() -> None:
    """Block until the controlling process has built the template (no-op without one)."""
    marker = os.environ.get(READY_ENV)
    if not marker:
        return
    ready = Path(marker)
    while not ready.exists():
        time.sleep(0.2)
    if ready.read_text() != "built":
        raise RuntimeError(ready.read_text())


def drop(name: str) -> None:
    _maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url() -> str:
    """The template's URL (for ``pg_dump``)."""
    return _url(os.environ[ENV])


def available() -> bool:
    """Whether the run uses PostgreSQL (the template is a PostgreSQL feature)."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
