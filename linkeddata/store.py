"""The RDF store behind the SPARQL endpoint: rdflib as the API over a persistent Oxigraph store.

``settings.RDF_STORE_PATH`` holds the Oxigraph (RocksDB) files; one process opens it at a time, so the
store is opened once per process and shared by its threads. With ``settings.SPARQL_ENDPOINT_URL`` set,
queries go to that external SPARQL 1.1 server instead, over the SPARQL 1.1 Protocol; with
``settings.SPARQL_GRAPH_STORE_URL`` set too, publishing replaces its named graphs over the SPARQL 1.1
Graph Store HTTP Protocol, so the external server is kept in step with the tables like the local store.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from io import BytesIO
from pathlib import Path

import pyoxigraph as ox
from django.conf import settings
from oxrdflib import OxigraphStore
from rdflib import Dataset
from rdflib.query import Result

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
    return Path(settings.RDF_STORE_PATH)


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


def uses_external_endpoint() -> bool:
    return bool(getattr(settings, "SPARQL_ENDPOINT_URL", ""))


def rdf_dataset() -> Dataset:
    """An rdflib Dataset over the local store; its default graph is the union of the named graphs."""
    return Dataset(store=OxigraphStore(store=oxigraph_store()), default_union=True)


def external_query(text: str, timeout: float) -> Result:
    """Run a query on ``SPARQL_ENDPOINT_URL`` (SPARQL 1.1 Protocol, POST ``application/sparql-query``).

    Asks for SPARQL JSON results (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE) and reads them into an
    rdflib Result, so the row cap and the formats offered are the same as with the local store.
    """
    request = urllib.request.Request(  # noqa: S310 - the operator's configured SPARQL server
        settings.SPARQL_ENDPOINT_URL,
        data=text.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            media_type = response.headers.get_content_type()
            body = response.read()
    except urllib.error.HTTPError as exc:
        message = exc.read().decode("utf-8", errors="replace").strip()[:2000] or exc.reason
        raise ExternalQueryError(exc.code, message) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreUnavailable(
            f"the SPARQL server at {redact_url(settings.SPARQL_ENDPOINT_URL)} "
            f"cannot be reached: {reason}"
        ) from None
    try:
        return Result.parse(BytesIO(body), content_type=media_type)
    except Exception as exc:  # noqa: BLE001 - any unreadable answer: a server that streams gives up mid-answer
        tail = body[-300:].decode("utf-8", errors="replace").strip()
        raise ExternalQueryError(
            502, f"its answer was cut short or unreadable ({exc.__class__.__name__}): …{tail}"
        ) from None


def graph_store_url() -> str:
    return getattr(settings, "SPARQL_GRAPH_STORE_URL", "")


def put_external_graph(name: str, data: bytes, timeout: float = 300) -> None:
    """Replace one named graph on the external server (Graph Store HTTP Protocol: PUT ``?graph=``)."""
    separator = "&" if "?" in graph_store_url() else "?"
    url = f"{graph_store_url()}{separator}{urllib.parse.urlencode({'graph': name})}"
    request = urllib.request.Request(  # noqa: S310 - the operator's configured graph store
        url, data=data, method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        message = exc.read().decode("utf-8", errors="replace").strip()[:500] or exc.reason
        raise StoreUnavailable(
            f"the graph store at {redact_url(graph_store_url())} refused {name}: "
            f"{exc.code} {message}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreUnavailable(
            f"the graph store at {redact_url(graph_store_url())} cannot be reached: {reason}"
        ) from None


def dumps_dir() -> Path:
    """Where the bulk downloads are written, beside the store."""
    path = store_path()
    return path.with_name(f"{path.name}-dumps")
