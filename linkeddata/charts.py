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
# pygal's comments: its name, its links and the day the chart was drawn, which made the same figures'
# chart differ from one day to the next (a page kept over midnight, an ETag)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _accessible(svg: str, title: str, description: str) -> SafeString:
    """Name the SVG for assistive technology: role=img labelled by its own title and description."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
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


# -- The hex map ---------------------------------------------------------------------------------

HEX_RADIUS = 16  # viewBox units; the SVG scales to its container
# Each class is told apart by its pattern as well as its colour, and named in the legend and in
# every hex's accessible name.
HEX_CLASSES = {
    "best": ("#003078", "", "Among the best third (solid)"),
    "middle": ("#1d70b8", "stripes", "In the middle third (striped)"),
    "worst": ("#d4351c", "dots", "Among the worst third (dotted)"),
    "none": ("#ffffff", "", "No figure (white)"),
}
HEX_MARKS = {
    "self": ("#0b0c0c", 5, None),
    "similar": ("#0b0c0c", 3, "5,3"),
}


def _hex_points(cx: float, cy: float, radius: float) -> str:
    """A pointy-topped hexagon's corners."""
    half = radius * 3**0.5 / 2
    corners = [
        (cx, cy - radius),
        (cx + half, cy - radius / 2),
        (cx + half, cy + radius / 2),
        (cx, cy + radius),
        (cx - half, cy + radius / 2),
        (cx - half, cy - radius / 2),
    ]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)


def _hex_defs(key: str) -> str:
    return (
        f'<pattern id="hex-stripes-{key}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{HEX_CLASSES["middle"][0]}"/>'
        '<rect width="2" height="6" fill="#ffffff"/></pattern>'
        f'<pattern id="hex-dots-{key}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{HEX_CLASSES["worst"][0]}"/>'
        '<circle cx="3" cy="3" r="1.5" fill="#ffffff"/></pattern>'
    )


def _hex_fill(band: str, key: str) -> str:
    colour, pattern, _ = HEX_CLASSES[band]
    return f"url(#hex-{pattern}-{key})" if pattern else colour


def hex_swatch(band: str) -> SafeString:
    """A legend's small hexagon for one class (decorative: the legend's text names the class)."""
    key = f"swatch-{band}"
    svg = (
        f'<svg class="hex-swatch" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true" '
        f'focusable="false"><defs>{_hex_defs(key)}</defs>'
        f'<polygon points="{_hex_points(16, 16, 14)}" fill="{_hex_fill(band, key)}" '
        'stroke="#505a5f" stroke-width="1.5"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - built from constants only


def hex_mark_swatch(mark: str) -> SafeString:
    """A legend's hexagon showing how the page's council or a similar council is outlined."""
    colour, width, dash = HEX_MARKS[mark]
    dasharray = f' stroke-dasharray="{dash}"' if dash else ""
    svg = (
        '<svg class="hex-swatch" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true" '
        f'focusable="false"><polygon points="{_hex_points(16, 16, 12)}" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="{width / 2}"{dasharray}/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - built from constants only


def hex_legend(marks: bool = False) -> list[tuple[SafeString, str]]:
    """The hex map's key: each class's swatch and words, and the outlines when the map marks a
    council and its similar councils."""
    legend = [(hex_swatch(band), text) for band, (_, _, text) in HEX_CLASSES.items()]
    if marks:
        legend += [
            (hex_mark_swatch("self"), "This council (thick outline)"),
            (hex_mark_swatch("similar"), "Its ONS similar councils (dashed outline)"),
        ]
    return legend


def hex_map(title: str, description: str, hexes: list[Any]) -> SafeString:
    """A hex map: one hexagon per council (``linkeddata.services.hexmap.HexFigure``), each a link to
    its area page named by its accessible label ("Leeds: 35.3 percent, among the worst third"),
    filled by class (colour and pattern) and outlined when marked. Written by hand rather than with
    pygal, which has no hex maps; the page gives the legend and a table of the same figures."""
    if not hexes:
        return mark_safe("")
    key = uuid.uuid4().hex[:8]
    radius = HEX_RADIUS
    width = radius * 3**0.5
    rows = [h.cell.r for h in hexes]
    columns = [h.cell.q for h in hexes]
    top, first = max(rows), min(columns)
    margin = radius + 4

    def centre(q: int, r: int) -> tuple[float, float]:
        shift = width / 2 if r % 2 else 0  # "odd-r": odd rows sit half a hex to the right
        return margin + (q - first) * width + shift, margin + (top - r) * radius * 1.5

    view_width = 2 * margin + (max(columns) - first + 0.5) * width
    view_height = 2 * margin + (top - min(rows)) * radius * 1.5
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hex-map" '
        f'aria-labelledby="hex-title-{key} hex-desc-{key}" viewBox="0 0 {view_width:.0f} '
        f'{view_height:.0f}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="hex-title-{key}">{html.escape(title)}</title>'
        f'<desc id="hex-desc-{key}">{html.escape(description)}</desc>'
        f"<defs>{_hex_defs(key)}</defs>"
    ]
    # Marked hexes are drawn last, so their outlines are not hidden under their neighbours'.
    for figure in sorted(hexes, key=lambda h: (h.mark == "self", bool(h.mark))):
        x, y = centre(figure.cell.q, figure.cell.r)
        stroke, stroke_width, dash = HEX_MARKS.get(figure.mark, ("#505a5f", 1, None))
        label = html.escape(figure.label)
        parts.append(
            f'<a href="{html.escape(figure.href)}" aria-label="{label}" class="hex hex-{figure.band}">'
            f"<title>{label}</title>"
            f'<polygon points="{_hex_points(x, y, radius - 0.5)}" '
            f'fill="{_hex_fill(figure.band, key)}" stroke="{stroke}" stroke-width="{stroke_width}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/></a>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - our markup; every text is escaped
