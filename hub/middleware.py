"""When the database is unreachable for a moment: retry the request once if that is safe, then answer
503 with ``Retry-After`` and the hub's database-free error page (``hub.views.server_error``).

A retry is safe when nothing can have been written: for GET, HEAD and OPTIONS, and for any method when
no statement had completed (the failure came at connecting or at the first query).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_DELAY_SECONDS = 0.5
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def close_connections() -> None:
    """Drop this thread's database connections, so the retry opens fresh ones."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


class _Statements:
    """Counts the statements that completed during a request (a database execute wrapper)."""

    def __init__(self) -> None:
        self.completed = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        result = execute(sql, params, many, context)
        self.completed += 1
        return result


class DatabaseRetryMiddleware:
    """Outermost middleware: a request that met an unreachable database is tried once more if safe."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statements = _Statements()
        with connections["default"].execute_wrapper(statements):
            response = self.get_response(request)
        if not getattr(request, "database_unavailable", False):
            return response
        if request.method not in SAFE_METHODS and statements.completed:
            return response  # something may have been written: the 503 stands
        request.database_unavailable = False  # type: ignore[attr-defined]
        close_connections()
        time.sleep(RETRY_DELAY_SECONDS)
        return self.get_response(request)
