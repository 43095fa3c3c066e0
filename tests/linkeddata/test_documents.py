"""Cool URIs: 303 from /id/ to /doc/, content negotiation by Accept and extension, headers, 404 and 406."""

import csv
import gzip
import io
import json

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from linkeddata.uris import Uris

pytestmark = pytest.mark.django_db

RDF_FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdf", "xml"),
    "application/n-triples": ("nt", "nt"),
}
DOCUMENTS = [  # every format, CSV included
    "/doc/area/E08000035",
    "/doc/dataset/recycling",
    "/doc/measure/recycling",
    "/doc/observation/recycling/E08000035/2023-24",
    "/doc/slice/recycling/2023-24",
    "/doc/slice/recycling/area/E08000035",
]
RDF_DOCUMENTS = [  # HTML and RDF: a table of these would say nothing
    "/doc/structure/recycling",
    "/doc/structure/recycling/period-slice",
    "/doc/structure/recycling/area-slice",
    "/doc/unit/percent",
]


@pytest.mark.parametrize(
    ("uri", "document"),
    [
        ("/id/area/E08000035", "/doc/area/E08000035"),
        ("/id/dataset/recycling", "/doc/dataset/recycling"),
        ("/id/measure/recycling", "/doc/measure/recycling"),
        (
            "/id/observation/recycling/E08000035/2023-24",
            "/doc/observation/recycling/E08000035/2023-24",
        ),
        ("/id/slice/recycling/2023-24", "/doc/slice/recycling/2023-24"),
        ("/id/slice/recycling/area/E08000035", "/doc/slice/recycling/area/E08000035"),
        ("/id/structure/recycling", "/doc/structure/recycling"),
        ("/id/structure/recycling/period-slice", "/doc/structure/recycling/period-slice"),
        ("/id/structure/recycling/area-slice", "/doc/structure/recycling/area-slice"),
        ("/id/unit/percent", "/doc/unit/percent"),
    ],
)
def test_identifiers_answer_303_see_other_to_their_document(client, recycling, uri, document):
    response = client.get(uri, HTTP_ACCEPT="text/turtle")
    assert response.status_code == 303
    assert response["Location"] == document
    assert client.get(document, HTTP_ACCEPT="text/turtle").status_code == 200


@pytest.mark.parametrize("document", DOCUMENTS + RDF_DOCUMENTS)
@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_every_rdf_format_by_accept_and_by_extension(client, recycling, document, media_type):
    extension, rdflib_format = RDF_FORMATS[media_type]
    negotiated = client.get(document, HTTP_ACCEPT=media_type)
    by_extension = client.get(f"{document}.{extension}")

    for response in (negotiated, by_extension):
        assert response.status_code == 200
        assert response["Content-Type"].split(";")[0] == media_type
        assert response["Access-Control-Allow-Origin"] == "*"
        assert (
            f'<http://testserver{document}.ttl>; rel="alternate"; type="text/turtle"'
            in response["Link"]
        )
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert len(graph) > 0
    assert "Accept" in negotiated["Vary"]
    assert negotiated["Content-Location"] == f"{document}.{extension}"
    assert (".csv>" in negotiated["Link"]) == (document in DOCUMENTS)


@pytest.mark.parametrize("document", RDF_DOCUMENTS)
def test_html_but_no_csv_for_structure_and_units(client, recycling, document):
    assert client.get(document, HTTP_ACCEPT="text/html").status_code == 200
    assert client.get(f"{document}.html")["Content-Type"].startswith("text/html")
    for response in (client.get(document, HTTP_ACCEPT="text/csv"), client.get(f"{document}.csv")):
        assert response.status_code == 406
        assert (
            "text/csv" not in response.content.decode()
            and "text/turtle" in response.content.decode()
        )


def test_area_document_describes_the_area_and_its_observations(client, recycling):
    graph = Graph().parse(data=client.get("/doc/area/E08000035.ttl").content, format="turtle")
    uris = Uris.default()
    leeds = uris.area("E08000035")
    assert (
        leeds,
        URIRef("http://www.w3.org/2002/07/owl#sameAs"),
        URIRef("http://statistics.data.gov.uk/id/statistical-geography/E08000035"),
    ) in graph
    observation = uris.observation("recycling", "E08000035", "2023/24")
    assert graph.value(observation, uris.measure("recycling")) == Literal(
        "40.1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_html_and_csv_by_accept_and_extension(client, recycling, document):
    html = client.get(document, HTTP_ACCEPT="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert client.get(f"{document}.html")["Content-Type"].startswith("text/html")
    for response in (client.get(document, HTTP_ACCEPT="text/csv"), client.get(f"{document}.csv")):
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows and "value" in rows[0]


def test_jsonld_is_json(client, recycling):
    assert json.loads(client.get("/doc/area/E08000035.jsonld").content)


def test_unknown_format_gets_406_listing_the_offered_ones(client, recycling):
    response = client.get("/doc/area/E08000035", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 406
    body = response.content.decode()
    for media_type in [
        "text/html",
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
        "text/csv",
    ]:
        assert media_type in body
    assert client.get("/doc/area/E08000035.pdf").status_code == 406


def test_recoded_area_codes_find_the_council(client, recycling):
    assert b"<h1>Barnsley</h1>" in client.get("/doc/area/E08000038").content


def test_unknown_area_code_is_404_with_a_search_hint(client, recycling):
    response = client.get("/doc/area/E09999999")
    assert response.status_code == 404
    assert b"No council has the code E09999999" in response.content
    assert b'action="/data/areas/"' in response.content
    assert client.get("/data/compare/E09999999/").status_code == 404
    search = client.get("/data/areas/", {"q": "leed"})
    assert b"/doc/area/E08000035" in search.content


def test_catalogue_lists_datasets_and_downloads_in_html_and_dcat(client, recycling, rdf_store):
    html = client.get("/data/")
    assert b"/data/recycling.csv" in html.content and b"/data/recycling.nt.gz" in html.content
    graph = Graph().parse(
        data=client.get("/data/", HTTP_ACCEPT="text/turtle").content, format="turtle"
    )
    dcat = "http://www.w3.org/ns/dcat#"
    catalogue = URIRef(f"{Uris.default().base}/data/#catalogue")
    assert (catalogue, URIRef(f"{dcat}dataset"), Uris.default().dataset("recycling")) in graph
    distributions = set(
        graph.objects(Uris.default().dataset("recycling"), URIRef(f"{dcat}distribution"))
    )
    assert {str(d).rsplit("/", 1)[1] for d in distributions} == {"recycling.csv", "recycling.nt.gz"}


def test_bulk_downloads(client, recycling, rdf_store):
    csv_download = client.get("/data/recycling.csv")
    body = (
        b"".join(csv_download.streaming_content) if csv_download.streaming else csv_download.content
    )
    assert body.decode().splitlines()[0] == "gss_code,area_name,period,value,unit"
    assert len(body.decode().splitlines()) == 7
    dump = client.get("/data/recycling.nt.gz")
    data = b"".join(dump.streaming_content) if dump.streaming else dump.content
    graph = Graph().parse(data=gzip.decompress(data), format="nt")
    # six observations of six triples, each in its period's slice (two slices of four triples)
    # and in its area's series slice (four areas: four slices of four triples); the rest of the
    # cube (data set, structure, code lists) is checked in test_dumps.py
    qb = "http://purl.org/linked-data/cube#"
    in_slices = set(graph.subjects(RDF.type, URIRef(f"{qb}Observation"))) | set(
        graph.subjects(RDF.type, URIRef(f"{qb}Slice"))
    )
    cube = [t for t in graph if t[0] in in_slices or t[1] == URIRef(f"{qb}slice")]
    assert len(cube) == 6 * 6 + 6 + 2 * 4 + 6 + 4 * 4
    assert dump["Access-Control-Allow-Origin"] == "*"
