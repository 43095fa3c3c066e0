"""The SPARQL 1.1 Protocol's query operation, case by case after the W3C protocol test suite
(``sparql11/protocol``: the query cases and the refusal of updates), on the local store and on an external
SPARQL server (Oxigraph's, and Apache Jena Fuseki), over real HTTP (urllib, http.client for requests urllib would correct, and SPARQLWrapper)."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from linkeddata.store import oxigraph_store, put_external_graph

pytestmark = pytest.mark.django_db(transaction=True)

DATA = "http://example.org/protocol/data"
DOCUMENT = "http://example.org/protocol/Document"
GRAPHS = {n: f"{DATA}{n}" for n in (1, 2, 3)}
BOOLEAN = "application/sparql-results+json"


def ntriples(n: int) -> bytes:
    """Each test graph says of itself that it is a document, and names its number."""
    return (
        f"<{DATA}{n}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{DOCUMENT}> .\n"
        f'<{DATA}{n}> <http://example.org/protocol/number> "{n}" .\n'
    ).encode()


def load(kind: str) -> None:
    for n, name in GRAPHS.items():
        if kind == "local store":
            store = oxigraph_store()
            store.load(ntriples(n), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
            store.flush()
        else:
            put_external_graph(name, ntriples(n))


@pytest.fixture(params=["local store", "external server", "fuseki server"])
def endpoint(request, settings, tmp_path, live_server):
    if request.param == "external server":
        request.getfixturevalue("external_store")
    elif request.param == "fuseki server":
        request.getfixturevalue("fuseki_store")
    else:
        settings.RDF_STORE_PATH = tmp_path / "rdf"
    load(request.param)
    return f"{live_server.url}/sparql"


def send(url, method="GET", body=None, headers=None):
    """One request as written (no header added for us): status, headers, body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return result


def params(**values) -> str:
    pairs = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name.replace("_", "-"), one))
    return urllib.parse.urlencode(pairs)


def boolean(response) -> bool:
    status, headers, body = response
    assert 200 <= status < 400, body
    assert headers["content-type"].startswith(BOOLEAN)
    return json.loads(body)["boolean"]


BOTH_DEFAULT = f"ASK {{ <{DATA}1> a ?type . <{DATA}2> a ?type . }}"
BOTH_NAMED = f"ASK {{ GRAPH ?g1 {{ <{DATA}1> a ?type }} GRAPH ?g2 {{ <{DATA}2> a ?type }} }}"


def test_query_by_get_by_form_post_and_by_direct_post(endpoint):
    accept = {"Accept": BOOLEAN}
    assert boolean(send(f"{endpoint}?{params(query='ASK {}')}", headers=accept)) is True
    form = {"Content-Type": "application/x-www-form-urlencoded", **accept}
    url = f"{endpoint}?{params(default_graph_uri=GRAPHS[1])}"  # the dataset on the URL, the query in the body
    assert boolean(send(url, "POST", params(query="ASK {}").encode(), form)) is True
    direct = {"Content-Type": "application/sparql-query", **accept}
    assert boolean(send(endpoint, "POST", b"ASK {}", direct)) is True


def test_protocol_default_graphs_by_get_and_post(endpoint):
    dataset = params(default_graph_uri=[GRAPHS[1], GRAPHS[2]])
    get = f"{endpoint}?{params(query=BOTH_DEFAULT)}&{dataset}"
    assert boolean(send(get, headers={"Accept": BOOLEAN})) is True
    post = send(
        f"{endpoint}?{dataset}",
        "POST",
        BOTH_DEFAULT.encode(),
        {"Content-Type": "application/sparql-query", "Accept": BOOLEAN},
    )
    assert boolean(post) is True
    # One graph as the default graph: the other graph's triples are not in it.
    only_one = f"{endpoint}?{params(query=BOTH_DEFAULT, default_graph_uri=GRAPHS[1])}"
    assert boolean(send(only_one, headers={"Accept": BOOLEAN})) is False


def test_protocol_named_graphs_by_get_and_post(endpoint):
    dataset = params(named_graph_uri=[GRAPHS[1], GRAPHS[2]])
    get = f"{endpoint}?{params(query=BOTH_NAMED)}&{dataset}"
    assert boolean(send(get, headers={"Accept": BOOLEAN})) is True
    form = params(query=BOTH_NAMED, named_graph_uri=[GRAPHS[1], GRAPHS[2]]).encode()
    post = send(
        endpoint,
        "POST",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": BOOLEAN},
    )
    assert boolean(post) is True
    # Named graphs only: the default graph is empty.
    url = f"{endpoint}?{params(query=f'ASK {{ <{DATA}1> a ?type }}')}&{dataset}"
    assert boolean(send(url, headers={"Accept": BOOLEAN})) is False


def test_protocol_dataset_with_default_and_named_graphs(endpoint):
    query = f"""ASK {{
      <{DATA}3> a ?type
      GRAPH ?g1 {{ <{DATA}1> a ?type }}
      GRAPH ?g2 {{ <{DATA}2> a ?type }}
    }}"""
    url = (
        f"{endpoint}?{params(default_graph_uri=GRAPHS[3], named_graph_uri=[GRAPHS[1], GRAPHS[2]])}"
    )
    response = send(
        url, "POST", query.encode(), {"Content-Type": "application/sparql-query", "Accept": BOOLEAN}
    )
    assert boolean(response) is True


def test_the_protocol_dataset_overrides_the_querys_from(endpoint):
    query = f"ASK FROM <{DATA}3> {{ <{DATA}1> a ?type }}"
    overridden = f"{endpoint}?{params(query=query, default_graph_uri=GRAPHS[1])}"
    assert boolean(send(overridden, headers={"Accept": BOOLEAN})) is True
    # Without protocol parameters the query's FROM is the dataset: graph 3 only.
    assert boolean(send(f"{endpoint}?{params(query=query)}", headers={"Accept": BOOLEAN})) is False
    own = f"ASK FROM <{DATA}3> {{ <{DATA}3> a ?type }}"
    assert boolean(send(f"{endpoint}?{params(query=own)}", headers={"Accept": BOOLEAN})) is True
    named = f"ASK FROM NAMED <{DATA}2> {{ GRAPH ?g {{ <{DATA}1> a ?type }} }}"
    assert boolean(send(f"{endpoint}?{params(query=named)}", headers={"Accept": BOOLEAN})) is False


def test_with_no_dataset_named_the_default_graph_is_the_union(endpoint):
    assert (
        boolean(send(f"{endpoint}?{params(query=BOTH_DEFAULT)}", headers={"Accept": BOOLEAN}))
        is True
    )


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (
            "SELECT ?s WHERE { ?s a ?type }",
            "application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        ("SELECT ?s WHERE { ?s a ?type }", "text/csv", "text/csv"),
        ("ASK { ?s a ?type }", "application/sparql-results+xml", "application/sparql-results+xml"),
        (f"DESCRIBE <{DATA}1>", "application/rdf+xml", "application/rdf+xml"),
        ("CONSTRUCT { ?s a ?type } WHERE { ?s a ?type }", "text/turtle", "text/turtle"),
        (
            "CONSTRUCT { ?s a ?type } WHERE { ?s a ?type }",
            "application/n-triples",
            "application/n-triples",
        ),
    ],
)
def test_answers_come_in_the_media_type_asked_for(endpoint, query, accept, expected):
    status, headers, body = send(f"{endpoint}?{params(query=query)}", headers={"Accept": accept})
    assert status == 200 and headers["content-type"].startswith(expected)
    assert body


def test_relative_iris_resolve_against_the_endpoint(endpoint):
    status, _, body = send(
        f"{endpoint}?{params(query='CONSTRUCT { <s> <p> 1 } WHERE {}')}",
        headers={"Accept": "application/n-triples"},
    )
    assert status == 200
    graph = Graph().parse(data=body, format="nt")
    base = endpoint.rsplit("/", 1)[0]
    assert (URIRef(f"{base}/s"), URIRef(f"{base}/p"), None) in graph


@pytest.mark.parametrize(
    ("method", "query_string", "body", "headers", "statuses", "message"),
    [
        ("PUT", "query=ASK%20%7B%7D", None, {}, {405}, b""),  # bad_query_method
        ("GET", "query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", None, {}, {400}, b"2 queries"),
        ("POST", "", b"ASK {}", {"Content-Type": "text/plain"}, {415}, b"application/sparql-query"),
        ("POST", "", b"query=ASK%20%7B%7D", {}, {415}, b"POST must be"),  # missing form type
        ("POST", "", b"ASK {}", {}, {415}, b"POST must be"),  # missing direct type
        (
            "POST",
            "",
            "ASK {}".encode("utf-16"),
            {"Content-Type": "application/sparql-query; charset=UTF-16"},
            {415},
            b"UTF-8",
        ),
        ("GET", "query=ASK%20%7B", None, {}, {400}, b"not valid SPARQL"),  # bad_query_syntax
        ("GET", "update=CLEAR%20ALL", None, {}, {403}, b"read-only"),  # bad_update_get
        (
            "POST",
            "",
            b"update=CLEAR%20ALL&update=CLEAR%20ALL",
            {"Content-Type": "application/x-www-form-urlencoded"},
            {403},
            b"read-only",
        ),
        (
            "POST",
            "",
            b"CLEAR ALL",
            {"Content-Type": "application/sparql-update"},
            {403},
            b"read-only",
        ),
        ("POST", "", b"CLEAR ALL", {"Content-Type": "text/plain"}, {415}, b"POST"),
        (
            "POST",
            "",
            b"query=CLEAR%20ALL",
            {"Content-Type": "application/x-www-form-urlencoded"},
            {403},
            b"read-only",
        ),
        (
            "GET",
            "query=ASK%20%7B%7D&default-graph-uri=not%20an%20iri",
            None,
            {},
            {400},
            b"absolute IRI",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_reason_and_change_nothing(
    endpoint, method, query_string, body, headers, statuses, message
):
    url = f"{endpoint}?{query_string}" if query_string else endpoint
    status, _, answer = send(url, method, body, headers)
    assert status in statuses and message in answer, answer
    assert boolean(send(f"{endpoint}?{params(query=BOTH_DEFAULT)}", headers={"Accept": BOOLEAN}))


def test_head_answers_like_get_without_a_body(endpoint):
    url = f"{endpoint}?{params(query='SELECT ?s WHERE { ?s a ?type }')}"
    get = send(url, headers={"Accept": "text/csv"})
    head = send(url, "HEAD", headers={"Accept": "text/csv"})
    assert head[0] == get[0] == 200 and head[2] == b""
    assert head[1]["content-type"] == get[1]["content-type"]
    assert head[1]["content-length"] == str(len(get[2]))
    page = send(endpoint, "HEAD", headers={"Accept": "text/html"})
    assert page[0] == 200 and page[2] == b"" and page[1]["content-type"].startswith("text/html")


def test_a_page_on_another_origin_may_post_a_query(endpoint):
    status, headers, _ = send(
        endpoint,
        "OPTIONS",
        headers={
            "Origin": "https://mashup.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status in {200, 204}
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in headers
    status, headers, _ = send(
        endpoint,
        "POST",
        b"ASK {}",
        {"Origin": "https://mashup.example", "Content-Type": "application/sparql-query"},
    )
    assert status == 200 and headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
)
def test_service_description(endpoint, accept, rdflib_format):
    status, headers, body = send(endpoint, headers={"Accept": accept})
    assert status == 200 and headers["content-type"].startswith(accept)
    assert headers["access-control-allow-origin"] == "*"
    graph = Graph().parse(data=body, format=rdflib_format)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    answers = graph.query(
        f"""PREFIX sd: <{sd}>
        SELECT ?service ?endpoint WHERE {{
          ?service a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage sd:SPARQL11Query ;
                   sd:feature sd:UnionDefaultGraph ;
                   sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> .
        }}"""
    )
    assert [str(row[1]) for row in answers] == [endpoint]  # type: ignore[index]
    limits = {
        str(p).rsplit("#", 1)[1]: int(o)
        for p, o in graph.predicate_objects(URIRef(endpoint))
        if "limits#" in str(p)
    }
    assert limits["maxRows"] > 0 and limits["timeoutSeconds"] > 0
    named = {str(o) for o in graph.objects(None, URIRef(f"{sd}name"))}
    assert named and all(name.startswith("http") for name in named)


def test_a_browser_still_gets_the_page(endpoint):
    status, headers, body = send(
        endpoint, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<h1>SPARQL endpoint</h1>" in body


def test_sparqlwrapper_names_the_dataset(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(BOTH_DEFAULT)
    client.setReturnFormat(JSON)
    client.addDefaultGraph(GRAPHS[1])
    client.addDefaultGraph(GRAPHS[2])
    assert client.queryAndConvert()["boolean"] is True
    client = SPARQLWrapper(endpoint)
    client.setQuery(
        "SELECT ?n WHERE { GRAPH ?g { ?s <http://example.org/protocol/number> ?n } } ORDER BY ?n"
    )
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    client.addNamedGraph(GRAPHS[3])
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [row["n"]["value"] for row in rows] == ["3"]
