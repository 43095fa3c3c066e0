"""One identity for every surface: a personal token in ``Authorization: Bearer …`` sets ``request.user``."""

from __future__ import annotations

from django.http import JsonResponse


class PersonalTokenMiddleware:
    """Runs after Django's AuthenticationMiddleware. A request carrying a bearer token is that token's
    user (never the session's); an unknown or revoked token is refused with 401, not served anonymously."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        request.authenticated_by_token = False
        if scheme.lower() == "bearer":
            from communities.people.services.tokens import user_for_token

            user = user_for_token(raw.strip())
            if user is None:
                response = JsonResponse(
                    {"detail": "The personal token is not valid (revoked or mistyped)."}, status=401
                )
                response["WWW-Authenticate"] = 'Bearer realm="hub"'
                return response
            request.user = user
            request._cached_user = user
            request.authenticated_by_token = True
            request._dont_enforce_csrf_checks = (
                True  # no cookies involved, so no cross-site forgery
            )
        return self.get_response(request)


class MemoisedReadsMiddleware:
    """Each permission read (the viewer's membership of a community, whether their email is
    confirmed) is made once per request, however many checks a page makes
    (``communities.permissions.memoised_reads``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from communities.permissions import memoised_reads

        with memoised_reads():
            return self.get_response(request)
