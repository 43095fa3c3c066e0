"""The hub's JSON API at /api/ (django-ninja), with its OpenAPI document at /api/docs.

The docs page is Swagger UI served from the hub's own static files (``ninja`` is an installed app,
so its templates load ``ninja/swagger-ui-bundle.js`` instead of a CDN, with no inline script), and
the online validator badge is off, so the page asks no other origin for anything.

Each app adds its router here. Callers are authenticated by their session or by a personal
token (``Authorization: Bearer …``), which the authentication middleware turns into
``request.user``, so endpoints apply the same permission-checked fetchers as the pages; a
refusal (``communities.errors.Refusal``) is answered by one handler, as JSON with its status. Every
error has one JSON shape (``hub.floor.api_errors``), documented on every operation that can return it.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from communities.errors import Refusal
from communities.refusals import api_refusal
from hub.floor.api_errors import ErrorOut, error_response
from hub.floor.bad_input import BadInput

# Errors documented on operations, beside what each declares: any request may carry a NUL character
# or a bad number (400) or a revoked personal token (401); a path with an id may name nothing (404);
# parameters and bodies are validated (422); writes are limited per member (429).
ERROR_DESCRIPTIONS = {
    "400": "Bad input: the message says what to change.",
    "401": "Not signed in, or the personal token is not valid.",
    "403": "Refused: not allowed for you (or the session's CSRF token is missing).",
    "404": "Not found, or not for you to know of.",
    "422": "A parameter or the body has the wrong type or shape; `errors` lists the fields.",
    "429": "Too many in a short time: wait and send again.",
}

SECURITY_SCHEMES = {
    "PersonalTokenAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "hub_…",
        "description": "A personal token made on your settings page, sent as "
        "`Authorization: Bearer <token>`. A revoked or mistyped token is refused with 401.",
    },
    "SessionAuth": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "The session cookie of a signed-in browser; writes also need the "
        "`X-CSRFToken` header.",
    },
}


class HubApi(NinjaAPI):
    """The API with its error shape and both ways of signing in documented on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error_schema.pop("$defs", {}))
        schemas["ErrorOut"] = error_schema
        components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
        error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                statuses = {"400", "401"}
                if "{" in path:
                    statuses.add("404")
                if operation.get("parameters") or "requestBody" in operation:
                    statuses.add("422")
                if operation.get("security"):
                    statuses.add("403")
                if method == "post":
                    statuses.add("429")
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status in sorted(statuses):
                    responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status]})
                for status, response in responses.items():
                    if status[0] in "45":
                        response["content"] = error_ref
                # Anonymous callers may call what needs no sign-in; tokens and sessions see more.
                operation.setdefault(
                    "security", [{}, {"PersonalTokenAuth": []}, {"SessionAuth": []}]
                )
        return schema


def _field(location: list) -> str:
    """``["query", "limit"]`` → ``limit``; ``["body", "payload", "title"]`` → ``title``."""
    parts = [str(part) for part in location]
    if parts[0] == "body" and len(parts) > 2:
        parts = parts[1:]  # the view's parameter name, which callers never see
    return ".".join(parts[1:]) or parts[0]


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field(error["loc"]), error["msg"]) for error in exc.errors]
    fields = ", ".join(field for field, _ in errors)
    return error_response(422, f"Check these: {fields}.", errors)


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/: a JSON 404 (or, as Django would, a redirect to the address
    with a slash when that one is an operation), never the site's HTML page."""
    if not request.path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_path:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                f"{request.path}/" + (f"?{query}" if query else "")
            )
    return error_response(404, "There is nothing at this address in the API; see /api/docs.")


api = HubApi(
    title="Local Government Knowledge Hub API",
    version="1",
    description="Communities, threads, good practice and search. Every error is JSON in one shape "
    "(`ErrorOut`); links in answers are absolute on the host you called.",
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)
api.add_exception_handler(Refusal, api_refusal)
api.add_exception_handler(BadInput, lambda request, exc: error_response(400, exc.message))
api.add_exception_handler(ValidationError, _validation_error)
api.add_exception_handler(HttpError, lambda request, exc: error_response(exc.status_code, str(exc)))
api.add_exception_handler(AuthenticationError, lambda request, exc: error_response(401))
api.add_exception_handler(Http404, lambda request, exc: error_response(404))

# Routers, one per app (each module defines ``router``).
api.add_router("/", "communities.api.router")  # /communities, /threads, /me, /good-practice
api.add_router("/search", "search.api.router")
api.add_router("/search/saved", "search.saved.api.router")
