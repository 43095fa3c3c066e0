"""Paging of the API's lists: django-ninja's ``limit``/``offset``, within the database's range.

Ninja accepts any integer for both, and a number too large for PostgreSQL's ``LIMIT``/``OFFSET``
would fail in the query; here each is read by ``hub.floor.numbers.bounded_int``, so a number out of
range is a 400 that says which parameter was wrong (the same reader the pages use for ``page=``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from hub.floor.numbers import MAX_PAGE_NUMBER, bounded_int


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``LimitOffsetPagination`` that refuses a ``limit`` or ``offset`` beyond ``MAX_PAGE_NUMBER``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, description="How many items to answer (default 100).")
        offset: int = Field(0, ge=0, description="How many items to skip from the start.")

    def paginate_queryset(
        self,
        queryset: QuerySet,
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        if pagination.offset != 0:
            bounded_int(pagination.offset, maximum=MAX_PAGE_NUMBER, name="offset")
        bounded_int(pagination.limit, maximum=MAX_PAGE_NUMBER, name="limit")
        return super().paginate_queryset(queryset, pagination, request, **params)
