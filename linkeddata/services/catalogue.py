"""The datasets the hub ships (real, openly licensed figures in ``linkeddata/data/``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from linkeddata.models import Dataset, Measure, PeriodKind
from linkeddata.services.areas import DATA_DIR
from linkeddata.vocab import OGL_URL

OGL_NAME = "Open Government Licence v3.0"


@dataclass(frozen=True)
class DatasetDefinition:
    slug: str
    title: str
    description: str
    label: str
    unit: str
    higher_is_better: bool
    period_kind: str
    source: str
    source_url: str
    attribution: str
    filename: str
    decimal_places: int = 1
    skip_areas: tuple[str, ...] = field(default=())

    @property
    def path(self) -> Path:
        return DATA_DIR / self.filename


SHIPPED = [
    DatasetDefinition(
        slug="household-recycling-rate",
        title="Household waste recycling rate",
        description="Percentage of household waste sent for reuse, recycling or composting (ex-NI192), by "
        "waste collection and unitary authority, financial years from 2015/16.",
        label="Household recycling rate",
        unit="percent",
        higher_is_better=True,
        period_kind=PeriodKind.FINANCIAL,
        source="DEFRA ENV18 local authority collected waste statistics, compiled by Trafford Data Lab",
        source_url="https://github.com/traffordDataLab/climate_emergency",
        attribution="Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: DEFRA ENV18 (WasteDataFlow), compiled by Trafford Data Lab.",
        filename="metric_household_recycling_rate.csv",
    ),
    DatasetDefinition(
        slug="greenhouse-gas-emissions-per-person",
        title="Greenhouse gas emissions per person",
        description="Territorial emissions of CO2, methane and nitrous oxide per resident, calendar years from 2005.",
        label="Greenhouse gas emissions per person",
        unit="tonnes CO2e per person",
        higher_is_better=False,
        period_kind=PeriodKind.CALENDAR,
        source="Department for Energy Security and Net Zero, via ONS Explore Local Statistics",
        source_url="https://github.com/ONSdigital/explore-local-statistics-data",
        attribution="Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Office for National Statistics, Explore Local Statistics; DESNZ.",
        filename="metric_ghg_emissions_per_capita.csv",
        decimal_places=2,
        # combined authorities created in 2024–25 that the authority list does not include yet
        skip_areas=("E47000014", "E47000015", "E47000018"),
    ),
    DatasetDefinition(
        slug="net-additional-dwellings",
        title="Net additional dwellings",
        description="Net additions to the housing stock per 1,000 existing dwellings, financial years from 2001/02.",
        label="Net additional dwellings",
        unit="net additional dwellings per 1,000 dwellings",
        higher_is_better=True,
        period_kind=PeriodKind.FINANCIAL,
        source="Ministry of Housing, Communities and Local Government, via ONS Explore Local Statistics",
        source_url="https://github.com/ONSdigital/explore-local-statistics-data",
        attribution="Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Office for National Statistics, Explore Local Statistics; MHCLG.",
        filename="metric_net_additional_dwellings.csv",
        decimal_places=0,
    ),
    DatasetDefinition(
        slug="housing-affordability-ratio",
        title="Housing affordability ratio",
        description="Median house price divided by median gross annual residence-based earnings, from 2002.",
        label="Housing affordability ratio",
        unit="ratio",
        higher_is_better=False,
        period_kind=PeriodKind.CALENDAR,
        source="Office for National Statistics, Housing affordability in England and Wales",
        source_url="https://github.com/ONSdigital/explore-local-statistics-data",
        attribution="Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Office for National Statistics, Explore Local Statistics.",
        filename="metric_housing_affordability_ratio.csv",
        decimal_places=2,
    ),
]
SHIPPED_BY_SLUG = {definition.slug: definition for definition in SHIPPED}


@transaction.atomic
def do_ensure_dataset(definition: DatasetDefinition) -> Dataset:
    """Create or update the dataset and measure a shipped definition describes."""
    measure, _ = Measure.objects.update_or_create(
        slug=definition.slug,
        defaults={
            "label": definition.label,
            "description": definition.description,
            "unit": definition.unit,
            "higher_is_better": definition.higher_is_better,
            "source": definition.source,
            "source_url": definition.source_url,
            "licence_name": OGL_NAME,
            "licence_url": OGL_URL,
            "decimal_places": definition.decimal_places,
        },
    )
    dataset, _ = Dataset.objects.update_or_create(
        slug=definition.slug,
        defaults={
            "title": definition.title,
            "description": definition.description,
            "measure": measure,
            "period_kind": definition.period_kind,
            "attribution": definition.attribution,
        },
    )
    return dataset
