"""The hub's JSON API at /api/ (django-ninja), with its OpenAPI document at /api/docs.

Each app adds its router here. Callers are authenticated by their session or by a personal
token (``Authorization: Bearer …``), which the authentication middleware turns into
``request.user``, so endpoints apply the same permission functions as the pages.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Local Government Knowledge Hub API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Routers, one per app area (each module defines ``router``).
api.add_router("/", "communities.api.router")  # /communities, /threads, /me
api.add_router("/good-practice", "communities.api_good_practice.router")
api.add_router("/search", "search.api.router")
