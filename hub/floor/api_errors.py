"""The JSON API's one error shape, for every error under ``/api/``, whoever made it.

``{"status": 404, "code": "not_found", "message": "Not found.", "detail": "Not found.", "errors": []}``:
``message`` says what went wrong in words a person can act on, ``errors`` lists the fields to change
(``{"field": "limit", "message": …}``) and ``detail`` repeats ``message`` for clients written against
the API's first error body. The API's exception handlers (``hub.api``) and the refusal handler build it
with ``error_body``; ``ApiErrorMiddleware`` reshapes any other error answered under ``/api/`` (an
unknown path, a method the path does not take, a refused personal token, a NUL character, a server
error), so a client never has to parse an HTML page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Schema

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

MESSAGES = {
    401: "Sign in, or send a personal token as 'Authorization: Bearer <token>'.",
    404: "Not found.",
    405: "This address does not take that method.",
    500: "Something went wrong on the hub's side; it has been logged.",
}


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every error the API answers (any 4xx or 5xx)."""

    status: int
    code: str
    message: str
    detail: str
    errors: list[FieldErrorOut]


def error_code(status: int) -> str:
    return CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_").replace(
        "-", "_"
    )


def error_body(
    status: int, message: str = "", errors: Iterable[tuple[str, str]] = ()
) -> dict[str, object]:
    """The error shape for ``status``; ``errors`` are ``(field, message)`` pairs."""
    message = message or MESSAGES.get(status) or f"{HTTPStatus(status).phrase}."
    return {
        "status": status,
        "code": error_code(status),
        "message": message,
        "detail": message,
        "errors": [{"field": field, "message": text} for field, text in errors],
    }


def error_response(
    status: int, message: str = "", errors: Iterable[tuple[str, str]] = ()
) -> JsonResponse:
    return JsonResponse(error_body(status, message, errors), status=status)


def _is_shaped(response: HttpResponse) -> tuple[bool, str]:
    """Whether ``response`` already has the shape, and the message it carries if it has another one."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return False, ""
    try:
        body = json.loads(response.content)
    except ValueError:
        return False, ""
    if not isinstance(body, dict):
        return False, ""
    if {"status", "code", "message", "errors"} <= body.keys():
        return True, ""
    detail = body.get("detail")
    return False, detail if isinstance(detail, str) else ""


class ApiErrorMiddleware:
    """Answer every error under ``/api/`` in the one JSON shape, keeping its status and headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX):
            return response
        if getattr(response, "streaming", False):
            return response
        shaped, message = _is_shaped(response)
        if not shaped:
            reshaped = error_response(response.status_code, message)
            for name, value in response.items():
                if name.lower() not in {"content-type", "content-length", "content-language"}:
                    reshaped[name] = value
            response = reshaped
        if response.status_code == 401 and "WWW-Authenticate" not in response:
            response["WWW-Authenticate"] = 'Bearer realm="hub"'
        return response
