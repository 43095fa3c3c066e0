"""Reading the hub's configuration from the environment.

Every secret and service URL comes from the environment; with nothing set the hub runs
on the embedded default (SQLite, database search, an on-disk RDF store). Bad values raise
:class:`ConfigurationError`, which the entry points print as one line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names it and says what to do."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(
        f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off."
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ConfigurationError(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print in errors and health reports."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def database_config(url: str, sqlite_path: Path) -> dict[str, Any]:
    """Django DATABASES['default'] for ``url``, or the embedded SQLite file when it is empty."""
    if not url:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigurationError(
            f"DATABASE_URL={redact_url(url)!r} is not a database URL the hub supports: "
            "use postgresql://USER:PASSWORD@HOST:PORT/NAME (or sqlite:///PATH)."
        )
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
        if config["ENGINE"].endswith("postgresql"):
            port = urlsplit(url).port  # raises ValueError for a malformed port
            if not config.get("NAME"):
                raise ValueError("the database name is missing")
            if port is not None and not 0 < port < 65536:
                raise ValueError("the port is out of range")
    except ValueError as exc:
        raise ConfigurationError(f"DATABASE_URL={redact_url(url)!r} is malformed: {exc}.") from None
    return config


def http_url(name: str, url: str, when_unset: str) -> str:
    """``url`` (the setting ``name``) checked to be an http(s) URL with a host; empty is allowed."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"{name}={redact_url(url)!r} is malformed: {exc}.") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError(
            f"{name}={redact_url(url)!r} is malformed: use http(s)://HOST:PORT/..., "
            f"or leave it unset to {when_unset}."
        )
    if port is not None and not 0 < port < 65536:
        raise ConfigurationError(f"{name}={redact_url(url)!r} has a port out of range.")
    return url


def elasticsearch_url(url: str) -> str:
    """``url`` checked to be an http(s) URL with a host; empty means database search."""
    return http_url("ELASTICSEARCH_URL", url, "search through the database").rstrip("/")
