"""The SPARQL 1.1 Protocol endpoint, exercised over real HTTP with SPARQLWrapper and urllib.

Every test runs twice: on the local Oxigraph store, and with the hub pointed at a real external SPARQL
server (Oxigraph server) that publishing keeps in step through the Graph Store HTTP Protocol.
"""

import csv
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.util import from_n3
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from linkeddata.models import Observation
from linkeddata.services.sparql import examples
from linkeddata.uris import Uris
from tests.linkeddata.conftest import slow_query_on

pytestmark = pytest.mark.django_db(transaction=True)

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
PREFIXES = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""


def series_query(base: str) -> str:
    return (
        PREFIXES
        + f"""SELECT ?period ?value WHERE {{
      ?obs sdmx-dimension:refArea <{base}/id/area/E08000035> ;
           sdmx-dimension:refPeriod ?period ;
           <{base}/id/measure/recycling> ?value .
    }} ORDER BY ?period"""
    )


@pytest.fixture(params=["local store", "external server"])
def rdf_store(request, settings, tmp_path):
    """The store the data is published to and queried from (overrides the local-only fixture)."""
    if request.param == "external server":
        request.getfixturevalue("external_store")
    else:
        settings.RDF_STORE_PATH = tmp_path / "rdf"
    return request.param


@pytest.fixture
def endpoint(live_server, rdf_store, recycling):
    return f"{live_server.url}/sparql"


def slow_query(request) -> str:
    """A query that runs until a time limit stops it. On the external server it must read the store,
    so the server's own limit stops it too once the hub has given up (a cross product of ``VALUES``
    would keep Oxigraph's server busy for minutes); the local store's engine is stopped by the hub."""
    if request.getfixturevalue("rdf_store") == "external server":
        return slow_query_on(request.getfixturevalue("external_store"))
    values = " ".join(str(i) for i in range(300))
    return (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"VALUES ?{v} {{{values}}}" for v in "abcd")
        + " }"
    )


def client(endpoint, query, return_format=JSON, method=None):
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    if method:
        sparql.setMethod(method)
    return sparql


def http(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - the live test server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live test server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def rdflib_term(cell):
    """A TSV cell (a term in Turtle syntax, abbreviated numbers included) as an rdflib term."""
    if cell[:1] not in {"<", '"', "_"}:
        kind = (
            "integer"
            if cell.lstrip("+-").isdigit()
            else "decimal"
            if "e" not in cell.lower()
            else "double"
        )
        return Literal(cell, datatype=XSD[kind])
    return from_n3(cell)


def test_select_round_trips_in_every_results_format(endpoint):
    base = Uris.default().base
    query = series_query(base)
    rows = client(endpoint, query).queryAndConvert()["results"]["bindings"]
    assert [(r["period"]["value"].rsplit("/", 1)[1], r["value"]["value"]) for r in rows] == [
        ("2022-2023", "38.5"),
        ("2023-2024", "40.1"),
    ]

    xml = client(endpoint, query, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == 2
    table = list(csv.reader(io.StringIO(client(endpoint, query, CSV).queryAndConvert().decode())))
    assert table[0] == ["period", "value"] and table[2][1] == "40.1"
    tsv = client(endpoint, query, TSV).queryAndConvert().decode().splitlines()
    assert tsv[0] == "?period\t?value"
    # Terms in Turtle syntax: the decimal may be written in full or abbreviated (40.1), the same term.
    period, value = (rdflib_term(cell) for cell in tsv[2].split("\t"))
    assert period == URIRef("http://reference.data.gov.uk/id/government-year/2023-2024")
    assert value == Literal("40.1", datatype=XSD.decimal)


def test_post_urlencoded_and_post_sparql_query(endpoint):
    query = series_query(Uris.default().base)
    rows = client(endpoint, query, JSON, POST).queryAndConvert()["results"]["bindings"]
    assert len(rows) == 2
    status, headers, body = http(
        endpoint,
        query.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 2
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_ask_construct_and_describe(endpoint):
    base = Uris.default().base
    assert (
        client(
            endpoint,
            f"ASK {{ <{base}/id/dataset/recycling> a <http://purl.org/linked-data/cube#DataSet> }}",
        ).queryAndConvert()["boolean"]
        is True
    )
    construct = client(
        endpoint,
        PREFIXES
        + f"CONSTRUCT {{ ?obs ?p ?o }} WHERE {{ ?obs sdmx-dimension:refArea <{base}/id/area/E08000035> ; ?p ?o }}",
        TURTLE,
    )
    graph = Graph().parse(data=construct.queryAndConvert(), format="turtle")
    # Leeds's two observations (six triples each) and its series slice (three triples, two qb:observation links)
    assert len(graph) == 12 + 5
    observation = f"{base}/id/observation/recycling/E08000035/2023-24"
    for accept, rdflib_format in [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ]:
        status, headers, body = http(
            f"{endpoint}?{urllib.parse.urlencode({'query': f'DESCRIBE <{observation}>'})}",
            headers={"Accept": accept},
        )
        assert status == 200 and headers["Content-Type"].startswith(accept)
        assert len(Graph().parse(data=body, format=rdflib_format)) == 6


def test_worked_examples_read_the_series_slices(endpoint):
    base = Uris.default().base
    queries = {
        title: query.replace("household-recycling-rate", "recycling")
        for title, _, query in examples(base)
    }
    series = client(endpoint, queries["One council's recycling rate over time"]).queryAndConvert()[
        "results"
    ]["bindings"]
    assert [(row["period"]["value"], row["value"]["value"]) for row in series] == [
        ("2022/23", "38.5"),
        ("2023/24", "40.1"),
    ]
    similar = client(
        endpoint, queries["A council against its ONS similar councils, over time"]
    ).queryAndConvert()["results"]["bindings"]
    assert [
        (row["name"]["value"], row["period"]["value"], row["value"]["value"]) for row in similar
    ] == [
        ("Bristol", "2023/24", "44.9"),
        ("Manchester", "2022/23", "35"),
        ("Manchester", "2023/24", "33.2"),
        ("Barnsley", "2023/24", "45"),
    ]


def test_updates_are_refused_and_change_nothing(endpoint):
    before = Observation.objects.count()
    update = "DELETE WHERE { ?s ?p ?o }"
    for data, headers in [
        (
            urllib.parse.urlencode({"update": update}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        (update.encode(), {"Content-Type": "application/sparql-update"}),
        (
            urllib.parse.urlencode({"query": update}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]:
        status, _, body = http(endpoint, data, headers)
        assert status == 403 and b"read-only" in body
    rows = client(endpoint, series_query(Uris.default().base)).queryAndConvert()["results"][
        "bindings"
    ]
    assert len(rows) == 2 and Observation.objects.count() == before


def test_malformed_query_is_400_with_the_parser_message(endpoint):
    with pytest.raises(QueryBadFormed) as bad:
        client(endpoint, "SELECT ?x WHERE { ?x ").queryAndConvert()
    assert "not valid SPARQL" in str(bad.value)


def test_row_cap_and_time_limit_are_reported(endpoint, settings, request):
    settings.SPARQL_MAX_ROWS = 3
    status, _, body = http(
        f"{endpoint}?{urllib.parse.urlencode({'query': 'SELECT * WHERE { ?s ?p ?o }'})}"
    )
    assert status == 413 and b"more than 3 rows" in body

    settings.SPARQL_TIMEOUT_SECONDS = 1
    slow = slow_query(request)
    started = time.monotonic()
    status, headers, body = http(f"{endpoint}?{urllib.parse.urlencode({'query': slow})}")
    assert status == 503 and b"1 s time limit" in body and headers["Retry-After"]
    assert time.monotonic() - started < 3


def test_store_follows_a_reimport_and_can_be_rebuilt(endpoint, tmp_path, recycling, capsys):
    from django.core.management import call_command

    from linkeddata.services.imports import do_import_observations
    from tests.linkeddata.conftest import CSV

    updated = tmp_path / "recycling-v2.csv"
    updated.write_text(CSV.replace("40.1", "41.7"), encoding="utf-8")
    do_import_observations(updated, recycling)
    query = series_query(Uris.default().base)
    values = [
        r["value"]["value"]
        for r in client(endpoint, query).queryAndConvert()["results"]["bindings"]
    ]
    assert values == ["38.5", "41.7"]

    call_command("publish_linked_data")
    out = capsys.readouterr().out
    assert "Publishing recycling" in out and "Published." in out
    values = [
        r["value"]["value"]
        for r in client(endpoint, query).queryAndConvert()["results"]["bindings"]
    ]
    assert values == ["38.5", "41.7"]


def test_federated_queries_are_refused_before_any_request_leaves_the_hub(endpoint):
    import socket

    with socket.socket() as listener:  # an "internal service" the query tries to reach
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        for query in [
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/internal> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        ]:
            status, _, body = http(f"{endpoint}?{urllib.parse.urlencode({'query': query})}")
            assert status == 400 and b"SERVICE" in body
        with pytest.raises(TimeoutError):
            listener.accept()
    # The word in a string is not federation.
    ask = 'ASK { FILTER(CONTAINS("Children\'s services", "service")) }'
    assert client(endpoint, ask).queryAndConvert()["boolean"] is True


def test_the_limits_hold_on_either_store(endpoint, settings):
    """The hub checks every query before it reaches either store, and caps what it reads back."""
    settings.SPARQL_MAX_ROWS = 100
    settings.SPARQL_MAX_VALUE_BYTES = 1000
    settings.SPARQL_MAX_ANSWER_BYTES = 200_000

    def ask(query):
        return http(endpoint, query.encode(), {"Content-Type": "application/sparql-query"})

    status, _, body = ask("SELECT * WHERE " + "{ " * 3000 + "}" * 3000)
    assert status == 400 and b"SPARQL_MAX_QUERY_DEPTH" in body
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        status, _, body = ask(
            f'VERSION "1.2" SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}'
        )
        assert status == 400 and b"SERVICE" in body
        with pytest.raises(TimeoutError):
            listener.accept()
    digits = " ".join(f"VALUES ?{v} {{0 1 2 3 4 5 6 7 8 9}}" for v in "abcd")
    status, _, body = ask(
        f"SELECT (GROUP_CONCAT(CONCAT(STR(?a), STR(?b))) AS ?all) WHERE {{ {digits} }}"
    )
    assert status == 413 and b"SPARQL_MAX_VALUE_BYTES" in body
    status, _, body = ask(
        "CONSTRUCT { ?s <urn:p> ?a } WHERE { "
        + digits
        + ' BIND(IRI(CONCAT("urn:x:", STR(?a), STR(?b), STR(?c), STR(?d))) AS ?s) }'
    )
    assert status == 413 and (
        b"more than 100 triples" in body or b"SPARQL_MAX_ANSWER_BYTES" in body
    )


def test_one_client_runs_one_query_at_a_time(endpoint, settings, request):
    settings.SPARQL_TIMEOUT_SECONDS = 1
    slow = slow_query(request)
    outcome = {}

    def run_slow():  # until it gets the client's slot (the other loop may hold it for a moment)
        while (status := http(endpoint, slow.encode(), SPARQL_QUERY)[0]) == 429:
            pass
        outcome["slow"] = status

    runner = threading.Thread(target=run_slow)
    runner.start()
    refused = None
    while runner.is_alive():
        status, headers, body = http(endpoint, b"ASK {}", SPARQL_QUERY)
        if status == 429:
            refused = headers, body
    runner.join()
    assert outcome["slow"] == 503
    assert refused is not None, "a second query of the client was never refused while its first ran"
    assert refused[0]["Retry-After"] and b"SPARQL_CLIENT_CONCURRENCY" in refused[1]
    assert http(endpoint, b"ASK {}", SPARQL_QUERY)[0] == 200
