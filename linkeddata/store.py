"""The RDF store behind the SPARQL endpoint: rdflib as the API over a persistent Oxigraph store.

``settings.RDF_STORE_PATH`` holds the Oxigraph (RocksDB) files; one process opens it at a time, so the
store is opened once per process and shared by its threads. With ``settings.SPARQL_ENDPOINT_URL`` set,
queries go to that external SPARQL 1.1 server instead (load it from the N-Triples dumps).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
from django.conf import settings
from oxrdflib import OxigraphStore
from rdflib import Dataset
from rdflib.plugins.stores.sparqlstore import SPARQLStore

_lock = threading.Lock()
_opened: dict[str, ox.Store] = {}


class StoreUnavailable(Exception):
    """The RDF store cannot be opened (for example another process holds it)."""


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
    """An rdflib Dataset over the hub's store; its default graph is the union of the named graphs."""
    if uses_external_endpoint():
        return Dataset(store=SPARQLStore(query_endpoint=settings.SPARQL_ENDPOINT_URL, returnFormat="json"), default_union=True)
    return Dataset(store=OxigraphStore(store=oxigraph_store()), default_union=True)


def dumps_dir() -> Path:
    """Where the bulk downloads are written, beside the store."""
    path = store_path()
    return path.with_name(f"{path.name}-dumps")
