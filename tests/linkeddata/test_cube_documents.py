"""The cube's slices, structure, slice keys, units and named graphs dereference like every other URI,
and every URI the hub publishes under its base resolves."""

import csv
import gzip
import io
import json
from datetime import date
from urllib.parse import urldefrag

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from linkeddata.models import Period
from linkeddata.services.publish import do_publish_all
from linkeddata.uris import Uris

pytestmark = pytest.mark.django_db

QB = Namespace("http://purl.org/linked-data/cube#")
REF_AREA = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")
REF_PERIOD = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")
UNIT_MEASURE = URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")
YEAR_2023_24 = URIRef("http://reference.data.gov.uk/id/government-year/2023-2024")
COUNCILS_2023_24 = {
    "E08000035",
    "E08000003",
    "E08000016",
    "E06000023",
}  # Barnsley's E08000038 is recoded on import


def turtle(client, path: str) -> Graph:
    response = client.get(path, HTTP_ACCEPT="text/turtle")
    assert response.status_code == 200, path
    return Graph().parse(data=response.content, format="turtle")


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_period_slice_holds_every_areas_observation_for_the_period(client, recycling):
    uris = Uris.default()
    graph = turtle(client, "/doc/slice/recycling/2023-24")
    piece = uris.period_slice("recycling", "2023/24")
    assert (piece, RDF.type, QB.Slice) in graph
    assert (uris.dataset("recycling"), QB.slice, piece) in graph
    assert graph.value(piece, QB.sliceStructure) == uris.period_slice_key("recycling")
    assert graph.value(piece, REF_PERIOD) == YEAR_2023_24
    members = set(graph.objects(piece, QB.observation))
    assert members == {uris.observation("recycling", gss, "2023/24") for gss in COUNCILS_2023_24}
    for observation in members:
        assert (observation, RDF.type, QB.Observation) in graph
        assert graph.value(observation, REF_PERIOD) == YEAR_2023_24
        assert graph.value(observation, uris.measure("recycling")) is not None
    assert graph.value(
        uris.observation("recycling", "E08000035", "2023/24"), uris.measure("recycling")
    ) == Literal("40.1", datatype=XSD.decimal)
    assert set(graph.subjects(RDF.type, QB.Slice)) == {piece}  # not the areas' series slices
    assert (YEAR_2023_24, RDFS.label, Literal("2023/24")) in graph


def test_area_slice_holds_the_areas_series(client, recycling):
    uris = Uris.default()
    graph = turtle(client, "/doc/slice/recycling/area/E08000035")
    piece = uris.area_slice("recycling", "E08000035")
    assert (piece, RDF.type, QB.Slice) in graph
    assert graph.value(piece, QB.sliceStructure) == uris.area_slice_key("recycling")
    assert graph.value(piece, REF_AREA) == uris.area("E08000035")
    assert set(graph.objects(piece, QB.observation)) == {
        uris.observation("recycling", "E08000035", period) for period in ["2022/23", "2023/24"]
    }
    assert set(graph.subjects(RDF.type, QB.Slice)) == {piece}
    assert len(set(graph.subjects(RDF.type, QB.Observation))) == 2


def test_period_slice_page_is_a_table_of_councils_linking_to_each_figure(client, recycling):
    page = client.get("/doc/slice/recycling/2023-24").content.decode()
    assert "<h1>Recycling rate: every council, 2023/24</h1>" in page
    assert "<caption>Recycling rate by council, 2023/24</caption>" in page
    assert '<th scope="col">Council</th><th scope="col">Value (percent)</th>' in page
    assert '<th scope="row"><a href="/doc/area/E08000035">Leeds</a></th>' in page
    assert '<a href="/doc/observation/recycling/E08000035/2023-24">40.1</a>' in page
    assert '<a href="/doc/observation/recycling/E08000016/2023-24">45.0</a>' in page
    assert (
        page.index(">Barnsley<")
        < page.index(">Bristol<")
        < page.index(">Leeds<")
        < page.index(">Manchester<")
    )
    assert (
        'href="/doc/dataset/recycling"' in page
        and 'href="/doc/measure/recycling?period=2023-24"' in page
    )
    assert 'href="/doc/structure/recycling/period-slice"' in page
    assert 'href="/doc/slice/recycling/2023-24.ttl"' in page  # the format links


def test_area_slice_page_is_a_table_of_periods(client, recycling):
    page = client.get("/doc/slice/recycling/area/E08000035").content.decode()
    assert "<h1>Recycling rate: Leeds, every period</h1>" in page
    assert "<caption>Recycling rate for Leeds by period</caption>" in page
    assert '<th scope="row"><a href="/doc/slice/recycling/2022-23">2022/23</a></th>' in page
    assert '<a href="/doc/observation/recycling/E08000035/2022-23">38.5</a>' in page
    assert 'href="/doc/area/E08000035"' in page and 'href="/doc/dataset/recycling"' in page
    assert 'href="/doc/measure/recycling"' in page


def test_slices_as_csv(client, recycling):
    by_period = csv_rows(client.get("/doc/slice/recycling/2023-24.csv"))
    assert {row["gss_code"] for row in by_period} == COUNCILS_2023_24
    assert {row["period"] for row in by_period} == {"2023/24"}
    by_area = csv_rows(client.get("/doc/slice/recycling/area/E08000035", HTTP_ACCEPT="text/csv"))
    assert [(row["period"], row["value"], row["unit"]) for row in by_area] == [
        ("2022/23", "38.5", "percent"),
        ("2023/24", "40.1", "percent"),
    ]


def test_recoded_area_code_finds_the_councils_slice(client, recycling):
    response = client.get("/doc/slice/recycling/area/E08000038")
    assert response.status_code == 200
    assert "<h1>Recycling rate: Barnsley, every period</h1>" in response.content.decode()
    assert response["Content-Location"] == "/doc/slice/recycling/area/E08000016.html"


def test_pages_link_to_their_slices_and_structure(client, recycling):
    dataset = client.get("/doc/dataset/recycling").content.decode()
    assert (
        'href="/doc/slice/recycling/2022-23"' in dataset
        and 'href="/doc/structure/recycling"' in dataset
    )
    observation = client.get("/doc/observation/recycling/E08000035/2023-24").content.decode()
    assert (
        'href="/doc/slice/recycling/2023-24"' in observation
        and 'href="/doc/slice/recycling/area/E08000035"' in observation
    )


def test_structure_document_is_the_data_structure_definition(client, recycling):
    uris = Uris.default()
    graph = turtle(client, "/doc/structure/recycling")
    dsd = uris.structure("recycling")
    assert (dsd, RDF.type, QB.DataStructureDefinition) in graph
    components = {
        graph.value(spec, QB.componentProperty) for spec in graph.objects(dsd, QB.component)
    }
    assert components == {REF_AREA, REF_PERIOD, uris.measure("recycling"), UNIT_MEASURE}
    assert set(graph.objects(dsd, QB.sliceKey)) == {
        uris.period_slice_key("recycling"),
        uris.area_slice_key("recycling"),
    }
    assert graph.value(uris.measure("recycling"), UNIT_MEASURE) == uris.unit("percent")
    page = client.get("/doc/structure/recycling").content.decode()
    for link in [
        "/doc/measure/recycling",
        "/doc/unit/percent",
        "/doc/structure/recycling/period-slice",
        "/doc/structure/recycling/area-slice",
        "/doc/dataset/recycling",
    ]:
        assert f'href="{link}"' in page


def test_slice_keys_describe_themselves_and_list_their_slices(client, recycling):
    uris = Uris.default()
    key = uris.period_slice_key("recycling")
    graph = turtle(client, "/doc/structure/recycling/period-slice")
    assert (key, RDF.type, QB.SliceKey) in graph
    assert graph.value(key, QB.componentProperty) == REF_PERIOD
    assert (uris.structure("recycling"), QB.sliceKey, key) in graph
    assert (
        graph.value(uris.area_slice_key("recycling"), RDF.type) is None
    )  # only what describes this key
    periods = client.get("/doc/structure/recycling/period-slice").content.decode()
    assert (
        'href="/doc/slice/recycling/2022-23"' in periods
        and 'href="/doc/slice/recycling/2023-24"' in periods
    )
    areas = client.get("/doc/structure/recycling/area-slice").content.decode()
    assert 'href="/doc/slice/recycling/area/E08000016">Barnsley<' in areas
    assert "Oldtown" not in areas  # no figures, so no slice


def test_unit_document(client, recycling):
    uris = Uris.default()
    graph = turtle(client, "/doc/unit/percent")
    assert (uris.unit("percent"), RDFS.label, Literal("percent", lang="en")) in graph
    assert (uris.measure("recycling"), UNIT_MEASURE, uris.unit("percent")) in graph
    page = client.get("/doc/unit/percent").content.decode()
    assert "<h1>Unit: percent</h1>" in page and 'href="/doc/measure/recycling"' in page


@pytest.mark.parametrize(
    ("uri", "location"),
    [
        ("/graph/recycling", "/data/recycling.nt.gz"),
        ("/graph/reference", "/data/"),
    ],
)
def test_named_graphs_see_other_to_their_contents(client, recycling, uri, location):
    response = client.get(uri)
    assert response.status_code == 303
    assert response["Location"] == location
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/doc/slice/nothing/2023-24",
        "/doc/slice/recycling/2019-20",  # no such period
        "/doc/slice/recycling/2021",  # a period, but not in this dataset
        "/doc/slice/recycling/area/E07000999",  # a council without figures
        "/doc/slice/nothing/area/E08000035",
        "/doc/structure/nothing",
        "/doc/structure/nothing/period-slice",
        "/doc/structure/recycling/council-slice",
        "/doc/unit/furlongs",
        "/graph/nothing",
    ],
)
def test_unknown_things_are_404(client, recycling, path):
    Period.objects.create(
        code="2021", kind="calendar", start_date=date(2021, 1, 1), end_date=date(2021, 12, 31)
    )
    assert client.get(path, HTTP_ACCEPT="text/turtle", follow=True).status_code == 404


def test_unknown_area_in_a_slice_is_404_with_a_council_search(client, recycling):
    response = client.get("/doc/slice/recycling/area/E09999999")
    assert response.status_code == 404
    assert b"No council has the code E09999999" in response.content
    assert b'action="/data/areas/"' in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/doc/slice/recycling/2023-24",
        "/doc/slice/recycling/area/E08000035",
        "/doc/structure/recycling",
        "/doc/unit/percent",
    ],
)
def test_unknown_format_is_406(client, recycling, path):
    response = client.get(path, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 406
    assert "text/turtle (.ttl)" in response.content.decode()
    assert client.get(f"{path}.pdf").status_code == 406


def _published_uris(client, base: str) -> set[str]:
    """Every IRI in the SPARQL store's named graphs (graph names included), the catalogue, the dataset
    document, every area document and the bulk download."""
    query = "SELECT DISTINCT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get(
        "/sparql", {"query": query}, HTTP_ACCEPT="application/sparql-results+json"
    )
    assert response.status_code == 200
    found = {
        cell["value"]
        for row in json.loads(response.content)["results"]["bindings"]
        for cell in row.values()
        if cell["type"] == "uri"
    }
    graphs = [turtle(client, path) for path in ["/data/", "/doc/dataset/recycling"]]
    graphs += [
        turtle(client, f"/doc/area/{gss}")
        for gss in ["E08000035", "E08000003", "E08000016", "E06000023", "E07000999"]
    ]
    graphs.append(
        Graph().parse(
            data=gzip.decompress(client.get("/data/recycling.nt.gz").getvalue()), format="nt"
        )
    )
    found |= {
        str(term)
        for graph in graphs
        for triple in graph
        for term in triple
        if isinstance(term, URIRef)
    }
    return {uri for uri in found if uri.startswith(f"{base}/")}


def test_every_uri_the_hub_publishes_dereferences(client, recycling, rdf_store):
    """Crawl from the published graphs: /id/ and /graph/ URIs answer 303 then 200, other URIs under the
    base answer 200; RDF met on the way is crawled too, so new documents cannot mint dead URIs."""
    do_publish_all()
    base = Uris.default().base
    todo, seen, kinds = sorted(_published_uris(client, base)), set(), set()
    while todo:
        uri = urldefrag(todo.pop())[0]
        if uri in seen:
            continue
        seen.add(uri)
        path = uri.removeprefix(base)
        response = client.get(path, HTTP_ACCEPT="text/turtle")
        if path.startswith(("/id/", "/graph/")):
            assert response.status_code == 303, path
            kinds.add(path.split("/")[2] if path.startswith("/id/") else path)
            path = response["Location"]
            response = client.get(path, HTTP_ACCEPT="text/turtle")
        assert response.status_code == 200, path
        if response["Content-Type"].startswith("text/turtle"):
            graph = Graph().parse(data=response.content, format="turtle")
            todo += [
                str(term)
                for triple in graph
                for term in triple
                if isinstance(term, URIRef)
                and str(term).startswith(f"{base}/")
                and urldefrag(str(term))[0] not in seen
            ]
    assert kinds == {
        "area",
        "dataset",
        "measure",
        "observation",
        "slice",
        "structure",
        "unit",
        "service-area",
        "service-areas",
        "/graph/recycling",
        "/graph/reference",
        "/graph/content",
    }
