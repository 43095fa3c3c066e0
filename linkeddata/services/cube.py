"""The cube's other resources, read from the tables: slices, the structure and its slice keys, units of
measure and named graphs. RDF is built with the pure builders in ``graphs`` (never read from the store),
so these documents agree with the dataset, area and observation documents and with the downloads."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from rdflib import Graph

from linkeddata.models import Area, Dataset, Observation, Period
from linkeddata.services.graphs import (
    describe,
    measure_graph,
    period_graph,
    slice_graph,
    structure_graph,
    unit_slug,
)
from linkeddata.services.publish import (
    dataset_record,
    measure_record,
    observation_records,
)
from linkeddata.uris import CONTENT_GRAPH, REFERENCE_GRAPH, Uris


def period_slice(dataset: Dataset, period: Period) -> QuerySet[Observation]:
    """Every area's observation for one period, by council name."""
    return (
        Observation.objects.filter(dataset=dataset, period=period)
        .select_related("dataset__measure", "area", "period")
        .order_by("area__short_name", "area__gss_code")
    )


def area_slice(dataset: Dataset, area: Area) -> QuerySet[Observation]:
    """One area's observations for every period, oldest first."""
    return (
        Observation.objects.filter(dataset=dataset, area=area)
        .select_related("dataset__measure", "area", "period")
        .order_by("period__start_date")
    )


def period_slice_graph(uris: Uris, dataset: Dataset, period: Period) -> Graph:
    graph = slice_graph(
        uris,
        dataset.slug,
        measure_record(dataset),
        observation_records(period_slice(dataset, period)),
        uris.period_slice(dataset.slug, period.code),
    )
    graph += period_graph([period.code])
    return graph


def area_slice_graph(uris: Uris, dataset: Dataset, area: Area) -> Graph:
    if not area.gss_code:
        raise ValueError(f"{area.short_name} has no GSS code, so no slice of its figures")
    observations = area_slice(dataset, area)
    graph = slice_graph(
        uris,
        dataset.slug,
        measure_record(dataset),
        observation_records(observations),
        uris.area_slice(dataset.slug, area.gss_code),
    )
    graph += period_graph(observations.values_list("period__code", flat=True))
    return graph


def dataset_structure_graph(uris: Uris, dataset: Dataset) -> Graph:
    return structure_graph(uris, dataset_record(dataset))


def slice_key_graph(uris: Uris, dataset: Dataset, key: str) -> Graph:
    """What the structure says about one slice key (``period-slice`` or ``area-slice``)."""
    uri = (
        uris.period_slice_key(dataset.slug)
        if key == "period-slice"
        else uris.area_slice_key(dataset.slug)
    )
    return describe(dataset_structure_graph(uris, dataset), uri)


def sliced_areas(dataset: Dataset) -> QuerySet[Area]:
    """The areas that have an area slice in the dataset (those with at least one observation)."""
    return Area.objects.filter(observations__dataset=dataset).distinct().order_by("short_name")


def unit_datasets(slug: str) -> list[Dataset]:
    """The datasets whose measure is in the unit ``slug`` (as ``graphs.unit_slug`` mints it)."""
    return [
        d
        for d in Dataset.objects.select_related("measure").order_by("title")
        if unit_slug(d.measure.unit) == slug
    ]


def unit_graph(uris: Uris, slug: str, datasets: list[Dataset]) -> Graph:
    """The unit's labels and the measures given in it, from the measures' own graphs."""
    graph = Graph()
    for dataset in datasets:
        graph += measure_graph(uris, measure_record(dataset))
    return describe(graph, uris.unit(slug))


def named_graph_location(name: str) -> str | None:
    """Where a named graph URI leads: a dataset's graph to its N-Triples dump (exactly that graph's
    triples), the reference graph to the catalogue (it has no single download: its areas, periods and
    DCAT catalogue are served by their own documents). None for a graph the hub does not publish."""
    if name == REFERENCE_GRAPH:
        return reverse("linkeddata:catalogue")
    if name == CONTENT_GRAPH:  # the public content: read it through the SPARQL endpoint
        return reverse("linkeddata:sparql")
    if Dataset.objects.filter(slug=name).exists():
        return reverse("linkeddata:download", args=[name, "nt.gz"])
    return None
