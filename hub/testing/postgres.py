"""The PostgreSQL the test suite runs on.

Order of preference: ``DATABASE_URL`` if set; otherwise Debian's local PostgreSQL, started
and given a ``hub`` role if needed (as root); otherwise SQLite, unless ``CI=true``, where a
missing PostgreSQL ends the run with a message saying what to install.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

from hub.floor.config import ConfigurationError, env_bool

ROLE = "hub"
PASSWORD = "hub"  # noqa: S105 - a local test role on loopback only
DATABASE = "hub"
HOST = "127.0.0.1"
PORT = 5432
LOCAL_URL = f"postgresql://{ROLE}:{PASSWORD}@{HOST}:{PORT}/{DATABASE}"


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)  # noqa: S603


def _psql_as_postgres(sql: str) -> str:
    result = _run("runuser", "-u", "postgres", "--", "psql", "-tAc", sql)
    if result.returncode != 0:
        raise ConfigurationError(f"PostgreSQL refused {sql!r}: {result.stderr.strip()}")
    return result.stdout.strip()


def _start_debian_cluster() -> None:
    """Start (creating if needed) Debian's default cluster and the hub role; root only."""
    clusters = _run("pg_lsclusters", "--no-header").stdout.split()
    if not clusters:
        versions = sorted(os.listdir("/usr/lib/postgresql"), key=int)
        _run("pg_createcluster", versions[-1], "main")
        clusters = _run("pg_lsclusters", "--no-header").stdout.split()
    version, name = clusters[0], clusters[1]
    if not _port_open(HOST, PORT):
        result = _run("pg_ctlcluster", version, name, "start")
        if result.returncode != 0 and not _port_open(HOST, PORT):
            raise ConfigurationError(
                f"could not start PostgreSQL {version}/{name}: {result.stderr.strip()}"
            )
    if _psql_as_postgres(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'") != "1":  # noqa: S608 - constants
        _psql_as_postgres(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{PASSWORD}'")
    if _psql_as_postgres(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":  # noqa: S608 - constants
        _psql_as_postgres(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")


def test_database_url() -> str:
    """The database URL for the test suite; an empty string means SQLite."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    in_ci = env_bool("CI", False)
    installed = shutil.which("pg_lsclusters") is not None
    if installed and os.geteuid() == 0:
        _start_debian_cluster()
        return LOCAL_URL
    if _port_open(HOST, PORT):
        return LOCAL_URL
    if in_ci:
        raise ConfigurationError(
            "CI=true but no PostgreSQL is available: install Debian's postgresql "
            "(apt-get install postgresql) or set DATABASE_URL."
        )
    return ""
