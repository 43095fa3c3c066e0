"""The catalogue at /data/ conforms to DCAT-AP 3.0: fetched over HTTP from a live server as Turtle and
validated with pySHACL against the profile's constraints (``shapes/dcat-ap-3.ttl``), warnings included."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from django.conf import settings
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from linkeddata.uris import Uris

pytestmark = pytest.mark.django_db(transaction=True)

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3.ttl"
WDRS = "http://www.w3.org/2007/05/powder-s#"
DCATAP = "http://data.europa.eu/r5r/"
VCARD = "http://www.w3.org/2006/vcard/ns#"


def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def live_catalogue(live_server) -> Graph:
    response = requests.get(
        f"{live_server.url}/data/", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=response.text, format="turtle")


def conformance(graph: Graph) -> tuple[bool, str]:
    conforms, _, report = validate(graph, shacl_graph=shapes(), advanced=True)
    return bool(conforms), str(report)


def test_the_live_catalogue_conforms_to_dcat_ap_3(live_server, recycling, emissions):
    graph = live_catalogue(live_server)
    conforms, report = conformance(graph)
    assert conforms, report

    # every class the shapes speak of is there, so conformance is not vacuous
    for kind in [
        DCAT.Catalog,
        DCAT.CatalogRecord,
        DCAT.Dataset,
        DCAT.Distribution,
        DCAT.DataService,
        FOAF.Agent,
        DCTERMS.LicenseDocument,
        DCTERMS.PeriodOfTime,
        DCTERMS.MediaType,
    ]:
        assert any(graph.subjects(RDF.type, kind)), kind
    assert len(list(graph.subjects(RDF.type, DCAT.Distribution))) == 4


def test_the_catalogue_says_what_dcat_ap_asks_for(live_server, recycling):
    graph = live_catalogue(live_server)
    uris = Uris.default()
    catalogue, dataset = uris.catalogue(), uris.dataset("recycling")
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert graph.value(dataset, DCTERMS.publisher) == publisher
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal(settings.SITE_NAME, lang="en")

    csv, dump = uris.download("recycling", "csv"), uris.download("recycling", "nt.gz")
    for distribution in (csv, dump):
        assert graph.value(distribution, DCAT.accessURL) == distribution
        assert graph.value(distribution, DCAT.downloadURL) == distribution
        licence = graph.value(distribution, DCTERMS.license)
        assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
        assert (graph.value(distribution, DCAT.mediaType), RDF.type, DCTERMS.MediaType) in graph
        assert graph.value(distribution, URIRef(f"{DCATAP}availability")) is not None
    assert graph.value(csv, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    )
    assert graph.value(dump, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/n-triples"
    )
    # the CSV's columns are described by its CSVW metadata
    assert graph.value(csv, URIRef(f"{WDRS}describedby")) == uris.csv_metadata("recycling")

    # temporal coverage: financial years 2022/23 and 2023/24
    period = graph.value(dataset, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal("2022-04-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2024-03-31", datatype=XSD.date)
    assert graph.value(dataset, DCTERMS.modified).datatype == XSD.dateTime
    assert (graph.value(dataset, DCAT.contactPoint), RDF.type, URIRef(f"{VCARD}Kind")) in graph
    # provenance instead of dct:source, which DCAT-AP keeps for a dataset this one derives from
    assert graph.value(dataset, DCTERMS.source) is None
    assert graph.value(dataset, DCTERMS.provenance) is not None

    record = uris.catalogue_record("recycling")
    assert (catalogue, DCAT.record, record) in graph
    assert graph.value(record, FOAF.primaryTopic) == dataset


def _drop(graph: Graph, subject, predicate) -> Graph:
    changed = Graph() + graph
    changed.remove((subject, predicate, None))
    return changed


def test_the_shapes_catch_what_dcat_ap_forbids(live_server, recycling):
    """Each breach of the profile, made in a copy of the live catalogue, is reported."""
    graph = live_catalogue(live_server)
    uris = Uris.default()
    dataset, csv = uris.dataset("recycling"), uris.download("recycling", "csv")
    catalogue, record = uris.catalogue(), uris.catalogue_record("recycling")
    source = URIRef("https://example.gov.uk/env18")
    breaches = {
        "distribution without accessURL": _drop(graph, csv, DCAT.accessURL),
        "catalogue without publisher": _drop(graph, catalogue, DCTERMS.publisher),
        "agent without a name": _drop(graph, uris.publisher(), FOAF.name),
        "record without modified": _drop(graph, record, DCTERMS.modified),
        "service without endpoint": _drop(graph, uris.sparql(), DCAT.endpointURL),
        "dataset without temporal coverage (recommended)": _drop(graph, dataset, DCTERMS.temporal),
        "distribution without format (recommended)": _drop(graph, csv, DCTERMS.format),
    }
    undated = _drop(graph, dataset, DCTERMS.modified)
    undated.add((dataset, DCTERMS.modified, Literal("last spring")))
    breaches["modified not a date"] = undated
    sourced = Graph() + graph
    sourced.add((dataset, DCTERMS.source, source))  # a web page, not a dcat:Dataset
    breaches["dct:source on a dataset pointing at a page"] = sourced
    untyped_licence = Graph() + graph
    untyped_licence.remove((graph.value(csv, DCTERMS.license), RDF.type, None))
    breaches["licence not a LicenseDocument"] = untyped_licence
    two_publishers = Graph() + graph
    two_publishers.add((catalogue, DCTERMS.publisher, BNode()))
    breaches["two publishers"] = two_publishers
    for breach, broken in breaches.items():
        conforms, _ = conformance(broken)
        assert not conforms, breach


def test_the_public_content_graph_is_a_dataset_of_the_catalogue(live_server, recycling, rdf_store):
    from communities.models import Visibility
    from tests.factories import CommunityFactory, GoodPracticeFactory, ThreadFactory

    assert (None, RDF.type, DCAT.Dataset) in live_catalogue(live_server)
    content = Uris.default().graph("content")
    assert (content, RDF.type, DCAT.Dataset) not in live_catalogue(live_server)  # nothing public

    community = CommunityFactory(title="Open waste")
    ThreadFactory(community=community, title="Food waste?")
    ThreadFactory(
        community=CommunityFactory(title="Private", visibility=Visibility.PRIVATE),
        title="Secret",
    )
    GoodPracticeFactory(title="Tag and educate")

    graph = live_catalogue(live_server)
    conforms, report = conformance(graph)
    assert conforms, report
    uris = Uris.default()
    assert (uris.catalogue(), DCAT.dataset, content) in graph
    assert graph.value(content, DCTERMS.title).startswith("Good practice and communities")
    assert graph.value(content, DCTERMS.description)
    assert graph.value(content, DCTERMS.publisher) == graph.value(
        uris.catalogue(), DCTERMS.publisher
    )
    licence = graph.value(content, DCTERMS.license)
    assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
    distribution = graph.value(content, DCAT.distribution)
    assert graph.value(distribution, DCAT.accessURL) == uris.sparql()
    service = graph.value(distribution, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert (service, DCAT.servesDataset, content) in graph
    assert graph.value(service, DCAT.endpointURL) == uris.sparql()
    record = uris.catalogue_record("content")
    assert graph.value(record, FOAF.primaryTopic) == content
    assert "Secret" not in graph.serialize(format="nt")

    # the dataset's URI is the named graph's, which dereferences (to the SPARQL endpoint)
    response = requests.get(f"{live_server.url}/graph/content", allow_redirects=False, timeout=30)
    assert response.status_code == 303
