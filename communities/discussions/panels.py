"""The data pages' "Discussions about these figures" panels (registered in ``CommunitiesConfig.ready``).

Each lists the threads anchored to a figure of the page's area or measure that the reader may read
(``communities.permissions.readable_threads``: never a restricted or private community's threads to
outsiders, never a hidden thread), and renders nothing when there are none.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from communities.discussions.queries import figure_discussion_ids, figure_threads_by_id
from hub.floor.fragments import fragment
from linkeddata.models import Area, Dataset

ORDER = 50  # after good practice (20), communities (30) and members (40)


def area_discussions(request: HttpRequest, area: Area) -> str:
    """Kept per content generation and the very threads the reader may read (``fragment``): the
    list shows nothing about the reader, only those threads."""
    ids, total = figure_discussion_ids(request.user, area=area)
    if not ids:
        return ""

    def render() -> str:
        threads = figure_threads_by_id(ids, area=area)
        context = {"area": area, "threads": threads, "total": total}
        return render_to_string("communities/panels/discussions_area.html", context)

    return fragment("area-discussions", [area.pk, tuple(ids), total], render)


def measure_discussions(request: HttpRequest, dataset: Dataset) -> str:
    """Kept like ``area_discussions``."""
    ids, total = figure_discussion_ids(request.user, dataset=dataset)
    if not ids:
        return ""

    def render() -> str:
        threads = figure_threads_by_id(ids, dataset=dataset)
        context = {
            "dataset": dataset,
            "measure": dataset.measure,
            "threads": threads,
            "total": total,
        }
        return render_to_string("communities/panels/discussions_measure.html", context)

    return fragment("measure-discussions", [dataset.pk, tuple(ids), total], render)
