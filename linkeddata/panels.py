"""Panels that the rest of the hub adds to the data pages (an area, a measure).

The data pages belong to ``linkeddata``, which knows nothing of communities or good practice (they are
the layer above it). Communities registers its panels here once at start-up; each panel is a function
of the request and the page's subject that returns HTML for that reader — already filtered by
``communities.permissions`` — or an empty string when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from linkeddata.models import Area, Dataset

AreaPanel = Callable[[HttpRequest, Area], str]
MeasurePanel = Callable[[HttpRequest, Dataset], str]

_area_panels: dict[str, tuple[int, AreaPanel]] = {}
_measure_panels: dict[str, tuple[int, MeasurePanel]] = {}


def add_area_panel(name: str, panel: AreaPanel, order: int = 50) -> None:
    """Show ``panel`` on every area page, below the figures, in ``order``; ``name`` makes adding
    it twice harmless."""
    _area_panels[name] = (order, panel)


def add_measure_panel(name: str, panel: MeasurePanel, order: int = 50) -> None:
    """Show ``panel`` on every measure page, below the ranking, in ``order``."""
    _measure_panels[name] = (order, panel)


def area_panels(request: HttpRequest, area: Area) -> list[SafeString]:
    """The area page's panels for this reader, in order, leaving out the empty ones."""
    ordered = sorted(_area_panels.items(), key=lambda item: (item[1][0], item[0]))
    # Each panel renders its own (escaping) template, so its HTML is safe as it comes.
    return [mark_safe(html) for _, (_, panel) in ordered if (html := panel(request, area))]  # noqa: S308


def measure_panels(request: HttpRequest, dataset: Dataset) -> list[SafeString]:
    """The measure page's panels for this reader, in order, leaving out the empty ones."""
    ordered = sorted(_measure_panels.items(), key=lambda item: (item[1][0], item[0]))
    return [mark_safe(html) for _, (_, panel) in ordered if (html := panel(request, dataset))]  # noqa: S308
