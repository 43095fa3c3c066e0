"""Answering SPARQL 1.1 queries read-only, within a time limit and a row cap.

Queries go through rdflib over the local Oxigraph store, or to the external SPARQL server over the
SPARQL 1.1 Protocol (answers read into an rdflib Result, so limits and formats are the same). Each runs in
a small pool of worker threads so the request can give up after ``SPARQL_TIMEOUT_SECONDS``; when every
worker is busy the endpoint answers 503 rather than queueing without bound. Oxigraph cannot cancel a
query, so on the local store a timed-out query finishes in the background; an external Oxigraph server
started with ``--timeout-s`` cancels it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from itertools import islice
from typing import cast

from django.conf import settings
from pyparsing import ParseException
from rdflib import Graph
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Variable

from linkeddata.services.publish import catch_up
from linkeddata.store import (
    ExternalQueryError,
    StoreUnavailable,
    external_query,
    rdf_dataset,
    uses_external_endpoint,
)
from linkeddata.vocab import PREFIXES

WORKERS = 2
SOCKET_GRACE_SECONDS = 5
_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sparql")
_slots = threading.BoundedSemaphore(WORKERS)

RESULT_FORMATS = {  # media type -> (rdflib serializer, short name)
    "application/sparql-results+json": ("json", "json"),
    "application/sparql-results+xml": ("xml", "xml"),
    "text/csv": ("csv", "csv"),
    "text/tab-separated-values": ("tsv", "tsv"),
}
GRAPH_FORMATS = {
    "text/turtle": ("turtle", "turtle"),
    "application/ld+json": ("json-ld", "jsonld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("xml", "rdfxml"),
}
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
}


@dataclass
class SparqlError(Exception):
    status: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Answer:
    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE (CONSTRUCT covers both)
    result: Result


def answer_graph(result: Result) -> Graph:
    """The graph a CONSTRUCT or DESCRIBE result holds."""
    if result.graph is None:
        raise SparqlError(500, f"The store answered a {result.type} query without a graph.")
    return result.graph


def check_no_federation(text: str) -> None:
    """Refuse ``SERVICE``: the engine would fetch any URL it names, from inside the hub's network."""
    if "service" not in text.lower():
        return  # the common case: no parse needed
    try:
        parsed = parseQuery(text)
    except (ParseException, ValueError, TypeError):
        return  # not valid SPARQL: the engine reports the syntax error
    if "ServiceGraphPattern" in repr(parsed):
        raise SparqlError(
            400,
            "Federated queries (SERVICE) are not allowed here: query other endpoints "
            "yourself, or load their data beside the hub's downloads.",
        )


def check_read_only(text: str) -> None:
    """Refuse SPARQL Update: the endpoint never changes the data."""
    try:
        parseUpdate(text)
    except (ParseException, ValueError, TypeError):
        return
    raise SparqlError(
        403,
        "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP …) is refused.",
    )


def _query(text: str, deadline: float) -> Result:
    if uses_external_endpoint():
        try:
            # The hub's own time limit answers the client; the socket's, later, frees this worker.
            return external_query(
                text, timeout=max(deadline - time.monotonic(), 0) + SOCKET_GRACE_SECONDS
            )
        except ExternalQueryError as exc:
            check_read_only(text)
            if exc.status == 400:
                raise SparqlError(400, f"The query is not valid SPARQL: {exc}") from None
            raise SparqlError(
                503, f"The SPARQL server could not answer ({exc.status}): {exc}"
            ) from None
    return rdf_dataset().query(text)


def _execute(text: str, max_rows: int, deadline: float) -> Answer:
    try:
        result = _query(text, deadline)
    except SyntaxError as exc:
        check_read_only(text)
        raise SparqlError(400, f"The query is not valid SPARQL: {exc}") from exc
    except StoreUnavailable as exc:
        raise SparqlError(503, str(exc)) from exc
    except OSError as exc:
        raise SparqlError(503, f"The store could not answer: {exc}") from exc
    if result.type == "SELECT":
        return _capped_select(result, max_rows, deadline)
    if result.type in {"CONSTRUCT", "DESCRIBE"} and len(answer_graph(result)) > max_rows:
        raise SparqlError(
            413,
            f"The query returns more than {max_rows} triples, the endpoint's limit. Narrow it, or use the bulk downloads.",
        )
    return Answer(result.type, result)


def _capped_select(result: Result, max_rows: int, deadline: float) -> Answer:
    """Read at most ``max_rows`` + 1 rows. The store's row iterator is released here, in the worker
    thread that made it (Oxigraph's iterators must not be dropped on another thread)."""
    rows: list[Mapping[Variable, Identifier]] = []
    variables = result.vars or []
    late = False
    select_rows = cast(
        "Iterator[ResultRow]", iter(result)
    )  # a SELECT result iterates over its rows
    for row in islice(select_rows, max_rows + 1):
        rows.append(
            {var: value for var, value in zip(variables, row, strict=True) if value is not None}
        )
        if len(rows) % 1000 == 0 and time.monotonic() > deadline:
            late = True
            break
    pending = getattr(result, "_genbindings", None)  # rdflib keeps the unread rows' generator here
    if pending is not None:
        pending.close()  # release the store's row iterator now, in this thread: it sits in a reference cycle
    if late:
        raise SparqlError(503, "time limit")
    if len(rows) > max_rows:
        raise SparqlError(
            413,
            f"The query returns more than {max_rows} rows, the endpoint's limit. Add a LIMIT, or use the bulk downloads.",
        )
    capped = Result("SELECT")
    capped.vars = variables
    capped.bindings = rows
    return Answer("SELECT", capped)


def run_query(text: str) -> Answer:
    """Run a read-only query; raises SparqlError with the HTTP status and a reason a person can act on."""
    if not text.strip():
        raise SparqlError(
            400,
            "No query given: send it as the 'query' parameter or as an application/sparql-query body.",
        )
    check_no_federation(text)
    catch_up()  # first publish what imports left pending (when this process holds the local store)
    timeout = settings.SPARQL_TIMEOUT_SECONDS
    if not _slots.acquire(blocking=False):
        raise SparqlError(
            503, "The endpoint is busy with other queries; try again in a few seconds."
        )
    future = _executor.submit(_execute, text, settings.SPARQL_MAX_ROWS, time.monotonic() + timeout)
    future.add_done_callback(lambda _future: _slots.release())
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise SparqlError(
            503,
            f"The query did not finish within the {timeout} s time limit. Put the most selective pattern "
            "(a particular area or measure) first, or add a LIMIT.",
        ) from None
    except SparqlError as exc:
        if exc.message == "time limit":
            raise SparqlError(
                503, f"The query did not finish within the {timeout} s time limit."
            ) from None
        raise


def _tsv(answer: Answer) -> bytes:
    """SPARQL 1.1 TSV results: variables in the header, terms in Turtle syntax (rdflib's n3())."""
    variables = answer.result.vars or []
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in answer.result.bindings:
        lines.append("\t".join(row[v].n3() if row.get(v) is not None else "" for v in variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize(answer: Answer, media_type: str) -> bytes:
    if answer.kind in {"SELECT", "ASK"}:
        fmt = RESULT_FORMATS[media_type][0]
        if fmt == "tsv":
            if answer.kind == "ASK":
                raise SparqlError(406, "ASK results have no TSV form; ask for JSON or XML.")
            return _tsv(answer)
        if fmt == "csv" and answer.kind == "ASK":
            raise SparqlError(406, "ASK results have no CSV form; ask for JSON or XML.")
        return answer.result.serialize(format=fmt, encoding="utf-8")  # type: ignore[return-value]  # bytes without a destination
    graph = answer_graph(answer.result)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph.serialize(format=GRAPH_FORMATS[media_type][0], encoding="utf-8")


def offered(answer_kind: str) -> list[str]:
    return list(RESULT_FORMATS if answer_kind in {"SELECT", "ASK"} else GRAPH_FORMATS)


def media_type_for_short_name(name: str, answer_kind: str) -> str | None:
    """The media type for a ``format=`` parameter (json, xml, csv, tsv, turtle, jsonld, nt, rdfxml)."""
    table = RESULT_FORMATS if answer_kind in {"SELECT", "ASK"} else GRAPH_FORMATS
    name = ALIASES.get(name, name)
    for media_type, (_, short) in table.items():
        if name in {short, media_type}:
            return media_type
    if answer_kind not in {"SELECT", "ASK"} and name in {"xml", "json"}:
        return {"xml": "application/rdf+xml", "json": "application/ld+json"}[name]
    return None


EXAMPLES = [
    (
        "One council's recycling rate over time",
        "Selective first: the council's series slice (one area, every period: "
        "/id/slice/{dataset}/area/{GSS}), then its observations.",
        """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?period ?value WHERE {
  <{base}/id/slice/household-recycling-rate/area/E08000035> qb:observation ?obs .
  ?obs <{base}/id/measure/household-recycling-rate> ?value ;
       sdmx-dimension:refPeriod ?p .
  ?p rdfs:label ?period .
} ORDER BY ?period""",
    ),
    (
        "Ranking of councils for one year",
        "Start from the dataset's slice for the year (its observations for that period), then each area's name.",
        """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?area ?name ?value WHERE {
  <{base}/id/slice/greenhouse-gas-emissions-per-person/2023> qb:observation ?obs .
  ?obs <{base}/id/measure/greenhouse-gas-emissions-per-person> ?value ;
       sdmx-dimension:refArea ?area .
  ?area skos:prefLabel ?name .
} ORDER BY ?value LIMIT 20""",
    ),
    (
        "A council against its ONS similar councils, over time",
        "Similar areas come from the ONS similar-authorities rankings. Each similar council's series slice "
        "is named from its code; matching the slice's area checks it and lets the store read only those series.",
        """PREFIX hub: <https://w3id.org/localgov-knowledge-hub/def#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name ?period ?value WHERE {
  <{base}/id/area/E08000035> hub:similarArea ?area .
  ?area skos:notation ?code ; skos:prefLabel ?name .
  BIND(IRI(CONCAT("{base}/id/slice/household-recycling-rate/area/", ?code)) AS ?series)
  ?series sdmx-dimension:refArea ?area ; qb:observation ?obs .
  ?obs <{base}/id/measure/household-recycling-rate> ?value ;
       sdmx-dimension:refPeriod ?p .
  ?p rdfs:label ?period .
} ORDER BY ?code ?period""",
    ),
    (
        "The datasets in the catalogue",
        "DCAT describes each dataset and its downloads.",
        """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?dataset ?title ?licence WHERE {
  ?dataset a dcat:Dataset ; dcterms:title ?title ; dcterms:license ?licence .
}""",
    ),
    (
        "Describe one observation",
        "DESCRIBE returns everything the store says about a resource (as Turtle by default).",
        "DESCRIBE <{base}/id/observation/household-recycling-rate/E08000035/2023-24>",
    ),
]


def examples(base: str) -> list[tuple[str, str, str]]:
    return [(title, note, query.replace("{base}", base)) for title, note, query in EXAMPLES]
