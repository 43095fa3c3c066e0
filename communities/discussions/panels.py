"""The data pages' "Discussions about these figures" panels (registered in ``CommunitiesConfig.ready``).

Each lists the threads anchored to a figure of the page's area or measure that the reader may read
(``communities.permissions.readable_threads``: never a restricted or private community's threads to
outsiders, never a hidden thread), and renders nothing when there are none.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from communities.discussions.queries import figure_discussions
from linkeddata.models import Area, Dataset

ORDER = 50  # after good practice (20), communities (30) and members (40)


def area_discussions(request: HttpRequest, area: Area) -> str:
    threads, total = figure_discussions(request.user, area=area)
    if not threads:
        return ""
    return render_to_string(
        "communities/panels/discussions_area.html",
        {"area": area, "threads": threads, "total": total},
        request=request,
    )


def measure_discussions(request: HttpRequest, dataset: Dataset) -> str:
    threads, total = figure_discussions(request.user, dataset=dataset)
    if not threads:
        return ""
    return render_to_string(
        "communities/panels/discussions_measure.html",
        {"dataset": dataset, "measure": dataset.measure, "threads": threads, "total": total},
        request=request,
    )
