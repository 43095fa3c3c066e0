"""Benchmarking data presented for other apps' pages: a benchmark evidence block in a case study."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse

from linkeddata.charts import line_chart
from linkeddata.models import Area, Dataset, Measure
from linkeddata.services.benchmarks import series
from linkeddata.services.periods import period_code_from_slug


def _decimal(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def describe_benchmark(value: dict[str, Any]) -> dict[str, Any]:
    """A benchmark evidence block made readable: the author's figures and, when the measure is in
    the hub's benchmarking data, the published values for the same periods, the area's whole series
    as a chart with a table, and a link to the area page. An unknown measure or area degrades to
    its identifier rather than failing."""
    slug = value.get("measure") or ""
    measure = Measure.objects.filter(slug=slug).first()
    area = Area.objects.filter(gss_code=value.get("area")).first()
    before, after = _decimal(value.get("value_before")), _decimal(value.get("value_after"))
    periods = [value.get("period_before") or "", value.get("period_after") or ""]
    published: dict[str, Decimal] = {}
    chart = None
    if measure is not None and area is not None:
        dataset = Dataset.objects.filter(measure=measure).first()
        published = series(dataset, [area]).get(area.pk, {}) if dataset else {}
        if published:
            codes = sorted(published)
            chart = line_chart(
                f"{measure.label}, {area.short_name}",
                f"{measure.label} for {area.short_name} from {codes[0]} to {codes[-1]}, in {measure.unit}.",
                codes,
                [(area.short_name, [published[code] for code in codes])],
                measure.unit,
            )
    hub_values = [published.get(period_code_from_slug(period)) for period in periods]
    if before is None and after is None and any(v is not None for v in hub_values):
        before, after = hub_values
    change = after - before if before is not None and after is not None else None
    return {
        "measure_label": measure.label if measure else slug.replace("-", " ").capitalize(),
        "measure_known": measure is not None,
        "area_name": area.short_name if area else value.get("area"),
        "area_url": reverse("linkeddata:area", kwargs={"gss": area.gss_code})
        if area and published
        else "",
        "unit": value.get("unit") or (measure.unit if measure else ""),
        "rows": [
            (period, quoted, hub)
            for period, quoted, hub in zip(periods, (before, after), hub_values, strict=True)
        ],
        "has_hub_values": any(v is not None for v in hub_values),
        "series": sorted(published.items()),
        "chart": chart,
        "change": change,
        "note": value.get("note") or "",
    }
