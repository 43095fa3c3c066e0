"""The hub's JSON API at /api/ (django-ninja), with its OpenAPI document at /api/docs.

The docs page is Swagger UI served from the hub's own static files (``ninja`` is an installed app,
so its templates load ``ninja/swagger-ui-bundle.js`` instead of a CDN, with no inline script), and
the online validator badge is off, so the page asks no other origin for anything.

Each app adds its router here. Callers are authenticated by their session or by a personal
token (``Authorization: Bearer …``), which the authentication middleware turns into
``request.user``, so endpoints apply the same permission-checked fetchers as the pages; a
refusal (``communities.errors.Refusal``) is answered by one handler, as JSON with its status.
"""

from ninja import NinjaAPI, Swagger

from communities.errors import Refusal
from communities.refusals import api_refusal
from hub.floor.bad_input import BadInput

api = NinjaAPI(
    title="Local Government Knowledge Hub API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)
api.add_exception_handler(Refusal, api_refusal)
api.add_exception_handler(
    BadInput, lambda request, exc: api.create_response(request, {"detail": exc.message}, status=400)
)

# Routers, one per app (each module defines ``router``).
api.add_router("/", "communities.api.router")  # /communities, /threads, /me, /good-practice
api.add_router("/search", "search.api.router")
