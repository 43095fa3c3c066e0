"""Keeping the RDF store and bulk downloads in step with the relational tables.

Records are read from the database here; graphs are built by the pure functions in ``graphs``;
the store is loaded through Oxigraph's own N-Triples bulk loader (an order of magnitude faster than
adding triples through rdflib).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from django.db import transaction
from django.db.models import Count

from linkeddata.models import Area, Dataset, Period, SimilarArea
from linkeddata.services.graphs import (
    AreaRecord,
    Catalogue,
    DatasetRecord,
    MeasureRecord,
    ObservationRecord,
    area_graph,
    catalogue_graph,
    observations_graph,
    period_graph,
)
from linkeddata.services.imports import Progress
from linkeddata.store import StoreUnavailable, dumps_dir, oxigraph_store, uses_external_endpoint
from linkeddata.uris import Uris

logger = logging.getLogger(__name__)
CHUNK = 5000
REFERENCE_GRAPH = "reference"  # the named graph of areas, periods and the catalogue; datasets' are their slugs
CATALOGUE_TITLE = "Local government benchmarking data"
CATALOGUE_DESCRIPTION = (
    "Council performance measures from official statistics, published as RDF Data Cube datasets "
    "with CSV and N-Triples downloads and a SPARQL endpoint."
)


def measure_record(dataset: Dataset) -> MeasureRecord:
    measure = dataset.measure
    return MeasureRecord(
        slug=measure.slug, label=measure.label, description=measure.description, unit=measure.unit,
        higher_is_better=measure.higher_is_better, source=measure.source,
        source_url=measure.source_url or f"urn:x-source:{measure.slug}", licence_url=measure.licence_url,
    )


def dataset_record(dataset: Dataset, observation_count: int | None = None) -> DatasetRecord:
    if observation_count is None:
        observation_count = dataset.observations.count()
    return DatasetRecord(
        slug=dataset.slug, title=dataset.title, description=dataset.description,
        measure=measure_record(dataset), attribution=dataset.attribution, modified=dataset.modified,
        observation_count=observation_count,
    )


def observation_records(observations) -> Iterator[ObservationRecord]:
    """ObservationRecords for a queryset of observations (read in one query, streamed)."""
    rows = observations.values_list("area__gss_code", "period__code", "value").order_by("area__gss_code", "period__start_date")
    for gss, period, value in rows.iterator(chunk_size=CHUNK):
        yield ObservationRecord(gss, period, value)


def area_records(areas=None) -> list[AreaRecord]:
    areas = list((areas if areas is not None else Area.objects.exclude(gss_code=None)).order_by("gss_code"))
    wanted = {code for area in areas for code in area.successor_codes}
    by_code = dict(Area.objects.filter(code__in=wanted).exclude(gss_code=None).values_list("code", "gss_code"))
    similar: dict[int, list[str]] = {}
    links = SimilarArea.objects.filter(area__in=areas, similarity_type="global").order_by("rank")
    for area_id, gss in links.values_list("area_id", "similar__gss_code"):
        similar.setdefault(area_id, []).append(gss)
    return [
        AreaRecord(
            gss_code=a.gss_code, name=a.name, short_name=a.short_name, authority_type=a.authority_type_name,
            region=a.region, nation=a.nation, is_current=a.is_current, end_date=a.end_date,
            successors=tuple(by_code[c] for c in a.successor_codes if by_code.get(c)),
            similar=tuple(similar.get(a.pk, ())),
        )
        for a in areas
    ]


def catalogue(datasets=None) -> Catalogue:
    datasets = datasets if datasets is not None else Dataset.objects.select_related("measure").annotate(n=Count("observations"))
    return Catalogue(
        title=CATALOGUE_TITLE, description=CATALOGUE_DESCRIPTION,
        datasets=[dataset_record(d, getattr(d, "n", None)) for d in datasets],
    )


def dataset_ntriples(uris: Uris, dataset: Dataset) -> Iterator[bytes]:
    """A dataset's observations as N-Triples, built chunk by chunk with the pure graph builder."""
    measure = measure_record(dataset)
    chunk: list[ObservationRecord] = []
    for record in observation_records(dataset.observations.all()):
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield observations_graph(uris, dataset.slug, measure, chunk).serialize(format="nt", encoding="utf-8")
            chunk = []
    if chunk:
        yield observations_graph(uris, dataset.slug, measure, chunk).serialize(format="nt", encoding="utf-8")


def _replace_graph(name: str, data: bytes) -> None:
    store = oxigraph_store()
    graph = ox.NamedNode(name)
    store.remove_graph(graph)
    store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def csv_bytes(dataset: Dataset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["gss_code", "area_name", "period", "value", "unit"])
    unit = dataset.measure.unit
    rows = dataset.observations.values_list("area__gss_code", "area__short_name", "period__code", "value")
    for gss, name, period, value in rows.order_by("area__gss_code", "period__start_date").iterator(chunk_size=CHUNK):
        writer.writerow([gss, name, period, format(value.normalize(), "f"), unit])
    return out.getvalue().encode("utf-8")


def dump_path(slug: str, extension: str) -> Path:
    return dumps_dir() / f"{slug}.{extension}"


def do_publish_dataset(dataset: Dataset, progress: Progress | None = None) -> int:
    """Rewrite one dataset's named graph and its downloads from the tables; returns bytes of N-Triples."""
    say = progress or (lambda message: None)
    uris = Uris.default()
    say(f"Publishing {dataset.slug}: building the cube …")
    parts = list(dataset_ntriples(uris, dataset))
    data = b"".join(parts)
    triples = data.count(b"\n")
    say(f"  {triples} triples; writing downloads …")
    _write_atomically(dump_path(dataset.slug, "nt.gz"), gzip.compress(data, compresslevel=6))
    _write_atomically(dump_path(dataset.slug, "csv"), csv_bytes(dataset))
    if not uses_external_endpoint():
        say("  loading the RDF store …")
        _replace_graph(str(uris.graph(dataset.slug)), data)
    return len(data)


def do_publish_reference(progress: Progress | None = None) -> None:
    """Rewrite the reference graph: areas, periods, measures and the DCAT/VoID catalogue."""
    say = progress or (lambda message: None)
    uris = Uris.default()
    say("Publishing areas, periods and the catalogue …")
    graph = area_graph(uris, area_records())
    graph += period_graph(Period.objects.values_list("code", flat=True))
    graph += catalogue_graph(uris, catalogue())
    if not uses_external_endpoint():
        _replace_graph(str(uris.graph(REFERENCE_GRAPH)), graph.serialize(format="nt", encoding="utf-8"))


def do_publish_all(progress: Progress | None = None) -> None:
    for dataset in Dataset.objects.select_related("measure"):
        do_publish_dataset(dataset, progress)
    do_publish_reference(progress)


def _publish_or_report(publish, progress: Progress | None) -> None:
    """Publish; if the store is held by another process, say so: the figures are safe in the tables."""
    try:
        publish()
    except StoreUnavailable as exc:
        logger.warning("%s; run `manage.py publish_linked_data` to publish the figures", exc)
        if progress:
            progress(f"{exc}. The figures are saved; run `manage.py publish_linked_data` to publish them.")


def do_publish_all_or_report(progress: Progress | None = None) -> None:
    """After the commit, publish everything (as ``do_publish_all``)."""
    transaction.on_commit(lambda: _publish_or_report(lambda: do_publish_all(progress), progress))


def do_publish_dataset_later(dataset: Dataset, progress: Progress | None = None) -> None:
    """After the import commits, publish the dataset and the catalogue."""

    def publish() -> None:
        do_publish_dataset(dataset, progress)
        do_publish_reference(progress)

    transaction.on_commit(lambda: _publish_or_report(publish, progress))
