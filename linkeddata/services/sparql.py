"""Answering SPARQL queries read-only, within limits no query can break out of.

Before anything parses it, a query is measured (``query_checks``: length, nesting, terms) and refused if
it federates (``SERVICE``). Each client may run ``SPARQL_CLIENT_CONCURRENCY`` queries at once, counted
across the web processes (``client_slots``). On the local store the query then runs in an engine process
(``linkeddata.engine``): read-only, without network, under a memory ceiling, killed at
``SPARQL_TIMEOUT_SECONDS``, its rows, triples and values counted as they are produced, and its answer
written by the engine itself in the format the client asked for (no term passes through rdflib). With
``SPARQL_ENDPOINT_URL`` set the same checks run before the query is sent, at most
``SPARQL_SERVER_CONCURRENCY`` at once per web process over kept-alive connections; the answer is read
within the time limit and a size cap, checked by the same code, and the server stops the work itself
(``oxigraph serve --timeout-s``).

The SPARQL 1.1 Protocol's dataset (``default-graph-uri``, ``named-graph-uri``) overrides the query's
``FROM`` / ``FROM NAMED``; with neither, the default graph is the union of the named graphs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from django.conf import settings
from pyparsing import ParseException
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from linkeddata import engine
from linkeddata.client_slots import ClientBusy, client_slot
from linkeddata.engine import Caps, Formats
from linkeddata.services.publish import catch_up
from linkeddata.services.query_checks import (
    QueryLimits,
    QueryRefused,
    check_no_federation,
    check_query_shape,
    names_dataset,
    query_form,
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

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HUBLIMIT = Namespace("https://w3id.org/localgov-knowledge-hub/def/sparql-limits#")

_external_slots: dict[int, threading.BoundedSemaphore] = {}
_external_lock = threading.Lock()

RESULT_FORMATS = {  # media type -> short name
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
BOOLEAN_FORMATS = {k: v for k, v in RESULT_FORMATS.items() if v in {"json", "xml"}}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
}
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
}
GRAPH_ALIASES = {"xml": "application/rdf+xml", "json": "application/ld+json"}


@dataclass
class SparqlError(Exception):
    status: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Answer:
    kind: str  # SELECT, ASK or CONSTRUCT (which covers DESCRIBE)
    media_type: str
    body: bytes


@dataclass(frozen=True)
class ProtocolDataset:
    """The RDF dataset a request names (SPARQL 1.1 Protocol ``default-graph-uri`` / ``named-graph-uri``)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = field(default=())

    @property
    def given(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)

    def parameters(self) -> tuple[tuple[str, str], ...]:
        return tuple(("default-graph-uri", g) for g in self.default_graphs) + tuple(
            ("named-graph-uri", g) for g in self.named_graphs
        )


def check_dataset(default_graphs: Iterable[str], named_graphs: Iterable[str]) -> ProtocolDataset:
    """The request's dataset; a graph name that is not an absolute IRI is refused with a 400."""
    dataset = ProtocolDataset(tuple(default_graphs), tuple(named_graphs))
    for name in (*dataset.default_graphs, *dataset.named_graphs):
        try:
            ox.NamedNode(name)
        except ValueError:
            raise SparqlError(
                400,
                f"The graph name {name!r} (default-graph-uri or named-graph-uri) is not an absolute IRI.",
            ) from None
    return dataset


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


def caps() -> Caps:
    return Caps(
        settings.SPARQL_MAX_ROWS, settings.SPARQL_MAX_VALUE_BYTES, settings.SPARQL_MAX_ANSWER_BYTES
    )


def choose_formats(short: str, preferred: Callable[[list[str]], str | None] | None) -> Formats:
    """The media type to answer in for each kind of query: a ``format=`` short name (json, xml, csv,
    tsv, turtle, jsonld, nt, rdfxml, or a media type) wins; else the client's Accept (``preferred``
    picks among those offered; None: no Accept, the first offered)."""
    if short:
        name = ALIASES.get(short, short)

        def pick(table: dict[str, str], aliases: dict[str, str]) -> str | None:
            for media_type, short_name in table.items():
                if name in {short_name, media_type}:
                    return media_type
            return aliases.get(name)

        return Formats(
            pick(RESULT_FORMATS, {}), pick(BOOLEAN_FORMATS, {}), pick(GRAPH_FORMATS, GRAPH_ALIASES)
        )
    if preferred is None:
        return Formats(
            next(iter(RESULT_FORMATS)), next(iter(BOOLEAN_FORMATS)), next(iter(GRAPH_FORMATS))
        )
    return Formats(
        preferred(list(RESULT_FORMATS)),
        preferred(list(BOOLEAN_FORMATS)),
        preferred(list(GRAPH_FORMATS)),
    )


def _time_limit_error(timeout: int) -> SparqlError:
    return SparqlError(
        503,
        f"The query did not finish within the {timeout} s time limit. Put the most selective pattern "
        "(a particular area or measure) first, or add a LIMIT.",
    )


_PREFIXES = tuple((prefix, str(namespace)) for prefix, namespace in PREFIXES.items())


def _prefixes() -> tuple[tuple[str, str], ...]:
    return _PREFIXES


# What the hub asks the external server to answer in, by query form: SELECT rows as SPARQL TSV (what
# the engine's serialiser counts and measures rows in: read once, and a third of JSON's size), ASK as
# JSON (TSV has no boolean), graphs as N-Triples; the other formats are fallbacks the hub reads too.
SERVER_ACCEPT = {
    "SELECT": "text/tab-separated-values, application/sparql-results+json;q=0.9, "
    "application/n-triples;q=0.8",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "application/n-triples, application/sparql-results+json;q=0.9",
    "DESCRIBE": "application/n-triples, application/sparql-results+json;q=0.9",
}
SERVER_ACCEPT_ANY = "application/sparql-results+json, application/n-triples;q=0.9"


def _parsed(media_type: str, body: bytes) -> object:
    """The external server's answer as pyoxigraph results, ready for the engine's serialiser."""
    if media_type == "text/tab-separated-values":
        return ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    if media_type == "application/sparql-results+json":
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    if media_type == "application/sparql-results+xml":
        return ox.parse_query_results(body, ox.QueryResultsFormat.XML)
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise ValueError(f"unexpected media type {media_type!r}")
    return _Triples(q.triple for q in ox.parse(body, rdf_format))


class _Triples(list):
    """Triples parsed from the server's answer (a list, unlike pyoxigraph's own result types)."""


def query_dataset(readable: str, base_iri: str | None) -> ProtocolDataset:
    """The dataset a query names with ``FROM`` / ``FROM NAMED`` (prefixed names and relative IRIs
    resolved), as protocol parameters: a server run with its default graph as the union of all graphs
    (Oxigraph's ``--union-default-graph``) lets the union override the query's own ``FROM``, but honours
    the protocol's dataset. Only called for a query that mentions FROM."""
    text = f"BASE <{base_iri}>\n{readable}" if base_iri else readable
    try:
        clauses = translateQuery(parseQuery(text)).algebra.get("datasetClause") or []
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain Exception for an unknown prefix
        raise SparqlError(400, f"The query is not valid SPARQL: {exc}") from None
    default = tuple(str(c["default"]) for c in clauses if "default" in c)
    named = tuple(str(c["named"]) for c in clauses if "named" in c)
    return ProtocolDataset(default, named)


def _external(
    text: str,
    timeout: int,
    formats: Formats,
    dataset: ProtocolDataset,
    base_iri: str | None,
    form: str | None = None,
) -> Answer:
    """Ask the external server (the hub's limits on what it sends and reads; the server's on the work)."""
    size = settings.SPARQL_SERVER_CONCURRENCY
    with _external_lock:
        slots = _external_slots.setdefault(size, threading.BoundedSemaphore(size))
    if not slots.acquire(blocking=False):
        raise SparqlError(
            503,
            f"The endpoint is busy with other queries ({size} at once, SPARQL_SERVER_CONCURRENCY); "
            "try again in a few seconds.",
        )
    sent = f"BASE <{base_iri}>\n{text}" if base_iri else text
    try:
        reply = external_query(
            sent,
            timeout=timeout,
            max_bytes=settings.SPARQL_MAX_ANSWER_BYTES,
            dataset=dataset.parameters(),
            accept=SERVER_ACCEPT.get(form or "", SERVER_ACCEPT_ANY),
            connections=size,
        )
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
    try:
        result = _parsed(reply.media_type, reply.body)
        answer = engine.serialize_results(ox, result, formats, caps(), dict(_prefixes()))
    except engine.EngineFailure as exc:
        raise SparqlError(exc.status, exc.message) from None
    except (SyntaxError, ValueError, OSError) as exc:
        tail = reply.body[-300:].decode("utf-8", errors="replace").strip()
        raise SparqlError(
            503,
            f"The SPARQL server could not answer (502): its answer was cut short or unreadable "
            f"({exc.__class__.__name__}): …{tail}",
        ) from None
    return Answer(answer.kind, answer.media_type, answer.body)


def _local(
    text: str,
    timeout: int,
    formats: Formats,
    dataset: ProtocolDataset,
    base_iri: str | None,
    union: bool,
) -> Answer:
    """Run the query in an engine process over the newest snapshot of the local store."""
    catch_up()  # first publish what imports left pending (when this process holds the local store)
    try:
        snapshot = query_snapshot()
    except OSError as exc:
        raise SparqlError(503, f"The store could not answer: {exc}") from exc
    request = engine.EngineRequest(
        store=None if snapshot is None else str(snapshot),
        text=text,
        max_rows=settings.SPARQL_MAX_ROWS,
        max_value_bytes=settings.SPARQL_MAX_VALUE_BYTES,
        max_answer_bytes=settings.SPARQL_MAX_ANSWER_BYTES,
        formats=formats,
        default_graphs=dataset.default_graphs if dataset.given else None,
        named_graphs=dataset.named_graphs if dataset.given else None,
        union_default_graph=union,
        base_iri=base_iri,
        prefixes=_prefixes(),
    )
    pool = engine.pool(settings.SPARQL_ENGINE_PROCESSES, settings.SPARQL_ENGINE_MEMORY_MB)
    try:
        answer = pool.run(request, timeout)
    except engine.EngineFailure as exc:
        if exc.message == "time limit":
            raise _time_limit_error(timeout) from None
        if exc.status == 400:
            check_read_only(text)
        raise SparqlError(exc.status, exc.message) from None
    return Answer(answer.kind, answer.media_type, answer.body)


def run_query(
    text: str,
    client: str = "unknown",
    *,
    formats: Formats | None = None,
    dataset: ProtocolDataset | None = None,
    base_iri: str | None = None,
) -> Answer:
    """Run a read-only query for ``client`` (its address) and return its answer serialised in
    ``formats`` (SPARQL JSON and Turtle by default); raises SparqlError with the HTTP status and a reason
    a person can act on. Relative IRIs in the query resolve against ``base_iri`` (the endpoint)."""
    if not text.strip():
        raise SparqlError(
            400,
            "No query given: send it as the 'query' parameter or as an application/sparql-query body.",
        )
    try:
        readable = check_query_shape(text, limits())
        check_no_federation(readable)
    except QueryRefused as exc:
        raise SparqlError(400, str(exc)) from None
    formats = formats or choose_formats("", None)
    dataset = dataset or ProtocolDataset()
    timeout = settings.SPARQL_TIMEOUT_SECONDS
    concurrency = settings.SPARQL_CLIENT_CONCURRENCY
    try:
        with client_slot(settings.DATA_DIR / "sparql-clients", client, concurrency):
            if uses_external_endpoint():
                if not dataset.given and names_dataset(readable):
                    dataset = query_dataset(readable, base_iri)
                return _external(text, timeout, formats, dataset, base_iri, query_form(readable))
            return _local(text, timeout, formats, dataset, base_iri, not names_dataset(readable))
    except ClientBusy:
        raise SparqlError(
            429,
            f"You already have {concurrency} {'query' if concurrency == 1 else 'queries'} running here, "
            "the limit for one client (SPARQL_CLIENT_CONCURRENCY); send the next when it has answered.",
        ) from None


def service_description(endpoint: str, graph_names: Iterable[str]) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint: what it speaks, answers in and limits, and the
    named graphs of its default dataset (whose default graph is their union)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("limit", HUBLIMIT)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for media_type in [*RESULT_FORMATS, *GRAPH_FORMATS]:
        graph.add(
            (
                service,
                SD.resultFormat,
                URIRef(f"http://www.w3.org/ns/formats/{_FORMAT_NAMES[media_type]}"),
            )
        )
    for name, value in [
        ("timeoutSeconds", settings.SPARQL_TIMEOUT_SECONDS),
        ("maxRows", settings.SPARQL_MAX_ROWS),
        ("maxQueryBytes", settings.SPARQL_MAX_QUERY_BYTES),
        ("maxQueryDepth", settings.SPARQL_MAX_QUERY_DEPTH),
        ("maxQueryTerms", settings.SPARQL_MAX_QUERY_TERMS),
        ("maxValueBytes", settings.SPARQL_MAX_VALUE_BYTES),
        ("maxAnswerBytes", settings.SPARQL_MAX_ANSWER_BYTES),
        ("clientConcurrency", settings.SPARQL_CLIENT_CONCURRENCY),
    ]:
        graph.add((service, HUBLIMIT[name], Literal(value, datatype=XSD.integer)))
    dataset = URIRef(f"{endpoint}#dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = URIRef(f"{endpoint}#default-graph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in graph_names:
        named = URIRef(f"{endpoint}#graph-{name.rsplit('/', 1)[-1]}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    return graph


_FORMAT_NAMES = {  # W3C unique URIs for formats (https://www.w3.org/ns/formats/)
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
}


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
        "Case studies from councils similar to Leeds that cite the recycling rate, with its change since",
        "Good practice is in the same store as the figures: a case study is attributed to its councils "
        "(prov:wasAttributedTo) and references the observations it cites (dcterms:references). The latest "
        "cited figure is compared with the council's latest one in the data.",
        """PREFIX hub: <https://w3id.org/localgov-knowledge-hub/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?council ?title ?cited ?citedValue ?latest ?latestValue (?latestValue - ?citedValue AS ?change)
WHERE {
  <{base}/id/area/E08000035> hub:similarArea ?area .
  ?study prov:wasAttributedTo ?area ; dcterms:title ?title ; dcterms:references ?obs .
  ?obs qb:dataSet <{base}/id/dataset/household-recycling-rate> ;
       sdmx-dimension:refPeriod/rdfs:label ?cited ;
       <{base}/id/measure/household-recycling-rate> ?citedValue .
  FILTER NOT EXISTS {
    ?study dcterms:references ?later .
    ?later qb:dataSet <{base}/id/dataset/household-recycling-rate> ;
           sdmx-dimension:refPeriod/rdfs:label ?laterPeriod .
    FILTER(?laterPeriod > ?cited)
  }
  ?area skos:prefLabel ?council ; skos:notation ?code .
  BIND(IRI(CONCAT("{base}/id/slice/household-recycling-rate/area/", ?code)) AS ?series)
  ?series qb:observation ?now .
  ?now sdmx-dimension:refPeriod/rdfs:label ?latest ;
       <{base}/id/measure/household-recycling-rate> ?latestValue .
  FILTER NOT EXISTS {
    ?series qb:observation/sdmx-dimension:refPeriod/rdfs:label ?newer .
    FILTER(?newer > ?latest)
  }
} ORDER BY ?council ?title""",
    ),
    (
        "Councils in the bottom third for recycling, with good practice from their similar councils",
        "A council is in the bottom third when fewer than a third of the councils with a figure that year "
        "did worse. Its ONS similar councils (hub:similarArea) lead to the case studies attributed to them.",
        """PREFIX hub: <https://w3id.org/localgov-knowledge-hub/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?council ?value ?similar ?title ?study WHERE {
  {
    SELECT ?area ?value (COUNT(?worse) AS ?below) WHERE {
      <{base}/id/slice/household-recycling-rate/2022-23> qb:observation ?obs .
      ?obs sdmx-dimension:refArea ?area ; <{base}/id/measure/household-recycling-rate> ?value .
      OPTIONAL {
        <{base}/id/slice/household-recycling-rate/2022-23> qb:observation ?worse .
        ?worse <{base}/id/measure/household-recycling-rate> ?other .
        FILTER(?other < ?value)
      }
    } GROUP BY ?area ?value
  }
  {
    SELECT (COUNT(?any) AS ?n) WHERE {
      <{base}/id/slice/household-recycling-rate/2022-23> qb:observation ?any .
    }
  }
  FILTER(?below * 3 < ?n)
  ?area hub:similarArea ?peer ; skos:prefLabel ?council .
  ?study prov:wasAttributedTo ?peer ; dcterms:title ?title .
  ?peer skos:prefLabel ?similar .
} ORDER BY ?value ?council ?title""",
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


SD_FORMATS = {  # media type -> rdflib serialiser, for the Service Description
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


def offered_formats() -> list[str]:
    return [*RESULT_FORMATS, *GRAPH_FORMATS]


def page_formats() -> Formats:
    """What the SPARQL page reads answers in: SPARQL JSON (shown as a table) and Turtle (shown as text)."""
    return Formats(
        "application/sparql-results+json", "application/sparql-results+json", "text/turtle"
    )


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query form's keyword, read past the prologue."""
    for word in text.replace("{", " ").split():
        if word.upper() in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
            return word.upper()
    return "SELECT"


def example_links(base: str) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """The worked examples with their format links: results formats for SELECT, graph formats for
    CONSTRUCT and DESCRIBE (label, ``format=`` short name)."""
    found = []
    for title, note, query in examples(base):
        if query_kind(query) in {"CONSTRUCT", "DESCRIBE"}:
            links = [
                ("Turtle", "turtle"),
                ("JSON-LD", "jsonld"),
                ("N-Triples", "nt"),
                ("RDF/XML", "rdfxml"),
            ]
        else:
            links = [(short.upper(), short) for short in RESULT_FORMATS.values()]
        found.append((title, note, query, links))
    return found


def page_answer(answer: Answer) -> dict[str, object]:
    """What the page shows of an answer read in ``page_formats``: a table of a SELECT's rows (each cell
    its value, and whether it is an IRI to link), an ASK's yes or no, a graph's Turtle."""
    if answer.kind == "CONSTRUCT":
        return {"kind": answer.kind, "graph": answer.body.decode("utf-8")}
    data = json.loads(answer.body)
    if answer.kind == "ASK":
        return {"kind": answer.kind, "boolean": bool(data.get("boolean"))}
    variables = data["head"]["vars"]
    rows = [
        [(row[v]["value"], row[v]["type"] == "uri") if v in row else ("", False) for v in variables]
        for row in data["results"]["bindings"]
    ]
    return {"kind": answer.kind, "variables": variables, "rows": rows}
