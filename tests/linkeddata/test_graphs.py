"""Graph shape (isomorphism against small expected Turtle files) and the Data Cube integrity constraints."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from linkeddata.services.graphs import (
    AreaRecord,
    Catalogue,
    DatasetRecord,
    MeasureRecord,
    ObservationRecord,
    area_graph,
    catalogue_graph,
    code_list_graph,
    dataset_graph,
    observations_graph,
    period_graph,
)
from linkeddata.uris import Uris

DATA = Path(__file__).parent / "data"
URIS = Uris("http://hub.example")
MEASURE = MeasureRecord(
    slug="recycling",
    label="Recycling rate",
    description="Household waste recycled.",
    unit="percent",
    higher_is_better=True,
    source="DEFRA",
    source_url="https://example.gov.uk/env18",
    licence_url="http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)
DATASET = DatasetRecord(
    slug="recycling",
    title="Recycling rate",
    description="Household waste recycled.",
    measure=MEASURE,
    attribution="Contains public sector information (OGL v3.0).",
    modified=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    observation_count=2,
)
OBSERVATIONS = [
    ObservationRecord("E08000035", "2023/24", Decimal("40.1000")),
    ObservationRecord("E08000003", "2023/24", Decimal("33.2")),
]
AREAS = [
    AreaRecord(
        "E08000035",
        "Leeds City Council",
        "Leeds",
        "Metropolitan district",
        "Yorkshire and The Humber",
        "England",
        True,
        similar=("E08000003",),
    ),
    AreaRecord(
        "E07000999",
        "Oldtown District Council",
        "Oldtown",
        "Non-metropolitan district",
        "South West",
        "England",
        False,
        end_date=date(2023, 3, 31),
        successors=("E06000023",),
    ),
]


def expected(name: str) -> Graph:
    return Graph().parse(DATA / name, format="turtle")


def assert_isomorphic(actual: Graph, name: str) -> None:
    wanted = expected(name)
    if not isomorphic(actual, wanted):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(wanted))
        pytest.fail(
            f"graphs differ\nonly built:\n{only_actual.serialize(format='nt')}\nonly expected:\n{only_expected.serialize(format='nt')}"
        )


def test_observations_graph_shape():
    assert_isomorphic(
        observations_graph(URIS, "recycling", MEASURE, OBSERVATIONS), "observations.ttl"
    )


def test_dataset_graph_shape():
    assert_isomorphic(dataset_graph(URIS, DATASET), "dataset.ttl")


def test_area_graph_shape():
    assert_isomorphic(area_graph(URIS, AREAS), "areas.ttl")


def test_period_graph_links_government_and_calendar_years():
    assert_isomorphic(period_graph(["2023/24", "2023"]), "periods.ttl")


# --- W3C RDF Data Cube, section 11: integrity constraints as SPARQL ASK queries (true = violated) ---

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
INTEGRITY_CONSTRAINTS = {
    "IC-1 unique data set": """ASK {
      { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?dataset1 . } }
      UNION { ?obs a qb:Observation ; qb:dataSet ?dataset1, ?dataset2 . FILTER (?dataset1 != ?dataset2) } }""",
    "IC-2 unique DSD": """ASK {
      { ?dataset a qb:DataSet . FILTER NOT EXISTS { ?dataset qb:structure ?dsd . } }
      UNION { ?dataset a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2) } }""",
    "IC-3 DSD includes measure": """ASK {
      ?dsd a qb:DataStructureDefinition .
      FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty [a qb:MeasureProperty]] } }""",
    "IC-4 dimensions have range": """ASK { ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?dim rdfs:range [] } }""",
    "IC-5 concept dimensions have code lists": """ASK {
      ?dim a qb:DimensionProperty ; rdfs:range skos:Concept . FILTER NOT EXISTS { ?dim qb:codeList [] } }""",
    "IC-6 only attributes may be optional": """ASK {
      ?dsd qb:component ?componentSpec . ?componentSpec qb:componentRequired "false"^^xsd:boolean ;
      qb:componentProperty ?component . FILTER NOT EXISTS { ?component a qb:AttributeProperty } }""",
    "IC-7 slice keys must be declared": """ASK {
      ?sliceKey a qb:SliceKey . FILTER NOT EXISTS { [a qb:DataStructureDefinition] qb:sliceKey ?sliceKey } }""",
    "IC-8 slice keys consistent with DSD": """ASK {
      ?slicekey a qb:SliceKey ; qb:componentProperty ?prop . ?dsd qb:sliceKey ?slicekey .
      FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty ?prop] } }""",
    "IC-9 unique slice structure": """ASK {
      { ?slice a qb:Slice . FILTER NOT EXISTS { ?slice qb:sliceStructure ?key } }
      UNION { ?slice a qb:Slice ; qb:sliceStructure ?key1, ?key2 . FILTER (?key1 != ?key2) } }""",
    "IC-10 slice dimensions complete": """ASK {
      ?slice qb:sliceStructure [qb:componentProperty ?dim] . FILTER NOT EXISTS { ?slice ?dim [] } }""",
    "IC-11 all dimensions required": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
      FILTER NOT EXISTS { ?obs ?dim [] } }""",
    "IC-12 no duplicate observations": """ASK {
      FILTER( ?allEqual )
      { SELECT (MIN(?equal) AS ?allEqual) WHERE {
          ?obs1 qb:dataSet ?dataset . ?obs2 qb:dataSet ?dataset . FILTER (?obs1 != ?obs2)
          ?dataset qb:structure/qb:component/qb:componentProperty ?dim . ?dim a qb:DimensionProperty .
          ?obs1 ?dim ?value1 . ?obs2 ?dim ?value2 .
          BIND( ?value1 = ?value2 AS ?equal)
        } GROUP BY ?obs1 ?obs2 } }""",
    "IC-13 required attributes": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component ?component .
      ?component qb:componentRequired "true"^^xsd:boolean ; qb:componentProperty ?attr .
      FILTER NOT EXISTS { ?obs ?attr [] } }""",
    "IC-14 all measures present": """ASK {
      ?obs qb:dataSet/qb:structure ?dsd .
      FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
      ?dsd qb:component/qb:componentProperty ?measure . ?measure a qb:MeasureProperty .
      FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-15 measure dimension consistent": """ASK {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure .
      ?dsd qb:component/qb:componentProperty qb:measureType . FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-16 single measure on measure dimension observation": """ASK {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure ; ?omeasure [] .
      ?dsd qb:component/qb:componentProperty qb:measureType ; qb:component/qb:componentProperty ?omeasure .
      ?omeasure a qb:MeasureProperty . FILTER (?omeasure != ?measure) }""",
    "IC-17 all measures present in measures dimension cube": """ASK {
      { SELECT ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
          { SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
              ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty . } GROUP BY ?dsd }
          ?obs1 qb:dataSet/qb:structure ?dsd ; qb:dataSet ?dataset ; qb:measureType ?m1 .
          ?obs2 qb:dataSet ?dataset ; qb:measureType ?m2 .
          FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?dim . FILTER (?dim != qb:measureType)
              ?dim a qb:DimensionProperty . ?obs1 ?dim ?v1 . ?obs2 ?dim ?v2. FILTER (?v1 != ?v2) }
        } GROUP BY ?obs1 ?numMeasures HAVING (?count != ?numMeasures) } }""",
    "IC-18 consistent data set links": """ASK {
      ?dataset qb:slice ?slice . ?slice qb:observation ?obs . FILTER NOT EXISTS { ?obs qb:dataSet ?dataset . } }""",
    "IC-19 codes from code list (concept scheme)": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list . ?list a skos:ConceptScheme . ?obs ?dim ?v .
      FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list } }""",
    "IC-19 codes from code list (collection)": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list . ?list a skos:Collection . ?obs ?dim ?v .
      FILTER NOT EXISTS { ?v a skos:Concept . ?list skos:member+ ?v } }""",
}
# IC-20 and IC-21 apply only to code lists that are qb:HierarchicalCodeList; the hub publishes none.


def published_cube() -> Graph:
    graph = catalogue_graph(URIS, Catalogue("Hub data", "Benchmarks.", [DATASET]))
    graph += observations_graph(URIS, "recycling", MEASURE, OBSERVATIONS)
    graph += area_graph(URIS, AREAS)
    graph += period_graph(["2023/24"])
    # the reference graph's code lists: every area and period the observations use
    graph += code_list_graph(
        [("E08000035", "Leeds"), ("E08000003", "Manchester")], ["2023/24"], URIS
    )
    return graph


@pytest.mark.parametrize("name", list(INTEGRITY_CONSTRAINTS))
def test_cube_satisfies_integrity_constraint(name):
    assert not published_cube().query(PREFIXES + INTEGRITY_CONSTRAINTS[name]).askAnswer, (
        f"{name} violated"
    )


BROKEN = """
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
<http://hub.example/id/observation/copy> a qb:Observation ;
    qb:dataSet <http://hub.example/id/dataset/recycling> ;
    sdmx-dimension:refArea <http://hub.example/id/area/E08000035> ;
    sdmx-dimension:refPeriod <http://reference.data.gov.uk/id/government-year/2023-2024> .
<http://hub.example/id/observation/no-period> a qb:Observation ;
    qb:dataSet <http://hub.example/id/dataset/recycling> ;
    sdmx-dimension:refArea <http://hub.example/id/area/E08000035> .
"""


@pytest.mark.parametrize(
    "name",
    [
        "IC-11 all dimensions required",
        "IC-12 no duplicate observations",
        "IC-13 required attributes",
        "IC-14 all measures present",
    ],
)
def test_integrity_constraints_catch_a_broken_cube(name):
    graph = published_cube()
    graph.parse(data=BROKEN, format="turtle")
    assert graph.query(PREFIXES + INTEGRITY_CONSTRAINTS[name]).askAnswer
