"""Panels that the wings add to a member's dashboard.

The dashboard belongs to ``discussions``, which may not import ``good_practice`` (the wing above
it). Wings register a panel here once at start-up (``communities.apps``); each panel is a function
of the request that returns HTML for that member, already filtered through
``communities.permissions``, or an empty string when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

DashboardPanel = Callable[[HttpRequest], str]

_panels: dict[str, tuple[int, DashboardPanel]] = {}


def add_dashboard_panel(name: str, panel: DashboardPanel, order: int = 50) -> None:
    """Show ``panel`` on every member's dashboard in ``order``; ``name`` makes adding it twice
    harmless."""
    _panels[name] = (order, panel)


def dashboard_panels(request: HttpRequest) -> list[SafeString]:
    """The dashboard's panels for this member, in order, leaving out the empty ones."""
    ordered = sorted(_panels.items(), key=lambda item: (item[1][0], item[0]))
    # Each panel renders its own (escaping) template, so its HTML is safe as it comes.
    return [mark_safe(html) for _, (_, panel) in ordered if (html := panel(request))]  # noqa: S308
