"""The RDF store behind the SPARQL endpoint: rdflib as the API over a persistent Oxigraph store.

``settings.RDF_STORE_PATH`` holds the Oxigraph (RocksDB) files; one process opens it at a time, so the
store is opened once per process and shared by its threads. With ``settings.SPARQL_ENDPOINT_URL`` set,
queries go to that external SPARQL 1.1 server instead, over the SPARQL 1.1 Protocol; with
``settings.SPARQL_GRAPH_STORE_URL`` set too, publishing replaces its named graphs over the SPARQL 1.1
Graph Store HTTP Protocol, so the external server is kept in step with the tables like the local store.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import urllib3
from django.conf import settings
from oxrdflib import OxigraphStore
from rdflib import Dataset

from hub.floor.config import redact_url

_lock = threading.Lock()
_opened: dict[str, ox.Store] = {}


class StoreUnavailable(Exception):
    """The RDF store cannot be opened (another process holds it) or the external server cannot be reached."""


class ExternalQueryError(Exception):
    """The external SPARQL server refused a query (``status`` is its HTTP status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def store_path() -> Path:
    path = settings.RDF_STORE_PATH
    return path if isinstance(path, Path) else Path(path)  # read per query: no copy when a Path


def oxigraph_store() -> ox.Store:
    """The process's Oxigraph store at ``RDF_STORE_PATH`` (opened on first use)."""
    key = str(store_path())
    with _lock:
        store = _opened.get(key)
        if store is None:
            store_path().mkdir(parents=True, exist_ok=True)
            try:
                store = ox.Store(key)
            except OSError as exc:
                raise StoreUnavailable(f"cannot open the RDF store at {key}: {exc}") from exc
            _opened.clear()  # one store per process: settings changed (tests) or first use
            _opened[key] = store
        return store


def snapshots_dir() -> Path:
    """Where the read-only snapshots the SPARQL engine processes query are kept, beside the store."""
    path = store_path()
    return path.with_name(f"{path.name}-snapshots")


_snapshot_of: dict[str, tuple] = {}  # store -> its signature when the newest snapshot was taken
_latest: dict[str, Path | None] = {}  # store -> that snapshot
SNAPSHOTS_KEPT = 3


# store -> its folder's mtime when listed, its data files then and the names of the files that grow
_listed: dict[str, tuple[int, tuple, tuple[str, ...]]] = {}
SETTLED_NS = 1_000_000_000  # a folder last changed this long ago has no change pending in its mtime


def _signature(path: Path) -> tuple:
    """What changes on disk when the store changes: its data files, manifest and write-ahead log.

    Data files never change once written, and adding or removing one changes the folder's mtime; the
    log and manifest grow in place. So once the folder's mtime is settled (older than a second: the
    clock it is stamped with is coarse), its listing is kept and only the growing files are measured
    again while the mtime stays. The store's background compaction may delete a file between listing
    and reading its size: such a file is no longer part of the store, so it is left out."""
    key = str(path)
    mtime = os.stat(key).st_mtime_ns
    listed = _listed.get(key)
    if listed is not None and listed[0] == mtime:
        growing = []
        try:
            for name in listed[2]:
                growing.append((name, os.stat(os.path.join(key, name)).st_size))
        except FileNotFoundError:
            pass  # the folder changed meanwhile: listed again below
        else:
            return (mtime, *sorted([*listed[1], *growing]))
    fixed, found = [], []
    with os.scandir(key) as entries:
        for entry in entries:
            if entry.name.endswith((".sst", ".log")) or entry.name.startswith(
                ("MANIFEST", "CURRENT")
            ):
                try:
                    entry_size = (entry.name, entry.stat().st_size)
                except FileNotFoundError:
                    continue
                found.append(entry_size)
                if entry.name.endswith(".sst"):
                    fixed.append(entry_size)
    if time.time_ns() - mtime > SETTLED_NS and os.stat(key).st_mtime_ns == mtime:
        names = tuple(name for name, _ in found if not name.endswith(".sst"))
        _listed[key] = (mtime, tuple(fixed), names)
    return (mtime, *sorted(found))


def query_snapshot() -> Path | None:
    """The newest read-only snapshot of the local store, made now if the store changed since the last.

    The engine processes never open the live store (Oxigraph lets one process write it, and reading it
    while it is written is undefined): the process holding it takes a checkpoint (hard links, cheap) after
    each change, and engines open the newest. A process that cannot open the store (another holds it)
    uses the newest snapshot there is. None: nothing was ever published.
    """
    try:
        store = oxigraph_store()
    except StoreUnavailable:
        store = None
    folder = snapshots_dir()
    if store is not None:
        path = store_path()
        key = str(path)
        with _lock:
            signature = _signature(path)
            latest = _latest.get(key)
            if latest is not None and _snapshot_of.get(key) == signature and latest.is_dir():
                return latest  # unchanged since this process last looked: no listing
            newest = _newest(folder)
            if newest is None or _snapshot_of.get(key) != signature:
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / f"{time.time_ns():020d}"
                store.flush()
                store.backup(str(target))
                _snapshot_of[key] = _signature(path)
                for old in sorted(folder.iterdir())[:-SNAPSHOTS_KEPT]:
                    shutil.rmtree(old, ignore_errors=True)
                newest = _newest(folder)
            _latest[key] = newest
            return newest
    return _newest(folder)


def _newest(folder: Path) -> Path | None:
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    except FileNotFoundError:
        return None
    return folder / names[-1] if names else None


def uses_external_endpoint() -> bool:
    return bool(getattr(settings, "SPARQL_ENDPOINT_URL", ""))


def rdf_dataset() -> Dataset:
    """An rdflib Dataset over the local store; its default graph is the union of the named graphs."""
    return Dataset(store=OxigraphStore(store=oxigraph_store()), default_union=True)


class AnswerTooLarge(Exception):
    """The external server's answer is larger than the hub reads."""


_http_lock = threading.Lock()
_http: dict[tuple[int, int], urllib3.PoolManager] = {}


def http_pool(size: int) -> urllib3.PoolManager:
    """The process's keep-alive connections to the SPARQL server: at most ``size``, reused across queries
    (a new pool after a fork, so no connection is shared between processes)."""
    key = (os.getpid(), size)
    with _http_lock:
        pool = _http.get(key)
        if pool is None:
            _http.clear()
            pool = _http[key] = urllib3.PoolManager(num_pools=2, maxsize=size, block=False)
        return pool


@dataclass(frozen=True)
class ExternalAnswer:
    media_type: str
    body: bytes


def external_query(
    text: str,
    timeout: float,
    max_bytes: int | None = None,
    *,
    dataset: tuple[tuple[str, str], ...] = (),
    accept: str = "application/sparql-results+json, application/n-triples;q=0.9",
    connections: int = 4,
) -> ExternalAnswer:
    """Run a query on ``SPARQL_ENDPOINT_URL`` (SPARQL 1.1 Protocol, POST ``application/sparql-query``).

    ``dataset`` holds the protocol's ``default-graph-uri`` / ``named-graph-uri`` parameters, sent on the
    URL. The answer is read in pieces over a kept-alive connection, and no more than ``max_bytes`` of it
    (``AnswerTooLarge`` past that), within ``timeout`` seconds in all.
    """
    deadline = time.monotonic() + timeout
    url = settings.SPARQL_ENDPOINT_URL
    if dataset:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(dataset)
    try:
        response = http_pool(connections).request(
            "POST",
            url,
            body=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
            timeout=urllib3.Timeout(connect=min(timeout, 5), read=timeout),
            retries=False,
            preload_content=False,
        )
    except urllib3.exceptions.ConnectTimeoutError as exc:  # includes a refused connection
        raise StoreUnavailable(
            f"the SPARQL server at {redact_url(settings.SPARQL_ENDPOINT_URL)} cannot be reached: {exc}"
        ) from None
    except urllib3.exceptions.TimeoutError:
        raise TimeoutError(f"the SPARQL server did not answer within {timeout} s") from None
    except urllib3.exceptions.HTTPError as exc:
        raise StoreUnavailable(
            f"the SPARQL server at {redact_url(settings.SPARQL_ENDPOINT_URL)} cannot be reached: {exc}"
        ) from None
    complete = False
    try:
        if response.status >= 400:
            message = response.read(2000).decode("utf-8", errors="replace").strip()
            raise ExternalQueryError(response.status, message or str(response.reason))
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = _read_capped(response, deadline, max_bytes)
        complete = True
    except urllib3.exceptions.TimeoutError:
        raise TimeoutError(f"the SPARQL server did not answer within {timeout} s") from None
    except urllib3.exceptions.HTTPError as exc:
        raise ExternalQueryError(502, f"its answer was cut short: {exc}") from None
    finally:
        if not complete:
            response.close()  # unread bytes are left on it: the connection is not reused
        response.release_conn()
    return ExternalAnswer(media_type, body)


def _read_capped(
    response: urllib3.BaseHTTPResponse, deadline: float, max_bytes: int | None
) -> bytes:
    parts: list[bytes] = []
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise AnswerTooLarge(f"the answer is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took too long to arrive")
        parts.append(chunk)
    return b"".join(parts)


def graph_store_url() -> str:
    return getattr(settings, "SPARQL_GRAPH_STORE_URL", "")


def put_external_graph(name: str, data: bytes, timeout: float = 300) -> None:
    """Replace one named graph on the external server (Graph Store HTTP Protocol: PUT ``?graph=``)."""
    separator = "&" if "?" in graph_store_url() else "?"
    url = f"{graph_store_url()}{separator}{urllib.parse.urlencode({'graph': name})}"
    request = urllib.request.Request(  # noqa: S310 - the operator's configured graph store
        url, data=data, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    _send_external(request, timeout, f"the graph store at {redact_url(graph_store_url())}", name)


def replace_graph(name: str, data: bytes) -> None:
    """Replace one named graph (N-Triples ``data``) in the store: the local one, or the external
    server's graph store (with none configured, a server loaded by other means: see the README)."""
    if uses_external_endpoint():
        if graph_store_url():
            put_external_graph(name, data)
        return
    store = oxigraph_store()
    graph = ox.NamedNode(name)
    store.remove_graph(graph)
    store.bulk_load(data, ox.RdfFormat.N_TRIPLES, to_graph=graph)
    store.flush()


def update_url() -> str:
    return getattr(settings, "SPARQL_UPDATE_URL", "")


def update_graphs(update: str, timeout: float = 300) -> None:
    """Run a SPARQL 1.1 update on the local store, or on the external server's update endpoint
    (``SPARQL_UPDATE_URL``; with none, nothing is sent: the caller replaces whole graphs instead)."""
    if uses_external_endpoint():
        if update_url():
            _post_external_update(update, timeout)
        return
    store = oxigraph_store()
    store.update(update)
    store.flush()


def _post_external_update(update: str, timeout: float) -> None:
    request = urllib.request.Request(  # noqa: S310 - the operator's configured update endpoint
        update_url(),
        data=update.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/sparql-update; charset=utf-8"},
    )
    _send_external(
        request, timeout, f"the SPARQL update endpoint at {redact_url(update_url())}", "an update"
    )


def _send_external(request: urllib.request.Request, timeout: float, server: str, what: str) -> None:
    """Send ``request`` to the external server, raising ``StoreUnavailable`` with the server's own
    reason when it refuses ``what`` or cannot be reached."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        message = exc.read().decode("utf-8", errors="replace").strip()[:500] or exc.reason
        raise StoreUnavailable(f"{server} refused {what}: {exc.code} {message}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreUnavailable(f"{server} cannot be reached: {reason}") from None


def dumps_dir() -> Path:
    """Where the bulk downloads are written, beside the store."""
    path = store_path()
    return path.with_name(f"{path.name}-dumps")
