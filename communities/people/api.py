"""The people part of the JSON API: who the caller is and a community's members.

Callers are their session (CSRF checked on writes) or a personal token (``Authorization:
Bearer hub_…``), which ``PersonalTokenMiddleware`` turns into ``request.user``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.pagination import paginate
from ninja.security import HttpBearer, SessionAuth

from communities.models import Membership
from communities.paging import BoundedLimitOffsetPagination
from communities.people.queries import profile_name
from communities.permissions import access_community, can_see_community
from hub.floor.api_errors import ErrorOut

__all__ = ["MEMBER_AUTH", "ErrorOut", "SLUG", "router"]


class PersonalTokenAuth(HttpBearer):
    """A personal token, already checked by ``PersonalTokenMiddleware`` (which refuses a bad one)."""

    def __call__(self, request: HttpRequest):
        return request.user if getattr(request, "authenticated_by_token", False) else None

    def authenticate(self, request: HttpRequest, token: str):  # the middleware did it
        return None


# Signed-in callers: a personal token (no CSRF needed) or a session (CSRF checked on writes).
MEMBER_AUTH = [PersonalTokenAuth(), SessionAuth()]

SLUG = Path(..., description="The community's slug, as in its address (/communities/<slug>/).")


class MembershipOut(Schema):
    community: str
    member: str
    role: str
    status: str


router = Router(tags=["communities"])


@router.get(
    "/communities/{slug}/memberships",
    response={200: list[MembershipOut], 403: ErrorOut, 404: ErrorOut},
    summary="Active members of a community",
)
@paginate(BoundedLimitOffsetPagination)
def list_memberships(request, slug: str = SLUG):
    community = access_community(request.user, slug, "read")  # who belongs is members-only content
    memberships = community.memberships.filter(status=Membership.Status.ACTIVE).select_related(
        "user__profile"
    )
    return [
        {
            "community": slug,
            "member": profile_name(m.user) or "",
            "role": m.role,
            "status": m.status,
        }
        for m in memberships.order_by("user__profile__display_name")
    ]


@router.get(
    "/me/memberships",
    auth=MEMBER_AUTH,
    response=list[MembershipOut],
    summary="Your memberships",
    tags=["me"],
)
def my_memberships(request):
    memberships = Membership.objects.filter(user=request.user).select_related(
        "community", "user__profile"
    )
    return [
        {
            "community": m.community.slug,
            "member": profile_name(m.user) or "",
            "role": m.role,
            "status": m.status,
        }
        for m in memberships
        if can_see_community(request.user, m.community)
    ]
