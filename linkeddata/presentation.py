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


def _places(value: Decimal, places: int | None) -> str:
    """One way of writing a figure on the whole block: the measure's decimal places when known."""
    if places is None:
        return format(value.normalize(), "f")
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def describe_benchmark(value: dict[str, Any]) -> dict[str, Any]:
    """A benchmark evidence block made readable: the author's figures and, when the measure is in
    the hub's benchmarking data, the published values for the same periods, the area's whole series
    as a chart (axis from zero) with a table, and a link to the area page. Where the author's figure
    differs from the published one the block says so, with both figures, the difference and the
    source of each. Periods are written as the hub writes them (``2022/23``) and figures to the
    measure's decimal places throughout. An unknown measure or area degrades to its identifier."""
    slug = value.get("measure") or ""
    measure = Measure.objects.filter(slug=slug).first()
    area = Area.objects.filter(gss_code=value.get("area")).first()
    before, after = _decimal(value.get("value_before")), _decimal(value.get("value_after"))
    periods = [
        period_code_from_slug(p) if p else ""
        for p in (value.get("period_before") or "", value.get("period_after") or "")
    ]
    places = measure.decimal_places if measure is not None else None
    unit = value.get("unit") or (measure.unit if measure else "")
    published: dict[str, Decimal] = {}
    chart = None
    if measure is not None and area is not None:
        dataset = Dataset.objects.filter(measure=measure).first()
        published = series(dataset, [area]).get(area.pk, {}) if dataset else {}
        if published:
            codes = sorted(published)
            chart = line_chart(
                f"{measure.label}, {area.short_name}",
                f"{measure.label} for {area.short_name} from {codes[0]} to {codes[-1]}, in {measure.unit}; "
                "the axis starts at zero.",
                codes,
                [(area.short_name, [published[code] for code in codes])],
                measure.unit,
            )
    hub_values = [published.get(period) for period in periods]
    quoted_given = before is not None or after is not None
    if not quoted_given and any(v is not None for v in hub_values):
        before, after = hub_values
    change = after - before if before is not None and after is not None else None
    source = measure.source if measure is not None else ""
    differences = []
    if quoted_given:
        for period, quoted, hub in zip(periods, (before, after), hub_values, strict=True):
            if quoted is not None and hub is not None and quoted != hub:
                differences.append(
                    {
                        "period": period,
                        "quoted": _places(quoted, places),
                        "published": _places(hub, places),
                        "difference": _places(abs(quoted - hub), places),
                        "higher": "higher" if quoted > hub else "lower",
                    }
                )

    def shown(amount: Decimal | None) -> str | None:
        return None if amount is None else _places(amount, places)

    return {
        "measure_label": measure.label if measure else slug.replace("-", " ").capitalize(),
        "measure_known": measure is not None,
        "area_name": area.short_name if area else value.get("area"),
        "area_url": reverse("linkeddata:area", kwargs={"gss": area.gss_code}) if area else "",
        "unit": unit,
        "rows": [
            (period, shown(quoted), shown(hub))
            for period, quoted, hub in zip(periods, (before, after), hub_values, strict=True)
        ],
        "has_hub_values": any(v is not None for v in hub_values),
        "series": [(code, _places(amount, places)) for code, amount in sorted(published.items())],
        "chart": chart,
        "change": change,
        "change_text": None
        if change is None
        else ("+" if change > 0 else "") + _places(change, places),
        "differences": differences,
        "quoted_source": "the case study’s author",
        "published_source": source,
        "note": value.get("note") or "",
    }
