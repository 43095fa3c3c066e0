"""How every door shows a refusal (``communities.errors``): one helper for pages, one handler for the API.

- ``render_refusal``: a page. ``NotFound`` is the site's 404 page; ``MembersOnly`` the members-only
  page with the community's join options; any other refusal its message, in the form it came from
  (with what the person typed kept) or on the plain refusal page.
- ``RefusalMiddleware``: a refusal nobody caught (a page model's ``serve()``, a fetcher in a view)
  is rendered by ``render_refusal`` too.
- ``api_refusal``: the API's exception handler: the API's JSON error body with the refusal's status.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from communities.errors import MembersOnly, NotFound, Refusal
from hub.floor.api_errors import error_response

REFUSED_TEMPLATE = "communities/refused.html"


def render_refusal(
    request: HttpRequest,
    refusal: Refusal,
    template: str = REFUSED_TEMPLATE,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page for ``refusal``; ``template`` and ``context`` redisplay the form it came from."""
    if isinstance(refusal, NotFound):
        return response_for_exception(request, Http404(refusal.message))
    if isinstance(refusal, MembersOnly):
        return TemplateResponse(
            request,
            "communities/members_only.html",
            {"page": refusal.page, "community": refusal.community},
            status=refusal.status,
        )
    context = {**(context or {}), "error": refusal.message, "idempotency_key": uuid.uuid4()}
    return TemplateResponse(request, template, context, status=refusal.status)


class RefusalMiddleware:
    """Render refusals that reach the top of a request as ``render_refusal`` does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Refusal):
            response = render_refusal(request, exception)
            if isinstance(response, TemplateResponse):
                response.render()
            return response
        return None


def api_refusal(request: HttpRequest, refusal: Refusal) -> JsonResponse:
    """The API's answer to a refusal: its status and message (a plain "Not found." for a 404), in
    the API's one error shape (``hub.floor.api_errors``)."""
    return error_response(refusal.status, refusal.message or "Refused.")
