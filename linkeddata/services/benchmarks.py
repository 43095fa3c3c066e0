"""What people see about the figures, read from the relational tables: latest values, trends, ranks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.db.models import Avg

from hub.floor.fragments import kept_value
from linkeddata.models import Area, Cluster, Dataset, Observation, Period, SimilarArea

EXCLUDED_TYPES = ("COMB", "SRA")  # combined authorities and the GLA are not ranked against councils


T = TypeVar("T")


def _kept_on(area: Area, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept on this ``area`` instance: a page and its panels (each handed the page's
    instance) read it once per request. Figures change only by an import, never within a request;
    an instance read afresh computes it afresh."""
    kept = vars(area).setdefault("_benchmarks_kept", {})
    if name not in kept:
        kept[name] = compute()
    return kept[name]


def similar_areas(area: Area, limit: int = 20) -> list[Area]:
    """The area's ONS similar councils (overall similarity), most similar first (kept on ``area``)."""

    def compute() -> list[Area]:
        links = (
            SimilarArea.objects.filter(area=area, similarity_type="global")
            .select_related("similar")
            .order_by("rank")
        )
        return [link.similar for link in links[:limit]]

    return list(_kept_on(area, f"similar:{limit}", compute))


def rank(values: dict[int, Decimal], higher_is_better: bool) -> dict[int, int]:
    """Competition ranking (1 = best; ties share a rank) of area id -> value."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=higher_is_better)
    ranks, previous, position = {}, None, 0
    for index, (area_id, value) in enumerate(ordered, start=1):
        if value != previous:
            position, previous = index, value
        ranks[area_id] = position
    return ranks


def third_of(position: int, ranked: int) -> str:
    """Where rank ``position`` of ``ranked`` stands, in words: "among the best third", "in the middle
    third" or "among the worst third" (the hub's one way to say it: pages, maps and alerts)."""
    third = ranked / 3
    if position <= third:
        return "among the best third"
    if position > 2 * third:
        return "among the worst third"
    return "in the middle third"


def period_values(dataset: Dataset, period: Period) -> dict[int, Decimal]:
    rows = Observation.objects.filter(dataset=dataset, period=period).exclude(
        area__authority_type__in=EXCLUDED_TYPES
    )
    return dict(rows.values_list("area_id", "value"))


@dataclass
class MeasureSummary:
    dataset: Dataset
    period: Period
    value: Decimal
    previous_period: Period | None
    previous_value: Decimal | None
    rank: int
    ranked: int
    similar_rank: int | None
    similar_ranked: int

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_value is None else self.value - self.previous_value

    @property
    def trend(self) -> str:
        """'improving', 'getting worse' or 'no change', judged by the measure's polarity."""
        change = self.change
        if change is None:
            return "no earlier figure"
        if change == 0:
            return "no change"
        better = (change > 0) == self.dataset.measure.higher_is_better
        return "improving" if better else "getting worse"

    @property
    def judgement(self) -> str:
        """Where the council stands among all councils: top, middle or bottom third."""
        return third_of(self.rank, self.ranked)


def area_summaries(area: Area) -> list[MeasureSummary]:
    """Every dataset's latest figure for the area, with its trend and ranks (kept on ``area``: the
    area page and its panels share them)."""
    return list(_kept_on(area, "summaries", lambda: _kept_area_summaries(area)))


def _kept_area_summaries(area: Area) -> list[MeasureSummary]:
    """The summaries are public figures, the same for every reader: kept across requests until the
    next publication or announced change (``kept_value``), so a signed-in view does not work out
    every dataset's ranks again."""
    return kept_value("area-summaries", [area.pk], lambda: _area_summaries(area))


def _area_summaries(area: Area) -> list[MeasureSummary]:
    summaries = []
    similar_ids = {a.pk for a in similar_areas(area)} | {area.pk}
    for dataset in Dataset.objects.select_related("measure"):
        observations = list(
            Observation.objects.filter(dataset=dataset, area=area)
            .select_related("period")
            .order_by("-period__start_date")[:2]
        )
        if not observations:
            continue
        latest = observations[0]
        previous = observations[1] if len(observations) > 1 else None
        values = period_values(dataset, latest.period)
        values.setdefault(area.pk, latest.value)
        ranks = rank(values, dataset.measure.higher_is_better)
        similar_values = {k: v for k, v in values.items() if k in similar_ids}
        similar_ranks = rank(similar_values, dataset.measure.higher_is_better)
        summaries.append(
            MeasureSummary(
                dataset=dataset,
                period=latest.period,
                value=latest.value,
                previous_period=previous.period if previous else None,
                previous_value=previous.value if previous else None,
                rank=ranks[area.pk],
                ranked=len(values),
                similar_rank=similar_ranks.get(area.pk),
                similar_ranked=len(similar_values),
            )
        )
    return summaries


def dataset_periods(dataset: Dataset) -> list[Period]:
    return list(
        Period.objects.filter(observations__dataset=dataset).distinct().order_by("start_date")
    )


@dataclass
class RankingRow:
    rank: int
    area: Area
    value: Decimal


def ranking(
    dataset: Dataset, period: Period, region: str = "", authority_type: str = ""
) -> list[RankingRow]:
    """Councils ranked for one period (1 = best by the measure's polarity), optionally filtered;
    public figures, kept across requests until the next publication or announced change."""
    return kept_value(
        "ranking",
        [dataset.pk, period.pk, region, authority_type],
        lambda: _ranking(dataset, period, region, authority_type),
    )


def _ranking(
    dataset: Dataset, period: Period, region: str, authority_type: str
) -> list[RankingRow]:
    rows = Observation.objects.filter(dataset=dataset, period=period).exclude(
        area__authority_type__in=EXCLUDED_TYPES
    )
    if region:
        rows = rows.filter(area__region=region)
    if authority_type:
        rows = rows.filter(area__authority_type=authority_type)
    observations = list(rows.select_related("area"))
    ranks = rank({o.area_id: o.value for o in observations}, dataset.measure.higher_is_better)
    result = [RankingRow(ranks[o.area_id], o.area, o.value) for o in observations]
    return sorted(result, key=lambda row: (row.rank, row.area.short_name))


def series(dataset: Dataset, areas: list[Area]) -> dict[int, dict[str, Decimal]]:
    """area id -> {period code: value} for the given areas."""
    values: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = Observation.objects.filter(dataset=dataset, area__in=areas).values_list(
        "area_id", "period__code", "value"
    )
    for area_id, period, value in rows:
        values[area_id][period] = value
    return values


def average_series(dataset: Dataset, areas: Iterable[Area]) -> dict[str, Decimal]:
    """Mean value per period over ``areas`` (a queryset or list)."""
    rows = (
        Observation.objects.filter(dataset=dataset, area__in=areas)
        .values("period__code")
        .annotate(mean=Avg("value"))
    )
    return {row["period__code"]: row["mean"] for row in rows}


@dataclass
class Line:
    name: str
    values: list[Decimal | None]


@dataclass
class Comparison:
    area: Area
    dataset: Dataset
    mode: str
    periods: list[str]
    lines: list[Line]
    others: list[Area]


COMPARE_MODES = {
    "similar": "its ONS similar councils (average)",
    "region": "its region's average",
    "type": "councils of the same type (average)",
    "cluster": "its ONS cluster (average)",
    "picked": "councils I choose",
}
MAX_PICKED = 8  # lines a chart can still tell apart by dash pattern


def find_council(text: str) -> list[Area]:
    """Councils a typed name or GSS code stands for: one, several (ambiguous) or none."""
    text = text.strip()
    if not text:
        return []
    councils = Area.objects.councils()
    for lookup in ("gss_code__iexact", "short_name__iexact", "name__iexact"):
        found = list(councils.filter(**{lookup: text}))
        if found:
            return found
    return list(councils.filter(short_name__icontains=text)[:5])


def global_cluster(area: Area) -> Cluster | None:
    return area.clusters.filter(similarity_type="global").first()


def comparison(area: Area, dataset: Dataset, mode: str, picked: list[Area]) -> Comparison:
    """One council's series against similar councils, its region or picked councils, period by period."""
    periods = [p.code for p in dataset_periods(dataset)]
    own = series(dataset, [area]).get(area.pk, {})
    lines = [Line(area.short_name, [own.get(p) for p in periods])]
    others: list[Area] = []
    if mode == "similar":
        others = similar_areas(area)
        mean = average_series(dataset, others)
        lines.append(
            Line(f"Average of {len(others)} similar councils", [mean.get(p) for p in periods])
        )
    elif mode == "type":
        others = list(
            Area.objects.councils().filter(authority_type=area.authority_type).exclude(pk=area.pk)
        )
        mean = average_series(dataset, others)
        lines.append(Line(f"{area.authority_type_name} average", [mean.get(p) for p in periods]))
    elif mode == "cluster":
        cluster = global_cluster(area)
        others = list(cluster.areas.councils().exclude(pk=area.pk)) if cluster is not None else []
        mean = average_series(dataset, others)
        name = f"ONS cluster {cluster.code}" if cluster is not None else "ONS cluster"
        lines.append(Line(f"{name} average", [mean.get(p) for p in periods]))
    elif mode == "region":
        others = list(Area.objects.councils().filter(region=area.region).exclude(pk=area.pk))
        mean = average_series(dataset, others)
        lines.append(Line(f"{area.region or 'Region'} average", [mean.get(p) for p in periods]))
    else:
        others = [a for a in picked if a.pk != area.pk][:MAX_PICKED]
        values = series(dataset, others)
        lines += [
            Line(a.short_name, [values.get(a.pk, {}).get(p) for p in periods]) for a in others
        ]
    # Keep the periods where the council or a comparison has a figure.
    keep = [i for i, _ in enumerate(periods) if any(line.values[i] is not None for line in lines)]
    periods = [periods[i] for i in keep]
    for line in lines:
        line.values = [line.values[i] for i in keep]
    return Comparison(area, dataset, mode, periods, lines, others)
