"""Entry points that turn configuration and connection failures into one clear line."""

from __future__ import annotations

import gc
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
    """The WSGI application, failing with one line when the configuration is wrong, with its URLs
    and views loaded before the first request and everything loaded so far set aside from the
    garbage collector (``settle_loaded_objects``)."""
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver

    application = guarded(get_wsgi_application)
    guarded(lambda: get_resolver().url_patterns)  # imports every view, as the first request would
    settle_loaded_objects()
    return application


def settle_loaded_objects() -> None:
    """Leave what start-up loaded out of the garbage collector's full collections.

    Modules, models, URL patterns and settings (about 200,000 objects with the hub loaded) live as
    long as the process, yet Python's collection of its oldest generation walks them all each time
    it runs, every few hundred requests: about 130 ms in which no request of the process moves, the
    long tail of every page's times. Frozen, they are skipped (about 13 ms)."""
    gc.collect()
    gc.freeze()
