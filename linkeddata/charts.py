"""Charts rendered on the server as accessible SVG with pygal: a title, a description, and no
meaning carried by colour alone (series differ by dash pattern and are named in the legend).
The page always shows the same figures in a table beside the chart."""

from __future__ import annotations

import html
import re
import uuid
from decimal import Decimal
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#505a5f",
    colors=(
        "#1d70b8",
        "#d4351c",
        "#00703c",
        "#4c2c92",
        "#6f3700",
        "#28a197",
        "#912b88",
        "#505a5f",
        "#f47738",
    ),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)
DASHES = (None, "8,4", "2,4", "12,4,2,4", "4,4", "1,3", "16,6", "6,2", "10,2,2,2")


# pygal always writes its tooltip configuration as an inline <script> (useless without pygal's
# tooltip JavaScript, which the hub does not load); the Content-Security-Policy forbids inline scripts.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def _accessible(svg: str, title: str, description: str) -> SafeString:
    """Name the SVG for assistive technology: role=img labelled by its own title and description."""
    svg = _SCRIPT.sub("", svg)
    key = uuid.uuid4().hex[:8]
    head = (
        f'<svg role="img" aria-labelledby="chart-title-{key} chart-desc-{key}" focusable="false" '
    )
    svg = svg.replace("<svg ", head, 1)
    close = svg.index(">", svg.index("<svg")) + 1
    labels = (
        f'<title id="chart-title-{key}">{html.escape(title)}</title>'
        f'<desc id="chart-desc-{key}">{html.escape(description)}</desc>'
    )
    return mark_safe(svg[:close] + labels + svg[close:])  # noqa: S308 - pygal's SVG; our text is escaped


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "tooltip_border_radius": 0,
        "width": 800,
        **extra,
    }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def line_chart(
    title: str,
    description: str,
    x_labels: list[str],
    lines: list[tuple[str, list[Decimal | None]]],
    unit: str,
) -> SafeString:
    chart = pygal.Line(
        **_config(
            height=420,
            x_label_rotation=30,
            y_title=unit,
            allow_interruptions=True,
            dots_size=4,
            include_x_axis=True,  # figures are levels: the axis starts at zero, so no change looks bigger
        )
    )
    chart.title = title
    chart.x_labels = x_labels
    for position, (name, values) in enumerate(lines):
        dash = DASHES[position % len(DASHES)]
        chart.add(
            name,
            [_float(v) for v in values],
            stroke_style={"width": 3, "dasharray": dash} if dash else {"width": 3},
        )
    return _accessible(chart.render(is_unicode=True), title, description)


def bar_chart(
    title: str, description: str, rows: list[tuple[str, Decimal]], unit: str
) -> SafeString:
    """A horizontal bar per row."""
    chart = pygal.HorizontalBar(
        **_config(
            height=max(300, 22 * len(rows) + 160),
            x_title=unit,
            show_legend=False,
            include_x_axis=True,
        )
    )
    chart.title = title
    chart.x_labels = [name for name, _ in rows]
    chart.add("Councils", [float(value) for _, value in rows])
    return _accessible(chart.render(is_unicode=True), title, description)
