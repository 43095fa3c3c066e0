"""Read functions of data alerts: a member's follows, a community's linked measures, and what an
import changed, in words (the same words for the in-app alert, its email and a community's post)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.http import urlencode

from communities.models import CommunityPage, DataAlertSettings, DataFollow, LinkedMeasure
from hub.floor.actor import Actor
from linkeddata.models import Area, Dataset, Measure, Period, SimilarArea
from linkeddata.services.benchmarks import period_values, rank, third_of

OWN_COUNCIL = "council"  # the alert "follow:council": the member's own council, followed by default


def follows_of(user: Actor) -> QuerySet[DataFollow]:
    """The member's follows, measures and areas loaded."""
    if not user.is_authenticated:
        return DataFollow.objects.none()
    return DataFollow.objects.filter(user=user).select_related("measure", "area")


def follows_own_council(user: Actor) -> bool:
    """Whether the member's own council's figures reach them (the default, until switched off)."""
    if not user.is_authenticated:
        return False
    row = DataAlertSettings.objects.filter(user=user).first()
    return row is None or row.own_council


def follow_of(user: Actor, *, measure: Measure | None, area: Area | None) -> DataFollow | None:
    """The member's follow of exactly this measure, area, or area on this measure."""
    if not user.is_authenticated or (measure is None and area is None):
        return None
    return DataFollow.objects.filter(user=user, measure=measure, area=area).first()


def linked_measures(community: CommunityPage) -> QuerySet[LinkedMeasure]:
    return LinkedMeasure.objects.filter(community=community).select_related("measure", "thread")


def measures_with_figures() -> QuerySet[Measure]:
    """Measures a community can link to: those with a dataset."""
    return Measure.objects.filter(datasets__isnull=False).distinct().order_by("label")


# -- What an import changed, in words -------------------------------------------------------------


def format_value(value: Decimal, measure: Measure) -> str:
    """A figure as the measure page writes it (its decimals, thousands separated) with its unit."""
    number = intcomma(floatformat(value.normalize(), measure.decimal_places))
    if measure.unit == "percent":
        return f"{number}%"
    if measure.unit == "ratio":
        return str(number)
    return f"{number} {measure.unit}"


def format_change(change: Decimal, measure: Measure) -> str:
    if change == 0:
        return "level"
    word = "up" if change > 0 else "down"
    return f"{word} {intcomma(floatformat(abs(change).normalize(), measure.decimal_places))}"


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _bare(third: str) -> str:
    """ "among the best third" -> "the best third", "in the middle third" -> "the middle third"."""
    return third.removeprefix("among ").removeprefix("in ")


def figures_url(dataset: Dataset, period: Period, area: Area | None = None) -> str:
    url = reverse("linkeddata:measure", args=[dataset.measure.slug])
    url += "?" + urlencode({"period": period.slug})
    return url + (f"#council-{area.gss_code}" if area is not None and area.gss_code else "")


def comparison_url(dataset: Dataset, area: Area) -> str:
    return (
        reverse("linkeddata:compare", args=[area.gss_code])
        + "?"
        + urlencode({"measure": dataset.slug})
    )


@dataclass
class FigureLine:
    """One council's new or revised figure, said in words."""

    dataset: Dataset
    area: Area
    period: Period
    text: str
    headline: str
    moved: bool
    figures_url: str
    comparison_url: str


@dataclass
class MeasureNews:
    """A measure's new figures for one period (what its followers and linked communities hear)."""

    dataset: Dataset
    period: Period
    new: int = 0
    revised: int = 0
    lines: dict[int, FigureLine] = field(default_factory=dict)  # by area id

    @property
    def text(self) -> str:
        label = self.dataset.measure.label
        parts = []
        if self.new:
            parts.append(f"{self.new} new figure{'s' if self.new != 1 else ''}")
        if self.revised:
            parts.append(f"{self.revised} revised figure{'s' if self.revised != 1 else ''}")
        return f"{label} for {self.period.code}: {' and '.join(parts)}"

    @property
    def url(self) -> str:
        return figures_url(self.dataset, self.period)


def _thirds(values: dict[int, Decimal], higher_is_better: bool) -> dict[int, str]:
    ranks = rank(values, higher_is_better)
    return {area_id: third_of(position, len(values)) for area_id, position in ranks.items()}


def describe_changes(changes: list[dict[str, Any]]) -> list[MeasureNews]:
    """What ``changes`` (a release's rows: dataset, area, period, old, new) mean to people: per
    dataset and period (new figures of its latest period only, and every revision), each council's figure in words (its change, and its move between the
    thirds of all councils and of its ONS similar councils). A few queries per dataset and period,
    whatever the number of councils or followers."""
    periods = Period.objects.in_bulk({row["period"] for row in changes})
    # A first import brings a dataset's whole history: only its latest period is news.
    latest_new: dict[int, Period] = {}
    for row in changes:
        period = periods[row["period"]]
        known = latest_new.get(row["dataset"])
        if row["old"] is None and (known is None or period.start_date > known.start_date):
            latest_new[row["dataset"]] = period
    grouped: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in changes:
        if row["old"] is None and latest_new[row["dataset"]].pk != row["period"]:
            continue
        grouped[(row["dataset"], row["period"])].append(row)
    datasets = Dataset.objects.select_related("measure").in_bulk({d for d, _ in grouped})
    area_ids = {row["area"] for row in changes}
    areas = Area.objects.in_bulk(area_ids)
    similar: dict[int, set[int]] = defaultdict(set)
    for area_id, similar_id in SimilarArea.objects.filter(
        area_id__in=area_ids, similarity_type="global", rank__lte=20
    ).values_list("area_id", "similar_id"):
        similar[area_id].add(similar_id)
    news = []
    for (dataset_id, period_id), rows in sorted(
        grouped.items(),
        key=lambda item: (datasets[item[0][0]].title, periods[item[0][1]].start_date),
    ):
        dataset, period = datasets[dataset_id], periods[period_id]
        measure = dataset.measure
        label = _lower_first(measure.label)
        better = measure.higher_is_better
        after = period_values(dataset, period)
        before = dict(after)
        for row in rows:
            if row["old"] is None:
                before.pop(row["area"], None)
            else:
                before[row["area"]] = Decimal(row["old"])
        previous_values: dict[int, Decimal] = {}
        if any(row["old"] is None for row in rows):
            previous = (
                Period.objects.filter(
                    observations__dataset=dataset, start_date__lt=period.start_date
                )
                .order_by("-start_date")
                .first()
            )
            if previous is not None:
                previous_values = period_values(dataset, previous)
        thirds_after = _thirds(after, better)
        thirds_before = _thirds(before, better)
        thirds_previous = _thirds(previous_values, better)
        item = MeasureNews(dataset, period)
        for row in sorted(rows, key=lambda r: areas[r["area"]].short_name):
            area = areas[row["area"]]
            value = Decimal(row["new"])
            revised = row["old"] is not None
            earlier_values = before if revised else previous_values
            earlier = Decimal(row["old"]) if revised else previous_values.get(area.pk)
            earlier_thirds = thirds_before if revised else thirds_previous
            item.revised += revised
            item.new += not revised
            text = (
                f"{area.short_name}'s {label} for {period.code} is {format_value(value, measure)}"
            )
            if revised and earlier is not None:
                text += f", revised from {format_value(earlier, measure)}"
            elif earlier is not None:
                text += f", {format_change(value - earlier, measure)}"
            movement = ""
            now, was = thirds_after.get(area.pk), earlier_thirds.get(area.pk)
            if now and was and now != was:
                movement = f"from {_bare(was)} to {_bare(now)} of councils"
                text += f"; now {now}, was {_bare(was)}"
            elif now and was:
                text += f"; still {now}"
            elif now:
                text += f"; {now}"
            group = similar.get(area.pk, set()) | {area.pk}
            if len(group) > 1:
                now_similar = _thirds({k: v for k, v in after.items() if k in group}, better)
                was_similar = _thirds(
                    {k: v for k, v in earlier_values.items() if k in group}, better
                )
                s_now, s_was = now_similar.get(area.pk), was_similar.get(area.pk)
                if s_now and s_was and s_now != s_was:
                    text += f"; among its ONS similar councils now {s_now}, was {_bare(s_was)}"
                    movement = movement or (
                        f"from {_bare(s_was)} to {_bare(s_now)} of its ONS similar councils"
                    )
            if movement:
                headline = f"{area.short_name} moved {movement} on {label} ({period.code})"
            else:
                headline = f"New figures: {area.short_name}'s {label} for {period.code}"
            item.lines[area.pk] = FigureLine(
                dataset=dataset,
                area=area,
                period=period,
                text=text,
                headline=headline,
                moved=bool(movement),
                figures_url=figures_url(dataset, period, area),
                comparison_url=comparison_url(dataset, area),
            )
        news.append(item)
    return news
