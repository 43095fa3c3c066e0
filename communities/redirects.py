"""Old URLs that redirect only people who may read where they lead.

Wagtail records a redirect from a page's old URL whenever the page or one of its ancestors moves or
changes slug (``wagtail.contrib.redirects``, ``WAGTAILREDIRECTS_AUTO_CREATE``), the hub's own
``do_move_thread`` included. Served blindly, the redirect from a thread moved into a private
community would tell anyone its new address. ``ReadableRedirectMiddleware`` replaces Wagtail's
``RedirectMiddleware``: a redirect to a page is followed only for people who may read that page
(``communities.permissions.can_follow_to_page``), decided at request time, so a community made
private later is covered too; everyone else gets the same 404 as for an address that never
existed. Redirects to a plain link (made by editors in the admin) behave as in Wagtail.
"""

from __future__ import annotations

from urllib.parse import urlparse

from django.contrib.auth.models import AnonymousUser
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from wagtail.contrib.redirects.middleware import RedirectMiddleware, get_redirect
from wagtail.contrib.redirects.models import Redirect

from communities.permissions import can_follow_to_page


def _redirect_for(request: HttpRequest) -> Redirect | None:
    path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
    redirect = get_redirect(request, path)
    if redirect is None:
        path_without_query = urlparse(path).path
        if path_without_query != path:
            redirect = get_redirect(request, path_without_query)
    return redirect


class ReadableRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, followed only to pages the person may read (see the module)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 404:
            return response
        redirect = _redirect_for(request)
        if redirect is None:
            return response
        if redirect.redirect_page_id is not None and not can_follow_to_page(
            getattr(request, "user", None) or AnonymousUser(), redirect.redirect_page
        ):
            return response
        link = redirect.link
        if link is None:
            return response
        if redirect.is_permanent:
            return HttpResponsePermanentRedirect(link)
        return HttpResponseRedirect(link)
