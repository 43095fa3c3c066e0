"""Every current authority's region in the shipped list agrees with the ONS region codes carried by
the Open Innovations hex map of districts (a second, independent source shipped beside it). Counties
are not districts: a county's region is the one region all of its districts are in."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest

from linkeddata.services.areas import DATA_DIR, LOCAL_AUTHORITIES_CSV, do_import_areas
from linkeddata.services.catalogue import do_ensure_dataset
from tests.linkeddata.conftest import RECYCLING

HEXJSON = DATA_DIR / "uk_local_authority_districts_2023.hexjson"
# ONS codes of the English regions and of the other nations (which the hex map uses as their "region").
ONS_REGION = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
    "Scotland": "S92000003",
    "Wales": "W92000004",
    "Northern Ireland": "N92000002",
}
# Combined authorities and the GLA span no single district set in the hex map; they are not councils.
NOT_COUNCILS = {"COMB", "SRA"}


def _current() -> list[dict[str, str]]:
    with LOCAL_AUTHORITIES_CSV.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["current"] == "true"]


def _hex_regions() -> dict[str, str]:
    hexes = json.loads(HEXJSON.read_text(encoding="utf-8"))["hexes"]
    return {code: hexagon["region"] for code, hexagon in hexes.items()}


def _region_code(row: dict[str, str]) -> str:
    return ONS_REGION[row["region"] or row["nation"]]


def test_every_district_is_in_its_ons_region():
    hexes = _hex_regions()
    districts = [row for row in _current() if row["gss_code"] in hexes]
    assert len(districts) == len(hexes) == 361
    wrong = [
        (row["official_name"], row["region"], hexes[row["gss_code"]])
        for row in districts
        if _region_code(row) != hexes[row["gss_code"]]
    ]
    assert wrong == []


def test_every_county_is_in_the_region_of_its_districts():
    hexes = _hex_regions()
    rows = _current()
    district_regions: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["county_la"]:
            district_regions[row["county_la"]].add(hexes[row["gss_code"]])
    counties = [row for row in rows if row["authority_type"] == "CTY"]
    assert len(counties) == 21
    for county in counties:
        regions = district_regions[county["local_authority_code"]]
        assert len(regions) == 1, f"{county['official_name']}'s districts span {regions}"
        assert _region_code(county) in regions, (
            f"{county['official_name']} is listed in {county['region']}, its districts in {regions}"
        )


def test_every_current_authority_was_checked():
    hexes = _hex_regions()
    rows = _current()
    counties = {row["local_authority_code"] for row in rows if row["authority_type"] == "CTY"}
    unchecked = [
        row["official_name"]
        for row in rows
        if row["gss_code"] not in hexes
        and row["local_authority_code"] not in counties
        and row["authority_type"] not in NOT_COUNCILS
    ]
    assert unchecked == []


@pytest.mark.django_db
def test_derbyshire_and_lincolnshire_are_shown_and_filtered_in_the_east_midlands(client):
    do_import_areas()
    for code in ("E10000007", "E10000019"):
        page = client.get(f"/doc/area/{code}").content.decode()
        assert "in East Midlands, England" in page
    # The region average on the compare page is taken over the corrected region.
    do_ensure_dataset(RECYCLING)
    page = client.get(
        "/data/compare/E10000024/", {"measure": "recycling", "with": "region"}
    ).content.decode()
    assert "East Midlands average" in page
    assert 'href="/doc/area/E10000007">Derbyshire<' in page
    assert 'href="/doc/area/E10000019">Lincolnshire<' in page
    west = client.get("/data/compare/E10000028/", {"measure": "recycling", "with": "region"})
    assert 'href="/doc/area/E10000007">Derbyshire<' not in west.content.decode()
