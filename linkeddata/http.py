"""HTTP semantics of the public linked-data URLs (``/id/``, ``/doc/``, ``/data/``, ``/graph/``).

Every one answers HEAD exactly as GET without the body (RFC 9110 §9.3.2), lets any origin read it
(``Access-Control-Allow-Origin: *``, never with credentials: only public data is served here), answers
CORS preflight requests, and carries validators so clients revalidate with a conditional GET.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]

METHODS = ["GET", "HEAD", "OPTIONS"]
# Headers a cross-origin script may send (beyond the CORS-safelisted ones) and read.
REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since, Cache-Control"
EXPOSED_HEADERS = "ETag, Last-Modified, Link, Content-Location, Content-Disposition, Vary"
PREFLIGHT_MAX_AGE_SECONDS = 86400


def allow_any_origin(response: HttpResponseBase) -> HttpResponseBase:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def options(request: HttpRequest) -> HttpResponse:
    """OPTIONS: the methods allowed; for a CORS preflight (it names the method it wants) the CORS
    permissions too. Credentials are never allowed."""
    response = HttpResponse(status=204)
    response["Allow"] = ", ".join(METHODS)
    if request.headers.get("Access-Control-Request-Method"):
        allow_any_origin(response)
        response["Access-Control-Allow-Methods"] = ", ".join(METHODS)
        response["Access-Control-Allow-Headers"] = REQUEST_HEADERS
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response


def without_body(response: HttpResponseBase) -> HttpResponseBase:
    """The answer to HEAD: GET's status and headers (Content-Length included), no body. The servers the
    hub runs under may drop a HEAD body themselves; this does not rely on it."""
    if response.streaming:
        response.close()  # a FileResponse already says the file's length
        response.streaming_content = []  # type: ignore[attr-defined]  # streaming responses only
    elif isinstance(response, HttpResponse) and response.content:
        if not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def public_read(view: View[P]) -> View[P]:
    """A public linked-data URL: GET and HEAD alike, CORS for any origin, OPTIONS answered."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if request.method == "OPTIONS":
            return options(request)
        if request.method not in {"GET", "HEAD"}:
            return HttpResponseNotAllowed(METHODS)
        response = allow_any_origin(view(request, *args, **kwargs))
        if request.method == "HEAD":
            without_body(response)
        return response

    return wrapper


def etag_of(*parts: object) -> str:
    """A strong entity tag from what identifies one representation of one version of a resource."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return quote_etag(digest[:32])


def not_modified(
    request: HttpRequest, etag: str, last_modified: datetime | None
) -> HttpResponse | None:
    """304 (or 412) when the client's copy is current by ``If-None-Match``/``If-Modified-Since``
    (and their ``If-Match``/``If-Unmodified-Since`` counterparts); None when the body must be sent."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    answer = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if not isinstance(answer, HttpResponse):  # else 304 Not Modified or 412 Precondition Failed
        return None
    return with_validators(answer, etag, last_modified)


def with_validators(response: R, etag: str, last_modified: datetime | None) -> R:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(int(last_modified.timestamp()))
    return response
