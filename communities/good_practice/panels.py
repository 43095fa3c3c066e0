"""Good practice, communities and people beside the numbers: the panels this wing adds to the data
pages (an area, a measure) and to a member's dashboard ("Councils like yours").

Each panel is a door: one read function (``queries``), which filters through
``communities.permissions``, then one template. Registered in ``communities.apps``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from communities.good_practice.queries import (
    area_practice,
    councils_like,
    good_practice_for_measures,
    members_of,
    officer_community_ids,
)
from communities.models.communities import CommunityPage
from communities.permissions import class_viewer, mention_class
from hub.floor.fragments import fragment, in_kept_order
from linkeddata.models import Area, Dataset

TEMPLATES = "communities/panels"


def councils_like_yours(request: HttpRequest) -> str:
    """The dashboard's "Councils like yours", driven by the member's profile council."""
    profile = getattr(request.user, "profile", None)
    council = profile.council if profile is not None else None
    context = {"like": councils_like(council, request.user) if council is not None else None}
    return render_to_string(f"{TEMPLATES}/councils_like_yours.html", context, request)


def area_good_practice(request: HttpRequest, area: Area) -> str:
    """The council's own case studies, and its similar councils' ones on the measures where it
    ranks among the worst third. Only published case studies and public figures, the same for
    every reader, so it is kept until the next announced change or publication."""

    def render() -> str:
        practice = area_practice(area)
        context = {
            "area": area,
            "own": practice.own,
            "weak": practice.weak,
            "from_similar": practice.from_similar,
        }
        return render_to_string(f"{TEMPLATES}/good_practice_area.html", context, request)

    return fragment("area-good-practice", [area.pk], render)


def area_communities(request: HttpRequest, area: Area) -> str:
    """Communities the council's officers belong to, among those the reader may know exist. Kept
    per content generation and the very communities shown: the part shows only them."""
    ids = officer_community_ids(area, request.user)
    if not ids:
        return ""

    def render() -> str:
        context = {"area": area, "communities": in_kept_order(CommunityPage.objects, ids)}
        return render_to_string(f"{TEMPLATES}/communities_area.html", context)

    return fragment("area-communities", [area.pk, tuple(ids)], render)


def area_members(request: HttpRequest, area: Area) -> str:
    """The council's members whose profiles the reader may see, kept per content generation and
    ``mention_class`` (visitors, signed-in people, staff; the owner of a private profile is a class
    of their own), rendered as ``class_viewer`` sees them."""

    def render() -> str:
        profiles, more = members_of(area, class_viewer(request.user))
        context = {"area": area, "profiles": profiles, "more": more}
        return render_to_string(f"{TEMPLATES}/members_area.html", context)

    return fragment("area-members", [area.pk, mention_class(request.user)], render)


def measure_good_practice(request: HttpRequest, dataset: Dataset) -> str:
    """Case studies whose benchmark evidence uses the measure."""
    measure = dataset.measure

    def render() -> str:
        context = {"measure": measure, "pages": good_practice_for_measures({measure.slug})}
        return render_to_string(f"{TEMPLATES}/good_practice_measure.html", context, request)

    return fragment("measure-good-practice", [dataset.pk], render)


def register_panels() -> None:
    """Add this wing's panels to the data pages and the dashboard (called once, at start-up)."""
    from communities.dashboard import add_dashboard_panel
    from linkeddata.panels import add_area_panel, add_measure_panel

    add_dashboard_panel("councils-like-yours", councils_like_yours, order=10)
    add_area_panel("good-practice", area_good_practice, order=20)
    add_area_panel("communities", area_communities, order=30)
    add_area_panel("members", area_members, order=40)
    add_measure_panel("good-practice", measure_good_practice, order=20)
