"""The "Follow" panels on the data pages (registered in ``linkeddata.panels`` at start-up)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from communities.data_alerts.queries import follow_of, follows_own_council, measures_with_figures
from hub.floor.fragments import kept_value
from linkeddata.models import Area, Dataset
from linkeddata.panels import add_area_panel, add_measure_panel


def area_panel(request: HttpRequest, area: Area) -> str:
    """Follow this council's figures, or this council on one measure."""
    user = request.user
    own = (
        user.is_authenticated
        and getattr(getattr(user, "profile", None), "council_id", None) == area.pk
    )
    return render_to_string(
        "communities/data_alerts/area_panel.html",
        {
            "area": area,
            "follow": follow_of(user, measure=None, area=area),
            "own_council": own,
            "own_council_on": own and follows_own_council(user),
            # public, the same for everyone: kept until the next publication or announced change
            "measures": (
                kept_value("measures-with-figures", [], lambda: list(measures_with_figures()))
                if user.is_authenticated
                else []
            ),
            "next": request.get_full_path(),
        },
        request=request,
    )


def measure_panel(request: HttpRequest, dataset: Dataset) -> str:
    """Follow this measure (every council's figures)."""
    return render_to_string(
        "communities/data_alerts/measure_panel.html",
        {
            "measure": dataset.measure,
            "follow": follow_of(request.user, measure=dataset.measure, area=None),
            "next": request.get_full_path(),
        },
        request=request,
    )


def register_panels() -> None:
    """Called once in ``CommunitiesConfig.ready()``."""
    add_area_panel("communities.follow", area_panel, order=10)
    add_measure_panel("communities.follow", measure_panel, order=10)
