"""Answering SPARQL queries read-only, within limits no query can break out of.

Before anything parses it, a query is measured (``query_checks``: length, nesting, terms) and refused if
it federates (``SERVICE``). Each client may run ``SPARQL_CLIENT_CONCURRENCY`` queries at once, counted
across the web processes (``client_slots``). On the local store the query then runs in an engine process
(``linkeddata.engine``): read-only, without network, under a memory ceiling, killed at
``SPARQL_TIMEOUT_SECONDS``, its rows, triples and values counted as they are produced. With
``SPARQL_ENDPOINT_URL`` set the same checks run before the query is sent; the answer is read within the
time limit and a size cap, and the server stops the work itself (``oxigraph serve --timeout-s``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import cast

from django.conf import settings
from pyparsing import ParseException
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node, Variable

from linkeddata import engine
from linkeddata.client_slots import ClientBusy, client_slot
from linkeddata.services.publish import catch_up
from linkeddata.services.query_checks import (
    QueryLimits,
    QueryRefused,
    check_no_federation,
    check_query_shape,
)
from linkeddata.store import (
    AnswerTooLarge,
    ExternalQueryError,
    StoreUnavailable,
    external_query,
    query_snapshot,
    uses_external_endpoint,
)
from linkeddata.vocab import PREFIXES

_external_slots: dict[int, threading.BoundedSemaphore] = {}
_external_lock = threading.Lock()

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


def limits() -> QueryLimits:
    return QueryLimits(
        max_bytes=settings.SPARQL_MAX_QUERY_BYTES,
        max_depth=settings.SPARQL_MAX_QUERY_DEPTH,
        max_terms=settings.SPARQL_MAX_QUERY_TERMS,
    )


def _time_limit_error(timeout: int) -> SparqlError:
    return SparqlError(
        503,
        f"The query did not finish within the {timeout} s time limit. Put the most selective pattern "
        "(a particular area or measure) first, or add a LIMIT.",
    )


def _external(text: str, timeout: int, max_rows: int) -> Answer:
    """Ask the external server (the hub's limits on what it sends and reads; the server's on the work)."""
    size = settings.SPARQL_ENGINE_PROCESSES
    with _external_lock:
        slots = _external_slots.setdefault(size, threading.BoundedSemaphore(size))
    if not slots.acquire(blocking=False):
        raise SparqlError(
            503, "The endpoint is busy with other queries; try again in a few seconds."
        )
    deadline = time.monotonic() + timeout
    try:
        result = external_query(text, timeout=timeout, max_bytes=settings.SPARQL_MAX_ANSWER_BYTES)
    except ExternalQueryError as exc:
        check_read_only(text)
        if exc.status == 400:
            raise SparqlError(400, f"The query is not valid SPARQL: {exc}") from None
        raise SparqlError(
            503, f"The SPARQL server could not answer ({exc.status}): {exc}"
        ) from None
    except TimeoutError:
        raise _time_limit_error(timeout) from None
    except AnswerTooLarge:
        raise SparqlError(
            413,
            f"The answer is larger than {settings.SPARQL_MAX_ANSWER_BYTES} bytes, this endpoint's "
            "limit (SPARQL_MAX_ANSWER_BYTES). Add a LIMIT, or use the bulk downloads.",
        ) from None
    except StoreUnavailable as exc:
        raise SparqlError(503, str(exc)) from exc
    finally:
        slots.release()
    if result.type == "SELECT":
        answer = _capped_select(result, max_rows, deadline)
    elif result.type in {"CONSTRUCT", "DESCRIBE"} and len(answer_graph(result)) > max_rows:
        raise SparqlError(
            413,
            f"The query returns more than {max_rows} triples, the endpoint's limit. Narrow it, or use the bulk downloads.",
        )
    else:
        answer = Answer(result.type, result)
    _check_values(answer)
    return answer


def _check_values(answer: Answer) -> None:
    """The value cap, for answers read from the external server (the engine checks its own)."""
    limit = settings.SPARQL_MAX_VALUE_BYTES
    if answer.kind == "SELECT":
        values: Iterator[Node] = (v for row in answer.result.bindings for v in row.values())
    elif answer.kind == "ASK":
        return
    else:
        values = (term for triple in answer_graph(answer.result) for term in triple)
    for value in values:
        if len(str(value).encode("utf-8")) > limit:
            raise SparqlError(
                413,
                f"A value in the answer is longer than {limit} bytes, this endpoint's limit for one value "
                "(SPARQL_MAX_VALUE_BYTES). Aggregate less (GROUP_CONCAT) or use the bulk downloads.",
            )


def _term(term: engine.Term | None) -> Identifier | None:
    if term is None:
        return None
    kind, value, datatype, language = term
    if kind == "u":
        return URIRef(value)
    if kind == "b":
        return BNode(value)
    if language:
        return Literal(value, lang=language)
    return Literal(
        value, datatype=None if datatype in {None, str(XSD.string)} else URIRef(datatype)
    )


def _from_engine(answer: engine.EngineAnswer) -> Answer:
    if answer.kind == "ASK":
        result = Result("ASK")
        result.askAnswer = answer.boolean
        return Answer("ASK", result)
    if answer.kind == "SELECT":
        variables = [Variable(name) for name in answer.variables]
        result = Result("SELECT")
        result.vars = variables
        result.bindings = [
            {
                var: value
                for var, term in zip(variables, row, strict=True)
                if (value := _term(term)) is not None
            }
            for row in answer.rows
        ]
        return Answer("SELECT", result)
    graph = Graph()
    for subject, predicate, obj in answer.rows:
        graph.add((_term(subject), _term(predicate), _term(obj)))  # type: ignore[arg-type]
    result = Result("CONSTRUCT")
    result.graph = graph
    return Answer("CONSTRUCT", result)


def _local(text: str, timeout: int, max_rows: int) -> Answer:
    """Run the query in an engine process over the newest snapshot of the local store."""
    catch_up()  # first publish what imports left pending (when this process holds the local store)
    try:
        snapshot = query_snapshot()
    except OSError as exc:
        raise SparqlError(503, f"The store could not answer: {exc}") from exc
    request = engine.EngineRequest(
        store=None if snapshot is None else str(snapshot),
        text=text,
        max_rows=max_rows,
        max_value_bytes=settings.SPARQL_MAX_VALUE_BYTES,
        max_answer_bytes=settings.SPARQL_MAX_ANSWER_BYTES,
    )
    pool = engine.pool(settings.SPARQL_ENGINE_PROCESSES, settings.SPARQL_ENGINE_MEMORY_MB)
    try:
        return _from_engine(pool.run(request, timeout))
    except engine.EngineFailure as exc:
        if exc.message == "time limit":
            raise _time_limit_error(timeout) from None
        if exc.status == 400:
            check_read_only(text)
        raise SparqlError(exc.status, exc.message) from None


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
        raise _time_limit_error(settings.SPARQL_TIMEOUT_SECONDS)
    if len(rows) > max_rows:
        raise SparqlError(
            413,
            f"The query returns more than {max_rows} rows, the endpoint's limit. Add a LIMIT, or use the bulk downloads.",
        )
    capped = Result("SELECT")
    capped.vars = variables
    capped.bindings = rows
    return Answer("SELECT", capped)


def run_query(text: str, client: str = "unknown") -> Answer:
    """Run a read-only query for ``client`` (its address); raises SparqlError with the HTTP status and a
    reason a person can act on."""
    if not text.strip():
        raise SparqlError(
            400,
            "No query given: send it as the 'query' parameter or as an application/sparql-query body.",
        )
    try:
        check_no_federation(check_query_shape(text, limits()))
    except QueryRefused as exc:
        raise SparqlError(400, str(exc)) from None
    timeout = settings.SPARQL_TIMEOUT_SECONDS
    concurrency = settings.SPARQL_CLIENT_CONCURRENCY
    try:
        with client_slot(settings.DATA_DIR / "sparql-clients", client, concurrency):
            if uses_external_endpoint():
                return _external(text, timeout, settings.SPARQL_MAX_ROWS)
            return _local(text, timeout, settings.SPARQL_MAX_ROWS)
    except ClientBusy:
        raise SparqlError(
            429,
            f"You already have {concurrency} {'query' if concurrency == 1 else 'queries'} running here, "
            "the limit for one client (SPARQL_CLIENT_CONCURRENCY); send the next when it has answered.",
        ) from None


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
