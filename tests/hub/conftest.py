"""A PostgreSQL of the hub tests' own (for the worker and outage tests, which stop and restart it):
a throwaway cluster on port 55434, run as the postgres user, migrated once per run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import missing

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 55434
ROOT = Path(__file__).resolve().parents[2]
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
    """A throwaway PostgreSQL cluster, run as the postgres user on this test's own port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hub-worker-pg-"))
        self.dir.chmod(0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    def pg(self, *command: str, check: bool = True) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=check,
            capture_output=True,
            timeout=180,
        )

    def init(self) -> None:
        self.pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        for sql in (
            "CREATE ROLE hub LOGIN PASSWORD 'hub' CREATEDB",
            "CREATE DATABASE hub OWNER hub",
        ):
            with psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True
            ) as conn:
                conn.execute(sql)

    def start(self) -> None:
        options = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self.pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        self.pg(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    if not (PG_BIN / "initdb").exists() or os.geteuid() != 0 or not shutil.which("runuser"):
        missing(
            "a throwaway PostgreSQL cluster", "run as root with Debian's postgresql-15 installed"
        )
    cluster = Postgres()
    try:
        cluster.init()
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
