"""Which figure each hex of the districts' hex map shows.

The hex map (Open Innovations' ``uk_local_authority_districts_2023.hexjson``) has one hex per
district or unitary council; county councils have none. A hex shows its own council's figure; where
a district has none and its county council has one (a county's measure), the hex shows the county's
figure and says so. Councils with neither are marked "no figure".
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from linkeddata.models import Measure
from linkeddata.services.areas import DATA_DIR
from linkeddata.services.benchmarks import RankingRow, third_of
from linkeddata.services.imports import RECODINGS

HEXJSON = DATA_DIR / "uk_local_authority_districts_2023.hexjson"
BANDS = {
    "among the best third": "best",
    "in the middle third": "middle",
    "among the worst third": "worst",
}


@dataclass(frozen=True)
class HexCell:
    code: str  # the hex's GSS code
    name: str
    q: int
    r: int


@dataclass
class HexFigure:
    """One hex as the map draws it: where it goes, its link, its accessible name and its class."""

    cell: HexCell
    href: str
    label: str
    band: str  # "best", "middle", "worst" or "none"
    mark: str = ""  # "self" (the council of the page) or "similar" (one of its similar councils)


@cache
def hex_cells() -> tuple[HexCell, ...]:
    """The map's hexes (districts and unitaries of the UK), from the shipped HexJSON."""
    data = json.loads(HEXJSON.read_text(encoding="utf-8"))
    return tuple(
        HexCell(code, hex_["n"], int(hex_["q"]), int(hex_["r"]))
        for code, hex_ in sorted(data["hexes"].items())
    )


@cache
def county_of() -> dict[str, str]:
    """District GSS code -> its county council's GSS code (two-tier areas only)."""
    with (DATA_DIR / "local_authorities.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    gss_by_code = {row["local_authority_code"]: row["gss_code"] for row in rows}
    return {
        row["gss_code"]: gss_by_code[row["county_la"]]
        for row in rows
        if row["county_la"] and row["county_la"] in gss_by_code and row["gss_code"]
    }


def _figure_text(value: Decimal, measure: Measure) -> str:
    return f"{value:,.{measure.decimal_places}f} {measure.unit}"


def hex_figures(
    rows: list[RankingRow],
    measure: Measure,
    *,
    highlight: str = "",
    similar: frozenset[str] = frozenset(),
) -> list[HexFigure]:
    """Each hex with the figure of its council (or its county's), ranked among ``rows`` in thirds
    (``third_of``); ``highlight`` and ``similar`` (GSS codes) mark the page's council and its similar
    councils."""
    by_code: dict[str, RankingRow] = {}
    for row in rows:
        if row.area.gss_code:
            by_code[row.area.gss_code] = row
            by_code.setdefault(RECODINGS.get(row.area.gss_code, row.area.gss_code), row)
    counties = county_of()
    ranked = len(rows)
    figures = []
    for cell in hex_cells():
        own = by_code.get(cell.code)
        shown = own or by_code.get(counties.get(cell.code, ""))
        if shown is None:
            label, band = f"{cell.name}: no figure", "none"
        else:
            words = third_of(shown.rank, ranked)
            source = "" if own is not None else f" ({shown.area.short_name}'s figure)"
            name = own.area.short_name if own is not None else cell.name  # the hub's own name
            label = f"{name}: {_figure_text(shown.value, measure)}{source}, {words}"
            band = BANDS[words]
        mark = "self" if cell.code == highlight else "similar" if cell.code in similar else ""
        figures.append(HexFigure(cell, f"/doc/area/{cell.code}", label, band, mark))
    return figures
