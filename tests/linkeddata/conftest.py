"""Small benchmarking fixtures built through the import services (tidy CSVs written to tmp_path)."""

from __future__ import annotations

from datetime import date

import pytest

from linkeddata.models import Area, PeriodKind, SimilarArea
from linkeddata.services.catalogue import DatasetDefinition, do_ensure_dataset
from linkeddata.services.imports import do_import_observations
from tests.factories import AreaFactory

RECYCLING = DatasetDefinition(
    slug="recycling", title="Recycling rate", description="Household waste recycled.", label="Recycling rate",
    unit="percent", higher_is_better=True, period_kind=PeriodKind.FINANCIAL, source="DEFRA",
    source_url="https://example.gov.uk/env18", attribution="Contains public sector information (OGL v3.0).",
    filename="unused.csv",
)
CSV = """gss_code,area_name,period,value,unit
E08000035,Leeds,2022/23,38.5,percent
E08000035,Leeds,2023/24,40.1,percent
E08000003,Manchester,2022/23,35.0,percent
E08000003,Manchester,2023/24,33.2,percent
E08000038,Barnsley,2023/24,45.0,percent
E06000023,Bristol,2023/24,44.9,percent
"""


@pytest.fixture
def rdf_store(settings, tmp_path):
    """A fresh Oxigraph store for this test."""
    settings.RDF_STORE_PATH = tmp_path / "rdf"
    return settings.RDF_STORE_PATH


@pytest.fixture
def councils(db):
    areas = {
        "leeds": AreaFactory(code="LDS", gss_code="E08000035", name="Leeds City Council", short_name="Leeds",
                             authority_type="MD", authority_type_name="Metropolitan district", region="Yorkshire and The Humber"),
        "manchester": AreaFactory(code="MAN", gss_code="E08000003", name="Manchester City Council", short_name="Manchester",
                                  authority_type="MD", authority_type_name="Metropolitan district", region="North West"),
        "barnsley": AreaFactory(code="BNS", gss_code="E08000016", name="Barnsley Metropolitan Borough Council", short_name="Barnsley",
                                authority_type="MD", authority_type_name="Metropolitan district", region="Yorkshire and The Humber"),
        "bristol": AreaFactory(code="BST", gss_code="E06000023", name="Bristol City Council", short_name="Bristol",
                               authority_type="UA", authority_type_name="Unitary authority", region="South West"),
        "old": AreaFactory(code="OLD", gss_code="E07000999", name="Oldtown District Council", short_name="Oldtown",
                           authority_type="NMD", authority_type_name="Non-metropolitan district", region="South West",
                           is_current=False, end_date=date(2023, 3, 31), replaced_by="BST"),
    }
    for rank, key in enumerate(["manchester", "barnsley", "bristol"], start=1):
        SimilarArea.objects.create(area=areas["leeds"], similar=areas[key], similarity_type="global", rank=rank)
    return areas


@pytest.fixture
def recycling(councils, tmp_path, rdf_store):
    """A small dataset imported through the real import service (published to this test's own store)."""
    dataset = do_ensure_dataset(RECYCLING)
    path = tmp_path / "recycling.csv"
    path.write_text(CSV, encoding="utf-8")
    do_import_observations(path, dataset)
    return dataset


def area(gss: str) -> Area:
    return Area.objects.get(gss_code=gss)
