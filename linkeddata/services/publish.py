"""Keeping the RDF store and bulk downloads in step with the relational tables.

Records are read from the database here; graphs are built by the pure functions in ``graphs``;
the store is loaded through Oxigraph's own N-Triples bulk loader (an order of magnitude faster than
adding triples through rdflib), or an external server through the Graph Store HTTP Protocol.

An import records what it changed as ``PendingPublication`` rows in its own transaction
(``record_publication``); once it commits, ``do_publish_pending`` rebuilds those graphs and deletes the
rows. If the store is held by another process or the external server is down, the rows stay: the process
holding the local store publishes them before its next SPARQL query, an external server is retried by a
background task with back-off, and ``publish_linked_data`` publishes everything.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone
from rdflib import Graph

from hub.floor.tasks import backoff, enqueue_if_idle, enqueue_later, task_queued
from linkeddata.models import Area, Dataset, Observation, PendingPublication, Period, SimilarArea
from linkeddata.services.content import (
    ContentItem,
    content_summary,
    do_publish_content,
    do_publish_content_items,
)
from linkeddata.services.graphs import (
    AreaRecord,
    Catalogue,
    ContentDatasetRecord,
    DatasetRecord,
    MeasureRecord,
    ObservationRecord,
    area_graph,
    catalogue_graph,
    code_list_graph,
    dataset_graph,
    observations_graph,
)
from linkeddata.services.progress import Progress, reporter
from linkeddata.store import (
    StoreUnavailable,
    dumps_dir,
    oxigraph_store,
    replace_graph,
    store_path,
    uses_external_endpoint,
)
from linkeddata.uris import CONTENT_GRAPH, REFERENCE_GRAPH, Uris
from linkeddata.vocab import OGL_URL, SDMX_DIMENSION

logger = logging.getLogger(__name__)
PUBLISH_TASK = (
    "linkeddata.tasks.publish_pending"  # enqueued by name: tasks import services, never the reverse
)
CHUNK = 5000
CATALOGUE_TITLE = "Local government benchmarking data"
CATALOGUE_DESCRIPTION = (
    "Council performance measures from official statistics, published as RDF Data Cube datasets "
    "with CSV and N-Triples downloads and a SPARQL endpoint."
)
CONTENT_TITLE = "Good practice and communities of local government"
CONTENT_DESCRIPTION = (
    "The hub's public content as linked data: published good-practice case studies (with their "
    "councils, service areas, outcomes, licence and the figures their evidence cites), open "
    "communities of practice and their discussions (SIOC, DCTERMS, SKOS, PROV, schema.org), "
    "linked to the benchmarking data's areas, measures and observations. Only what anyone may read "
    "on the hub is in it; each case study also states its own licence."
)


def content_dataset_record() -> ContentDatasetRecord | None:
    """The public content graph as a catalogue dataset; None while nothing is public."""
    summary = content_summary()
    if summary is None:
        return None
    return ContentDatasetRecord(
        title=CONTENT_TITLE,
        description=CONTENT_DESCRIPTION,
        issued=summary.issued,
        modified=summary.modified,
        licence_url=OGL_URL,
        publisher=settings.SITE_NAME,
    )


def measure_record(dataset: Dataset) -> MeasureRecord:
    measure = dataset.measure
    return MeasureRecord(
        slug=measure.slug,
        label=measure.label,
        description=measure.description,
        unit=measure.unit,
        higher_is_better=measure.higher_is_better,
        source=measure.source,
        source_url=measure.source_url or f"urn:x-source:{measure.slug}",
        licence_url=measure.licence_url,
    )


def _coverage(dataset: Dataset) -> dict:
    return dataset.observations.aggregate(
        n=Count("pk"), first=Min("period__start_date"), last=Max("period__end_date")
    )


def dataset_record(dataset: Dataset, observation_count: int | None = None) -> DatasetRecord:
    """A dataset's record; with annotations ``n``, ``first`` and ``last`` (as ``catalogue`` makes them)
    it needs no further query."""
    if observation_count is None or not hasattr(dataset, "first"):
        coverage = _coverage(dataset)
    else:
        coverage = {
            "n": observation_count,
            "first": getattr(dataset, "first", None),
            "last": getattr(dataset, "last", None),
        }
    return DatasetRecord(
        slug=dataset.slug,
        title=dataset.title,
        description=dataset.description,
        measure=measure_record(dataset),
        attribution=dataset.attribution,
        modified=dataset.modified,
        observation_count=coverage["n"],
        issued=dataset.issued,
        first_day=coverage["first"],
        last_day=coverage["last"],
        publisher=settings.SITE_NAME,
    )


def observation_records(observations: QuerySet[Observation]) -> Iterator[ObservationRecord]:
    """ObservationRecords for a queryset of observations (read in one query, streamed)."""
    rows = observations.values_list("area__gss_code", "period__code", "value").order_by(
        "area__gss_code", "period__start_date"
    )
    for gss, period, value in rows.iterator(chunk_size=CHUNK):
        if gss:  # every imported figure's area has a GSS code
            yield ObservationRecord(gss, period, value)


def area_records(areas: QuerySet[Area] | None = None) -> list[AreaRecord]:
    rows = list(
        (areas if areas is not None else Area.objects.exclude(gss_code=None)).order_by("gss_code")
    )
    wanted = {code for area in rows for code in area.successor_codes}
    by_code = dict(
        Area.objects.filter(code__in=wanted).exclude(gss_code=None).values_list("code", "gss_code")
    )
    similar: dict[int, list[str]] = {}
    links = SimilarArea.objects.filter(area__in=rows, similarity_type="global").order_by("rank")
    for area_id, gss in links.values_list("area_id", "similar__gss_code"):
        if gss:
            similar.setdefault(area_id, []).append(gss)
    return [
        AreaRecord(
            gss_code=a.gss_code,
            name=a.name,
            short_name=a.short_name,
            authority_type=a.authority_type_name,
            region=a.region,
            nation=a.nation,
            is_current=a.is_current,
            end_date=a.end_date,
            successors=tuple(gss for c in a.successor_codes if (gss := by_code.get(c))),
            similar=tuple(similar.get(a.pk, ())),
        )
        for a in rows
        if a.gss_code  # only areas with a GSS code have a URI
    ]


def catalogue(datasets: Iterable[Dataset] | None = None) -> Catalogue:
    datasets = (
        datasets
        if datasets is not None
        else Dataset.objects.select_related("measure").annotate(
            n=Count("observations"),
            first=Min("observations__period__start_date"),
            last=Max("observations__period__end_date"),
        )
    )
    return Catalogue(
        title=CATALOGUE_TITLE,
        description=CATALOGUE_DESCRIPTION,
        datasets=[dataset_record(d, getattr(d, "n", None)) for d in datasets],
        publisher=settings.SITE_NAME,
        licence_url=OGL_URL,
        content=content_dataset_record(),
    )


def dataset_code_lists(uris: Uris, dataset: Dataset) -> Graph:
    """The code-list concepts a dataset's observations use: its areas and its periods."""
    areas = (
        Area.objects.filter(observations__dataset=dataset)
        .exclude(gss_code=None)
        .distinct()
        .order_by("gss_code")
        .values_list("gss_code", "short_name")
    )
    periods = (
        Period.objects.filter(observations__dataset=dataset)
        .distinct()
        .order_by("start_date")
        .values_list("code", flat=True)
    )
    return code_list_graph([(gss, name) for gss, name in areas if gss], list(periods), uris)


def cube_header(uris: Uris, dataset: Dataset) -> bytes:
    """The data set with its description, structure (components, slice keys) and the code-list
    concepts it uses, as N-Triples."""
    header = dataset_graph(uris, dataset_record(dataset)) + dataset_code_lists(uris, dataset)
    return header.serialize(format="nt", encoding="utf-8")


def dataset_ntriples(uris: Uris, dataset: Dataset, *, complete: bool = True) -> Iterator[bytes]:
    """A dataset's complete Data Cube as N-Triples: first ``cube_header``, then its slices and
    observations chunk by chunk. Loaded alone, it satisfies the Data Cube's integrity constraints.

    ``complete=False`` gives the slices and observations only: what the dataset's named graph in the
    store holds, since the reference graph there has the rest (repeated in both, every triple would
    answer twice through the union default graph)."""
    if complete:
        yield cube_header(uris, dataset)
    measure = measure_record(dataset)
    chunk: list[ObservationRecord] = []
    for record in observation_records(dataset.observations.all()):
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield observations_graph(uris, dataset.slug, measure, chunk).serialize(
                format="nt", encoding="utf-8"
            )
            chunk = []
    if chunk:
        yield observations_graph(uris, dataset.slug, measure, chunk).serialize(
            format="nt", encoding="utf-8"
        )


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
    rows = dataset.observations.values_list(
        "area__gss_code", "area__short_name", "period__code", "value"
    )
    for gss, name, period, value in rows.order_by("area__gss_code", "period__start_date").iterator(
        chunk_size=CHUNK
    ):
        writer.writerow([gss, name, period, format(value.normalize(), "f"), unit])
    return out.getvalue().encode("utf-8")


def dump_path(slug: str, extension: str) -> Path:
    return dumps_dir() / f"{slug}.{extension}"


def published_mark() -> Path:
    """A file rewritten whenever the reference graph (areas, periods, catalogue) is published: its
    modification time is when the documents drawn from it last changed."""
    return dumps_dir() / "reference.published"


CSV_COLUMNS = [  # name, datatype, description
    (
        "gss_code",
        {"base": "string", "format": "^[A-Z][0-9]{8}$"},
        "ONS GSS code of the council's area",
    ),
    ("area_name", "string", "Short name of the council"),
    (
        "period",
        {"base": "string", "format": "^[0-9]{4}(/[0-9]{2})?$"},
        "Calendar year (2023) or financial year (2023/24)",
    ),
    ("value", "decimal", "The figure"),
    ("unit", "string", "Unit of measure of the figure"),
]


def csvw_metadata(uris: Uris, dataset: Dataset) -> dict:
    """The CSV download's CSVW metadata (W3C Metadata Vocabulary for Tabular Data): its columns, their
    datatypes, the primary key, and how each row maps onto the Data Cube's URIs."""
    record = dataset_record(dataset)
    measure = uris.measure(record.measure.slug)
    columns: list[dict] = []
    for name, datatype, description in CSV_COLUMNS:
        column: dict = {
            "name": name,
            "titles": name,
            "datatype": datatype,
            "required": True,
            "dc:description": description,
        }
        if name == "gss_code":
            column["propertyUrl"] = str(SDMX_DIMENSION.refArea)
            column["valueUrl"] = f"{uris.base}/id/area/{{gss_code}}"
        elif name == "value":
            column["propertyUrl"] = str(measure)
        columns.append(column)
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "@id": str(uris.csv_metadata(record.slug)),
        "url": str(uris.download(record.slug, "csv")),
        "dc:title": record.title,
        "dc:description": record.description,
        "dc:license": {"@id": record.measure.licence_url},
        "dc:publisher": {"@id": str(uris.publisher()), "schema:name": record.publisher},
        "dc:modified": {"@value": record.modified.date().isoformat(), "@type": "xsd:date"},
        "prov:wasDerivedFrom": [
            {"@id": str(uris.dataset(record.slug))},
            {"@id": record.measure.source_url},
        ],
        "dialect": {
            "header": True,
            "delimiter": ",",
            "encoding": "utf-8",
            "lineTerminators": ["\n"],
        },
        "tableSchema": {"columns": columns, "primaryKey": ["gss_code", "period"]},
    }


def csvw_metadata_bytes(uris: Uris, dataset: Dataset) -> bytes:
    return json.dumps(csvw_metadata(uris, dataset), indent=2, ensure_ascii=False).encode("utf-8")


def do_publish_dataset(dataset: Dataset, progress: Progress | None = None) -> int:
    """Rewrite one dataset's named graph and its downloads from the tables; returns bytes of N-Triples."""
    say = reporter(progress)
    uris = Uris.default()
    say(f"Publishing {dataset.slug}: building the cube …")
    cube = b"".join(dataset_ntriples(uris, dataset, complete=False))
    # chunks repeat the type and structure of a slice they share: each triple once
    cube = b"".join(dict.fromkeys(cube.splitlines(keepends=True)))
    download = b"".join(
        dict.fromkeys((cube_header(uris, dataset) + cube).splitlines(keepends=True))
    )
    triples = download.count(b"\n")
    say(f"  {triples} triples; writing downloads …")
    _write_atomically(dump_path(dataset.slug, "nt.gz"), gzip.compress(download, compresslevel=6))
    _write_atomically(dump_path(dataset.slug, "csv"), csv_bytes(dataset))
    say("  loading the RDF store …")
    replace_graph(str(uris.graph(dataset.slug)), cube)
    return len(download)


def do_publish_reference(progress: Progress | None = None) -> None:
    """Rewrite the reference graph: areas, periods, measures and the DCAT/VoID catalogue."""
    say = reporter(progress)
    uris = Uris.default()
    say("Publishing areas, periods and the catalogue …")
    areas = area_records()
    graph = area_graph(uris, areas)
    graph += code_list_graph(
        [(a.gss_code, a.short_name) for a in areas],
        Period.objects.values_list("code", flat=True),
        uris,
    )
    graph += catalogue_graph(uris, catalogue())
    replace_graph(str(uris.graph(REFERENCE_GRAPH)), graph.serialize(format="nt", encoding="utf-8"))
    _write_atomically(published_mark(), timezone.now().isoformat().encode())


def do_publish_all(progress: Progress | None = None) -> None:
    """Publish every dataset and the reference graph, and clear what was pending."""
    started = timezone.now()
    for dataset in Dataset.objects.select_related("measure"):
        do_publish_dataset(dataset, progress)
    do_publish_content(progress)
    do_publish_reference(progress)
    PendingPublication.objects.filter(requested_at__lte=started).delete()


PublicationListener = Callable[[list[Dataset], bool], None]
_publication_listeners: dict[str, PublicationListener] = {}


def on_publication(name: str, listener: PublicationListener) -> None:
    """Call ``listener(datasets, reference)`` whenever a change is recorded for publication, inside
    that change's transaction (search re-indexes areas and measures this way); ``name`` makes
    registering twice harmless."""
    _publication_listeners[name] = listener


def record_publication(
    *datasets: Dataset, reference: bool = True, progress: Progress | None = None
) -> None:
    """Call inside the transaction that changed the figures: these graphs must be published.

    The catalogue (in the reference graph) counts every dataset's observations, so it comes too.
    Listeners (``on_publication``) hear of it in the same transaction.
    """
    for listener in list(_publication_listeners.values()):
        listener(list(datasets), reference)
    now = timezone.now()
    names = [d.slug for d in datasets] + ([REFERENCE_GRAPH] if reference else [])
    for name in names:
        PendingPublication.objects.update_or_create(graph=name, defaults={"requested_at": now})
    _mark_pending()
    transaction.on_commit(_mark_pending)
    transaction.on_commit(lambda: do_publish_pending_or_later(progress))


def record_content_change(items: Iterable[ContentItem] | None = None) -> None:
    """Call inside the transaction that changed what the public may see (``communities.events``):
    ``items``' triples in the content graph must be replaced after the commit (None: the whole graph
    rebuilt), and stay pending (retried) while the store is unavailable. Inserting only what is public
    now is what withdraws whatever stopped being public."""
    now = timezone.now()
    names = [CONTENT_GRAPH] if items is None else [item.outbox_name for item in items]
    for name in dict.fromkeys(names):
        PendingPublication.objects.update_or_create(graph=name, defaults={"requested_at": now})
    if names:
        _mark_pending()
        transaction.on_commit(_mark_pending)
        transaction.on_commit(do_publish_pending_or_later)


CONTENT_ITEMS_PER_UPDATE = 200  # items replaced by one SPARQL update


@dataclass(frozen=True)
class FigureChange:
    """One figure an import published: new (``old`` is None) or revised (``old`` was published)."""

    dataset_id: int
    area_id: int
    period_id: int
    old: Decimal | None
    new: Decimal


FiguresListener = Callable[[list[FigureChange]], None]
_figures_listeners: dict[str, FiguresListener] = {}


def on_figures_changed(name: str, listener: FiguresListener) -> None:
    """Call ``listener(changes)`` with what an import changed, in the import's transaction, so that it
    can record them with the figures (an outbox) and act on them after the commit (communities tell
    followers this way); ``name`` makes registering twice harmless."""
    _figures_listeners[name] = listener


def record_figure_changes(changes: list[FigureChange]) -> None:
    """Call inside the transaction that wrote ``changes``: listeners hear of them there."""
    if not changes:
        return
    for listener in list(_figures_listeners.values()):
        listener(changes)


@dataclass
class PublishResult:
    published: list[str] = field(default_factory=list)
    error: str = ""
    remaining: int = 0


def do_publish_pending(progress: Progress | None = None) -> PublishResult:
    """Publish every pending graph (datasets first, the catalogue last); stop at the first store failure.

    A row is deleted only if no newer change re-requested it while it was being published.
    """
    result = PublishResult()
    rows = sorted(
        PendingPublication.objects.all(), key=lambda row: (row.graph == REFERENCE_GRAPH, row.pk)
    )  # the whole content graph is a row like a dataset's
    item_rows = [row for row in rows if ContentItem.from_outbox(row.graph) is not None]
    rows = [row for row in rows if ContentItem.from_outbox(row.graph) is None]
    covered: list[PendingPublication] = []
    if any(row.graph == CONTENT_GRAPH for row in rows):
        covered, item_rows = item_rows, []  # a whole rebuild covers every item asked for before it
    datasets = {
        d.slug: d
        for d in Dataset.objects.select_related("measure").filter(slug__in=[r.graph for r in rows])
    }
    batches: list[list[PendingPublication]] = [
        item_rows[start : start + CONTENT_ITEMS_PER_UPDATE]
        for start in range(0, len(item_rows), CONTENT_ITEMS_PER_UPDATE)
    ]
    work: list[list[PendingPublication]] = [*batches, *([row] for row in rows)]
    for batch in work:
        try:
            if not uses_external_endpoint():
                oxigraph_store()  # fail fast, before building the graph, when another process holds it
            graph = batch[0].graph
            if ContentItem.from_outbox(graph) is not None:
                items = [ContentItem.from_outbox(row.graph) for row in batch]
                do_publish_content_items([i for i in items if i is not None], progress)
            elif graph == REFERENCE_GRAPH:
                do_publish_reference(progress)
            elif graph == CONTENT_GRAPH:
                do_publish_content(progress)
            elif graph in datasets:
                do_publish_dataset(datasets[graph], progress)
        except StoreUnavailable as exc:
            result.error = str(exc)
            everything = [*item_rows, *covered, *rows]
            PendingPublication.objects.filter(pk__in=[r.pk for r in everything]).update(
                attempts=F("attempts") + 1, last_error=result.error[:2000]
            )
            break
        published = Q(pk__in=[])
        for row in [*batch, *covered] if graph == CONTENT_GRAPH else batch:
            published |= Q(pk=row.pk, requested_at=row.requested_at)
        PendingPublication.objects.filter(published).delete()
        result.published.extend(row.graph for row in batch)
    result.remaining = PendingPublication.objects.count()
    return result


def do_publish_pending_or_later(progress: Progress | None = None) -> PublishResult:
    """Publish what is pending now; if the store is unavailable, say so and arrange a retry.

    An external server is retried by the background task with back-off. The local store is never
    opened by the task worker (only one process may hold it): the process that holds it (the web
    server) publishes before its next SPARQL query, or ``publish_linked_data`` does.
    """
    result = do_publish_pending(progress)
    if result.error:
        logger.warning("linked data not published yet (%s); it stays pending", result.error)
        if progress:
            when = (
                "the task worker retries it"
                if uses_external_endpoint()
                else "the web server publishes it before its next SPARQL query"
            )
            progress(
                f"{result.error}. The figures are saved and their publication is pending: {when}, "
                "or run `manage.py publish_linked_data --pending`."
            )
        if uses_external_endpoint():
            attempts = (
                PendingPublication.objects.order_by("-attempts")
                .values_list("attempts", flat=True)
                .first()
                or 1
            )
            enqueue_later(PUBLISH_TASK, backoff(attempts).total_seconds())
    return result


def drive_overdue() -> bool:
    """Enqueue the publication task if graphs are pending for the external server and no retry of it
    is queued, waiting or running; returns whether it enqueued.

    The task worker's sweep calls this every few seconds, so publication resumes even when the chain
    of retries broke (a worker died, or the task failed). The back-off since the last attempt is kept.
    """
    if not uses_external_endpoint():
        return False
    rows = PendingPublication.objects.order_by("-attempts").values_list("attempts", flat=True)
    attempts = rows.first()
    if attempts is None or task_queued(PUBLISH_TASK) or _retry_scheduled():
        return False
    if attempts and _last_attempt_within(backoff(attempts)):
        return False
    return enqueue_if_idle(PUBLISH_TASK)


def _retry_scheduled() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=PUBLISH_TASK, status="READY").exists()


def _last_attempt_within(delay: timedelta) -> bool:
    from django_tasks_db.models import DBTaskResult

    last = (
        DBTaskResult.objects.filter(task_path=PUBLISH_TASK, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return last is not None and timezone.now() - last < delay


_catching_up = threading.Lock()
_caught_up: dict[
    str, tuple[str, float]
] = {}  # mark path -> (the mark, when) when nothing was pending
CATCH_UP_RECHECK_SECONDS = 60


def pending_mark() -> Path:
    """A file beside the local store, rewritten with a new token whenever a publication is recorded, by
    whichever process records it: a process that holds the store reads it (a few microseconds) instead of
    asking the database whether anything is pending before every SPARQL query."""
    path = store_path()
    return path.with_name(f"{path.name}-pending")


def _mark_pending() -> None:
    """Write a new token to the pending mark (atomically). Called in the recording transaction and again
    after its commit: a reader that checked the database between the two sees the second token."""
    mark = pending_mark()
    mark.parent.mkdir(parents=True, exist_ok=True)
    written = mark.with_name(f".{mark.name}.{os.getpid()}.{threading.get_ident()}")
    written.write_text(uuid.uuid4().hex)
    os.replace(written, mark)


def _read_mark() -> str:
    try:
        return pending_mark().read_text()
    except FileNotFoundError:
        return ""


def catch_up() -> None:
    """Before serving from the local store or the downloads, publish anything still pending (one thread at
    a time). The database is asked only when the pending mark changed since it last said nothing was
    pending, or a minute went by (a backstop for rows written by other means); otherwise this costs one
    small file read. An external server is kept in step by the task worker."""
    if uses_external_endpoint():
        return
    key = str(pending_mark())
    token = _read_mark()  # read before the database: a later mark means a later check
    now = time.monotonic()
    seen = _caught_up.get(key)
    if seen is not None and seen[0] == token and now - seen[1] < CATCH_UP_RECHECK_SECONDS:
        return
    if PendingPublication.objects.exists():
        with _catching_up:
            if do_publish_pending().remaining:
                return  # still pending (the store is busy): asked again next time
    _caught_up[key] = (token, now)


def publication_status() -> dict:
    """How much is waiting to be published, for /healthz (the errors, which name paths, are not public:
    ``publish_linked_data --pending`` says them)."""
    pending = PendingPublication.objects.order_by("requested_at")
    oldest = pending.values_list("requested_at", flat=True).first()
    return {
        "pending": pending.count(),
        "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }
