"""Keeping the index in step with the database without losing an update.

1. A change writes an ``OutboxEntry`` in the same transaction (``record_change``, called by the
   signal handlers in ``search.signals``) and, once committed, enqueues the indexing task (by
   name, once per transaction however many changes it made).
2. The task (``do_index_pending``) locks a batch of due entries, reads the objects' *current*
   state, bulk-writes them and deletes the entries. If Elasticsearch cannot be reached the
   entries stay, with a back-off, and the task schedules itself again; per-document errors are
   retried and, after ``MAX_ATTEMPTS``, recorded as failed (``search_status`` lists them).
3. Every write carries an external version (microseconds when the state was read), so an older
   state never overwrites a newer one, whichever writer arrives last (the rebuild or the task).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from hub.floor.tasks import (
    backoff,
    enqueue,
    enqueue_if_idle,
    enqueue_later,
    enqueue_once_on_commit,
)
from search.client import SEARCH_ERRORS, get_client, is_enabled
from search.documents import DOC_TYPES, iter_sources
from search.indexes import write_targets
from search.models import OutboxEntry

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# While the cluster is unreachable an entry is retried at least this often (one refused connection
# each time), so the outbox drains within seconds of the cluster's return however long it was away.
UNREACHABLE_RETRY = timedelta(seconds=10)
INDEX_TASK = (
    "search.tasks.index_pending"  # enqueued by name: tasks import services, never the reverse
)
BULK_TIMEOUT_SECONDS = (
    120  # a bulk request is bigger than a search: allow it longer than ELASTICSEARCH_TIMEOUT
)


def record_change(doc_type: str, pks: Iterable[int]) -> None:
    """Note that these documents changed. Call inside the transaction that changed them."""
    if not is_enabled():
        return
    pks = {int(pk) for pk in pks if pk is not None}
    if not pks:
        return
    OutboxEntry.objects.bulk_create([OutboxEntry(doc_type=doc_type, object_id=pk) for pk in pks])
    enqueue_once_on_commit(INDEX_TASK)  # once per transaction, however many changes it makes


def schedule_indexing(delay_seconds: float = 0) -> None:
    """Enqueue the indexing task (after ``delay_seconds`` where the task backend can defer)."""
    if delay_seconds:
        enqueue_later(INDEX_TASK, delay_seconds)  # one scheduled retry, however many changes failed
    else:
        enqueue(INDEX_TASK)


def drive_overdue() -> bool:
    """Enqueue the indexing task if an entry's back-off has expired and the task is not already queued.

    The task worker's sweep calls this every few seconds, so an entry waiting out a back-off is
    retried when it expires rather than when the next change comes along. Returns whether it enqueued.
    """
    if not is_enabled():
        return False
    due = OutboxEntry.objects.filter(failed_at__isnull=True, next_attempt_at__lte=timezone.now())
    return due.exists() and enqueue_if_idle(INDEX_TASK)


def now_version() -> int:
    """An external document version: microseconds now, read *before* the database is read."""
    return time.time_ns() // 1000


def bulk_write(
    targets: Sequence[str],
    docs: Sequence[tuple[str, dict | None]],
    version: int,
    *,
    searchable: bool = False,
) -> dict[str, str]:
    """Write (doc id, source or None to delete) to every target; returns doc id → error.
    ``searchable``: answer only once the written documents are found by searches (a refresh)."""
    operations: list[dict[str, Any]] = []
    for index in targets:
        for doc_id, source in docs:
            meta = {
                "_index": index,
                "_id": doc_id,
                "version": version,
                "version_type": "external_gte",
            }
            if source is None:
                operations.append({"delete": meta})
            else:
                operations.append({"index": meta})
                operations.append(source)
    if not operations:
        return {}
    response = (
        get_client()
        .options(request_timeout=BULK_TIMEOUT_SECONDS)
        .bulk(
            operations=operations,
            filter_path="errors,items.*._id,items.*.status,items.*.error",
            refresh=searchable,
        )
    )
    errors: dict[str, str] = {}
    if response.get("errors"):
        for item in response["items"]:
            ((action, result),) = item.items()
            status = result.get("status", 200)
            # 409: a newer state is already there; 404: deleting what is not indexed
            if status >= 300 and status not in (409, 404):
                errors[result["_id"]] = str(result.get("error", status))[:500]
    return errors


@dataclass
class DrainResult:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    unreachable: bool = False
    errors: list[str] = field(default_factory=list)


def do_index_pending(batch_size: int = 500, *, include_backoff: bool = False) -> DrainResult:
    """Index every due outbox entry, batch by batch, until none is left or Elasticsearch fails.

    ``include_backoff`` also takes entries still waiting out a back-off (``search_drain --now``).
    """
    result = DrainResult()
    if not is_enabled():
        return result
    while True:
        with transaction.atomic():
            due = OutboxEntry.objects.filter(failed_at__isnull=True)
            if not include_backoff:
                due = due.filter(next_attempt_at__lte=timezone.now())
            rows = list(due.select_for_update(skip_locked=True).order_by("pk")[:batch_size])
            if not rows:
                return result
            wanted: dict[str, set[int]] = defaultdict(set)
            for row in rows:
                wanted[row.doc_type].add(row.object_id)
            version = now_version()
            docs: list[tuple[str, dict | None]] = []
            for name, pks in wanted.items():
                doc_type = DOC_TYPES.get(name)
                if doc_type is None:
                    continue
                docs.extend(
                    (doc_type.doc_id(pk), source)
                    for pk, source in iter_sources(doc_type, sorted(pks))
                )
            try:
                # searchable before the entries go: an empty outbox means searches find every
                # committed change (``index_is_current``, on which kept search answers rely)
                errors = bulk_write(write_targets(), docs, version, searchable=True)
            except SEARCH_ERRORS as exc:
                logger.warning("search index update postponed: %s", exc)
                _postpone(rows, f"{exc.__class__.__name__}: {exc}"[:500], exhaust=False)
                result.unreachable = True
                result.errors.append(str(exc))
                break
            failed_rows: dict[str, OutboxEntry] = {}  # one entry kept per failed document
            for row in rows:
                key = f"{row.doc_type}-{row.object_id}"
                if key in errors and key not in failed_rows:
                    failed_rows[key] = row
            for key, message in errors.items():
                logger.error("search could not index %s: %s", key, message)
            if failed_rows:
                _postpone(list(failed_rows.values()), "", exhaust=True, messages=errors)
            kept = {r.pk for r in failed_rows.values()}
            OutboxEntry.objects.filter(pk__in=[r.pk for r in rows if r.pk not in kept]).delete()
            result.failed += len(failed_rows)
            result.indexed += sum(1 for _, s in docs if s is not None)
            result.deleted += sum(1 for _, s in docs if s is None)
    if result.unreachable:
        schedule_indexing(delay_seconds=backoff(1).total_seconds())
    return result


def _postpone(
    rows: list[OutboxEntry], error: str, *, exhaust: bool, messages: dict[str, str] | None = None
) -> None:
    now = timezone.now()
    for row in rows:
        row.attempts += 1
        row.last_error = (messages or {}).get(f"{row.doc_type}-{row.object_id}", error)
        wait = backoff(row.attempts)
        if not exhaust:  # Elasticsearch unreachable: try again soon, so entries follow its return
            wait = min(wait, UNREACHABLE_RETRY)
        row.next_attempt_at = now + wait
        if exhaust and row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
    OutboxEntry.objects.bulk_update(
        rows, ["attempts", "last_error", "next_attempt_at", "failed_at"]
    )


@dataclass
class RebuildResult:
    index: str
    documents: int
    seconds: float
    replaced: list[str]
    read_seconds: float = 0.0  # reading the database and building documents
    write_seconds: float = (
        0.0  # waiting for Elasticsearch (it indexes one chunk while the next is read)
    )
    merge_seconds: float = 0.0  # making the new index searchable and merging its segments


def do_rebuild(chunk_size: int = 1000, out: TextIO | None = None) -> RebuildResult:
    """Build a new versioned index from the database and swap the alias to it atomically.

    Updates made meanwhile are written by the indexing task to both the live index and the new one
    (through the building alias), and external versions stop the rebuild's older reads from
    overwriting them, so nothing written during a rebuild is lost.
    """
    from search.indexes import create_building_index, drop_indexes, finish_building, swap_alias
    from search.progress import Progress

    started = time.monotonic()
    index = create_building_index()
    totals = {name: t.indexable_queryset().count() for name, t in DOC_TYPES.items()}
    progress = Progress("indexing", sum(totals.values()), out=out)
    written, read_seconds, write_seconds = 0, 0.0, 0.0
    pending: tuple[Future[dict[str, str]], int, int] | None = (
        None  # the chunk being written while the next is read
    )

    def wait_for_write(chunk: tuple[Future[dict[str, str]], int, int]) -> None:
        nonlocal written, write_seconds
        future, sent, read = chunk
        t0 = time.monotonic()
        errors = future.result()
        write_seconds += time.monotonic() - t0
        if errors:
            logger.error(
                "rebuild could not index %d documents, e.g. %s",
                len(errors),
                next(iter(errors.items())),
            )
        written += sent - len(errors)
        progress.advance(read)

    # One writer thread: the database is read while Elasticsearch indexes the previous chunk.
    with ThreadPoolExecutor(max_workers=1) as writer:
        for doc_type in DOC_TYPES.values():
            last = 0
            while True:
                version = now_version()
                t0 = time.monotonic()
                objects = list(
                    doc_type.indexable_queryset().filter(pk__gt=last).order_by("pk")[:chunk_size]
                )
                if not objects:
                    break
                last = objects[-1].pk
                docs = [
                    (doc_type.doc_id(o.pk), s)
                    for o in objects
                    if (s := doc_type.source(o)) is not None
                ]
                read_seconds += time.monotonic() - t0
                if pending is not None:
                    wait_for_write(pending)
                pending = (
                    writer.submit(bulk_write, [index], docs, version),
                    len(docs),
                    len(objects),
                )
        if pending is not None:
            wait_for_write(pending)
    merging = time.monotonic()
    finish_building(index)
    merge_seconds = time.monotonic() - merging
    replaced = swap_alias(index)
    drop_indexes(replaced)
    do_index_pending()
    return RebuildResult(
        index,
        written,
        time.monotonic() - started,
        replaced,
        read_seconds,
        write_seconds,
        merge_seconds,
    )


def index_is_current() -> bool:
    """Whether searches find every committed change: no outbox entry is waiting (the indexing task
    deletes entries only once their documents are searchable). One that failed for good is left out:
    it waits for an operator, and nothing a search keeps would bring it back sooner."""
    return not OutboxEntry.objects.filter(failed_at__isnull=True).exists()


def outbox_status() -> dict[str, Any]:
    """How much the index is behind, for /healthz: entries waiting (and the oldest's age), and failed ones."""
    pending = OutboxEntry.objects.filter(failed_at__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "pending": pending.count(),
        "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
        "failed": OutboxEntry.objects.filter(failed_at__isnull=False).count(),
    }


def status_report() -> dict[str, Any]:
    """Index name, documents per type against the database, and the outbox backlog."""
    from django.db.models import Min

    from search.client import alias_name
    from search.indexes import indexes_behind

    pending = OutboxEntry.objects.filter(failed_at__isnull=True)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    report: dict[str, Any] = {
        "alias": alias_name(),
        "indexes": [],
        "counts": {},
        "reachable": False,
        "backlog": pending.count(),
        "failed": OutboxEntry.objects.filter(failed_at__isnull=False).count(),
        "oldest_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0,
    }
    indexed: dict[str, int] = {}
    if is_enabled():
        try:
            report["indexes"] = indexes_behind(alias_name())
            if report["indexes"]:
                response = get_client().search(
                    index=alias_name(),
                    size=0,
                    aggs={"types": {"terms": {"field": "doc_type", "size": len(DOC_TYPES)}}},
                )
                indexed = {
                    b["key"]: b["doc_count"] for b in response["aggregations"]["types"]["buckets"]
                }
            report["reachable"] = True
        except SEARCH_ERRORS as exc:
            report["error"] = str(exc)
    for name, doc_type in DOC_TYPES.items():
        report["counts"][name] = {
            "database": doc_type.indexable_queryset().count(),
            "index": indexed.get(name, 0),
        }
    return report
