"""The hex map on the measure and area pages: one hexagon per council, each a link named by its
council, figure and third; classes told apart by pattern as well as colour; the same figures in a table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from linkeddata.models import Measure
from linkeddata.services.benchmarks import RankingRow
from linkeddata.services.hexmap import county_of, hex_cells, hex_figures
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db


def _label(html: str, code: str) -> str:
    match = re.search(rf'<a href="/doc/area/{code}" aria-label="([^"]*)"', html)
    assert match, f"no hex links to {code}"
    return match.group(1)


def test_every_hex_of_the_map_is_a_council_and_counties_are_found_for_two_tier_districts():
    cells = hex_cells()
    assert len(cells) == 361
    assert {c.code for c in cells} >= {"E08000035", "E06000023", "S12000049"}
    assert county_of()["E07000110"] == "E10000016"  # Maidstone is in Kent


def test_a_district_without_a_figure_shows_its_county_and_says_so():
    measure = Measure(slug="m", label="Measure", unit="percent", decimal_places=1)
    kent = AreaFactory(code="KEN", gss_code="E10000016", short_name="Kent", authority_type="CTY")
    leeds = AreaFactory(code="LDS", gss_code="E08000035", short_name="Leeds")
    bristol = AreaFactory(code="BST", gss_code="E06000023", short_name="Bristol")
    rows = [
        RankingRow(1, bristol, Decimal("50.0")),
        RankingRow(2, kent, Decimal("45.25")),
        RankingRow(3, leeds, Decimal("35.3")),
    ]
    figures = {f.cell.code: f for f in hex_figures(rows, measure, highlight="E08000035")}
    assert figures["E08000035"].label == "Leeds: 35.3 percent, among the worst third"
    assert figures["E08000035"].mark == "self"
    assert figures["E06000023"].band == "best"
    maidstone = figures["E07000110"]
    assert maidstone.label == "Maidstone: 45.2 percent (Kent's figure), in the middle third"
    assert maidstone.band == "middle"
    assert figures["S12000049"].label.endswith(": no figure")
    assert figures["S12000049"].band == "none"


def test_measure_page_map_links_each_council_with_its_figure_in_words(client, recycling):
    html = client.get("/doc/measure/recycling?period=2023-24").content.decode()
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="hex-map"') :]
    svg = svg[: svg.index("</svg>")]
    # no role="img" (its links stay reachable), a viewBox and no fixed width (it scales to a phone)
    assert 'role="img"' not in svg and "viewBox" in svg and " width=" not in svg.split(">")[0]
    assert _label(svg, "E08000035") == "Leeds: 40.1 percent, among the worst third"
    assert _label(svg, "E08000016") == "Barnsley: 45.0 percent, among the best third"
    assert _label(svg, "E06000023") == "Bristol: 44.9 percent, in the middle third"
    assert _label(svg, "S12000049") == "Glasgow City: no figure"
    assert svg.count("<a ") == 361
    # Each class has its own fill: a pattern for two of them, so colour is never the only cue.
    assert 'class="hex hex-middle"><title>' in svg and "url(#hex-stripes-" in svg
    assert "url(#hex-dots-" in svg
    for key in ("Among the best third (solid)", "In the middle third (striped)", "No figure"):
        assert key in html
    # The same figures are in the ranking table beside it.
    assert "The ranking table below gives every figure." in html
    assert re.search(r"Leeds</a></th><td>Yorkshire and The Humber</td><td>40.1</td>", html)


def test_area_page_map_outlines_the_council_and_its_similar_councils(client, recycling):
    html = client.get("/doc/area/E08000035").content.decode()
    assert "Leeds on the map" in html
    leeds = re.search(r'aria-label="Leeds: [^"]*"[^>]*><title>[^<]*</title><polygon [^>]*>', html)
    assert leeds and 'stroke-width="5"' in leeds.group(0)
    manchester = re.search(
        r'aria-label="Manchester: [^"]*"[^>]*><title>[^<]*</title><polygon [^>]*>', html
    )
    assert manchester and 'stroke-dasharray="5,3"' in manchester.group(0)
    assert "This council (thick outline)" in html and "(dashed outline)" in html
    table = html[html.index('id="map-table-caption"') :]
    table = table[: table.index("</table>")]
    for name in ("Leeds", "Manchester", "Barnsley", "Bristol"):
        assert f">{name}</a>" in table
    assert "Among the worst third" in table
    assert "All councils ranked by recycling rate, 2023/24" in html


def test_area_page_map_shows_the_measure_chosen_and_falls_back_on_an_unknown_one(client, recycling):
    for query in ("?map=recycling", "?map=no-such-measure"):
        response = client.get(f"/doc/area/E08000035{query}")
        assert response.status_code == 200
        assert "Map of recycling rate, 2023/24" in response.content.decode()


def test_area_without_figures_has_no_map(client, councils):
    html = client.get("/doc/area/E06000023").content.decode()
    assert "on the map" not in html
