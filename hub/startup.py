"""Entry points that turn configuration and connection failures into one clear line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from hub.floor.config import ConfigurationError


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"hub: {message}", file=sys.stderr)
    raise SystemExit(code)


def explain_connection_failure(exc: BaseException) -> str | None:
    """One line for a failure to reach a service, or None if ``exc`` is not one."""
    from django.db import OperationalError

    if isinstance(exc, OperationalError):
        from django.conf import settings

        db = settings.DATABASES["default"]
        where = db.get("HOST") or db.get("NAME")
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return f"cannot use the database ({db['ENGINE'].rsplit('.', 1)[-1]} at {where}): {reason}"
    from search.health import explain_unreachable

    return explain_unreachable(exc)


def guarded(action: Callable[[], object]) -> object:
    try:
        return action()
    except ConfigurationError as exc:
        fail(f"configuration error: {exc}")
    except Exception as exc:
        line = explain_connection_failure(exc)
        if line is None:
            raise
        fail(line, code=1)


def run_management_command(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    guarded(lambda: execute_from_command_line(argv))


def load_wsgi_application():
    """The WSGI application, failing with one line when the configuration is wrong."""
    from django.core.wsgi import get_wsgi_application

    return guarded(get_wsgi_application)
