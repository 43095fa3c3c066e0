"""Input the hub refuses before any view runs: the 400 answers every door shares.

- ``BadInput`` is Django's ``BadRequest`` with a message meant for the person who sent the request:
  Django answers it with the 400 page (``hub.views.bad_request``) and the API with a JSON
  ``{"detail": …}`` 400, both showing the message.
- ``NulByteMiddleware`` refuses a request with a NUL character (``%00``, ``\\u0000``) in its path,
  query string, form fields, JSON body or the headers the hub reads as input. PostgreSQL cannot store
  NUL in text, so without this such input would fail deep in a query with a server error; no
  legitimate text contains it. Uploaded files are not inspected (binary files contain NUL bytes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

NUL = "\x00"
NUL_MESSAGE = (
    "The request contains a NUL character (%00), which no text on the hub may contain: "
    "remove it and send again."
)
# Headers the hub reads as input (search and content negotiation, authentication, proxies).
INPUT_HEADERS = (
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
    "HTTP_HOST",
    "HTTP_REFERER",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_CSRFTOKEN",
    "HTTP_X_REQUESTED_WITH",
)


class BadInput(BadRequest):
    """A bad request whose message tells the sender what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _strings(value: Any) -> Iterable[str]:
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _in_fields(fields: Iterable[tuple[str, list[Any]]]) -> bool:
    return any(
        NUL in key or any(isinstance(value, str) and NUL in value for value in values)
        for key, values in fields
    )


def contains_nul(request: HttpRequest) -> bool:
    """Whether any text input of ``request`` contains NUL (files uploaded are not text input)."""
    if NUL in request.path or _in_fields(request.GET.lists()):
        return True
    if any(NUL in request.META.get(name, "") for name in INPUT_HEADERS):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _in_fields(request.POST.lists())
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body or b"null")
        except ValueError:
            return False  # not JSON: the API answers that itself
        return any(NUL in text for text in _strings(document))
    return False


class NulByteMiddleware:
    """Answer a request with NUL in its text input with a 400 that says so (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if contains_nul(request):
            raise BadInput(NUL_MESSAGE)
        return self.get_response(request)
