"""Pure graph building: plain records in, an rdflib Graph out. No database, no request, no settings.

The cube follows the W3C RDF Data Cube vocabulary in its normalised form (``qb:componentProperty``
written beside ``qb:dimension``/``qb:measure``/``qb:attribute``) so the specification's integrity
constraints can be checked directly with SPARQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, QB, RDF, RDFS, SDO, SKOS, VOID, XSD
from rdflib.term import IdentifiedNode, Node

from linkeddata.uris import CONTENT_GRAPH, Uris, ons_area_uri, period_uri
from linkeddata.vocab import (
    ADMS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    ADMS_STATUS,
    DCAT_AP_3,
    DCATAP,
    EU_ACCESS_RIGHT,
    EU_AVAILABILITY,
    EU_COUNTRY,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    HUB,
    IANA_MEDIA_TYPE,
    INTERVALS,
    PREFIXES,
    SDMX_ATTRIBUTE,
    SDMX_CONCEPT,
    SDMX_DIMENSION,
    SIOC,
    VCARD,
)

MEDIA_TYPES = str(IANA_MEDIA_TYPE)
DATA_CUBE = URIRef("http://www.w3.org/TR/vocab-data-cube/")
CSVW = URIRef("http://www.w3.org/TR/tabular-data-model/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
DESCRIBED_BY = URIRef("http://www.w3.org/2007/05/powder-s#describedby")  # as CSVW links metadata
PUBLISHER = "Local Government Knowledge Hub"


@dataclass(frozen=True)
class AreaRecord:
    gss_code: str
    name: str
    short_name: str
    authority_type: str
    region: str
    nation: str
    is_current: bool
    end_date: date | None = None
    successors: tuple[str, ...] = ()
    similar: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureRecord:
    slug: str
    label: str
    description: str
    unit: str
    higher_is_better: bool
    source: str
    source_url: str
    licence_url: str


@dataclass(frozen=True)
class DatasetRecord:
    slug: str
    title: str
    description: str
    measure: MeasureRecord
    attribution: str
    modified: datetime
    observation_count: int = 0
    issued: datetime | None = None
    first_day: date | None = None  # of the earliest period with figures (DCAT temporal coverage)
    last_day: date | None = None
    publisher: str = PUBLISHER


@dataclass(frozen=True)
class ObservationRecord:
    gss_code: str
    period_code: str
    value: Decimal


@dataclass(frozen=True)
class Distribution:
    extension: str
    media_type: str
    title: str
    file_type: str  # in the EU file-type authority table
    description: str
    conforms_to: URIRef


DISTRIBUTIONS = (
    Distribution(
        "csv",
        "text/csv",
        "CSV (one row per observation)",
        "CSV",
        "One row per council and period, with a CSVW metadata document describing the columns.",
        CSVW,
    ),
    Distribution(
        "nt.gz",
        "application/n-triples",
        "N-Triples, gzip-compressed",
        "RDF_N_TRIPLES",
        "The whole RDF Data Cube on its own: data set, structure, code lists, slices and observations.",
        DATA_CUBE,
    ),
)


@dataclass(frozen=True)
class ContentDatasetRecord:
    """The public content's named graph as a dataset of the catalogue."""

    title: str
    description: str
    issued: datetime
    modified: datetime
    licence_url: str
    publisher: str = PUBLISHER


@dataclass
class Catalogue:
    title: str
    description: str
    datasets: list[DatasetRecord] = field(default_factory=list)
    publisher: str = PUBLISHER
    licence_url: str = ""  # of the catalogue's own metadata
    content: ContentDatasetRecord | None = None  # none while nothing is public


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def decimal_literal(value: Decimal) -> Literal:
    """A canonical xsd:decimal (``35.9``, not ``35.9000`` or ``1E+1``)."""
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


# Formats written by Oxigraph's serializer: about ten times faster than rdflib's Turtle writer.
OXIGRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def _ox_named(term: Node) -> ox.NamedNode:
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    raise TypeError(f"{term!r} is not an IRI")


def _ox_resource(term: Node) -> ox.NamedNode | ox.BlankNode:
    if isinstance(term, BNode):
        return ox.BlankNode(term)
    return _ox_named(term)


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(
            str(term), datatype=ox.NamedNode(term.datatype) if term.datatype else None
        )
    return _ox_resource(term)


def serialize_graph(graph: Graph, rdflib_format: str) -> bytes:
    """A graph as bytes in one of rdflib's format names; Turtle and N-Triples are written by Oxigraph."""
    oxigraph_format = OXIGRAPH_FORMATS.get(rdflib_format)
    if oxigraph_format is None:
        return graph.serialize(format=rdflib_format, encoding="utf-8")
    ordered = sorted(
        graph, key=lambda triple: (triple[0], triple[1])
    )  # one Turtle block per subject
    triples = (ox.Triple(_ox_resource(s), _ox_named(p), _ox_term(o)) for s, p, o in ordered)
    prefixes = PREFIXES if oxigraph_format is ox.RdfFormat.TURTLE else None
    return ox.serialize(triples, format=oxigraph_format, prefixes=prefixes)  # type: ignore[return-value]  # bytes without an output


def unit_slug(unit: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in unit.lower()).strip("-").replace("--", "-")


def _component(
    graph: Graph,
    dsd: URIRef,
    role: URIRef,
    prop: URIRef,
    order: int | None = None,
    required: bool | None = None,
) -> None:
    spec = BNode()
    graph.add((dsd, QB.component, spec))
    graph.add((spec, RDF.type, QB.ComponentSpecification))
    graph.add((spec, role, prop))
    graph.add((spec, QB.componentProperty, prop))
    if order is not None:
        graph.add((spec, QB.order, Literal(order)))
    if required is not None:
        graph.add((spec, QB.componentRequired, Literal(required)))


def component_properties_graph() -> Graph:
    """The dimensions and attribute every hub cube shares."""
    graph = new_graph()
    graph.add((SDMX_DIMENSION.refArea, RDF.type, QB.DimensionProperty))
    graph.add((SDMX_DIMENSION.refArea, RDF.type, RDF.Property))
    graph.add((SDMX_DIMENSION.refArea, RDFS.label, Literal("Reference area", lang="en")))
    graph.add((SDMX_DIMENSION.refArea, QB.concept, SDMX_CONCEPT.refArea))
    graph.add((SDMX_DIMENSION.refArea, RDFS.range, HUB.Area))
    graph.add((SDMX_DIMENSION.refArea, QB.codeList, HUB.areas))
    graph.add((SDMX_DIMENSION.refPeriod, RDF.type, QB.DimensionProperty))
    graph.add((SDMX_DIMENSION.refPeriod, RDF.type, RDF.Property))
    graph.add((SDMX_DIMENSION.refPeriod, RDFS.label, Literal("Reference period", lang="en")))
    graph.add((SDMX_DIMENSION.refPeriod, QB.concept, SDMX_CONCEPT.refPeriod))
    graph.add((SDMX_DIMENSION.refPeriod, RDFS.range, INTERVALS.Interval))
    graph.add((SDMX_DIMENSION.refPeriod, QB.codeList, HUB.periods))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDF.type, QB.AttributeProperty))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDF.type, RDF.Property))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDFS.label, Literal("Unit of measure", lang="en")))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, QB.concept, SDMX_CONCEPT.unitMeasure))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDFS.range, SKOS.Concept))
    return graph


def measure_graph(uris: Uris, measure: MeasureRecord) -> Graph:
    graph = new_graph()
    prop, unit = uris.measure(measure.slug), uris.unit(unit_slug(measure.unit))
    graph.add((prop, RDF.type, QB.MeasureProperty))
    graph.add((prop, RDF.type, RDF.Property))
    graph.add((prop, RDFS.label, Literal(measure.label, lang="en")))
    if measure.description:
        graph.add((prop, RDFS.comment, Literal(measure.description, lang="en")))
    graph.add((prop, RDFS.range, XSD.decimal))
    graph.add((prop, QB.concept, SDMX_CONCEPT.obsValue))
    graph.add((prop, HUB.higherIsBetter, Literal(measure.higher_is_better)))
    graph.add((prop, SDMX_ATTRIBUTE.unitMeasure, unit))
    graph.add((prop, PROV.wasDerivedFrom, URIRef(measure.source_url)))  # not a dcat:Dataset
    graph.add((prop, DCTERMS.license, URIRef(measure.licence_url)))
    graph.add((unit, RDF.type, SKOS.Concept))
    graph.add((unit, RDFS.label, Literal(measure.unit, lang="en")))
    graph.add((unit, SKOS.prefLabel, Literal(measure.unit, lang="en")))
    return graph


def structure_graph(uris: Uris, dataset: DatasetRecord) -> Graph:
    """A dataset's qb:DataStructureDefinition, its slice keys, and the component properties it uses."""
    graph = new_graph()
    graph += component_properties_graph()
    graph += measure_graph(uris, dataset.measure)
    dsd, prop = uris.structure(dataset.slug), uris.measure(dataset.measure.slug)
    graph.add((dsd, RDF.type, QB.DataStructureDefinition))
    graph.add((dsd, RDFS.label, Literal(f"Structure of {dataset.title}", lang="en")))
    _component(graph, dsd, QB.dimension, SDMX_DIMENSION.refArea, order=1)
    _component(graph, dsd, QB.dimension, SDMX_DIMENSION.refPeriod, order=2)
    _component(graph, dsd, QB.measure, prop)
    _component(graph, dsd, QB.attribute, SDMX_ATTRIBUTE.unitMeasure, required=True)
    slice_keys = (
        (uris.period_slice_key(dataset.slug), "One period, every area", SDMX_DIMENSION.refPeriod),
        (uris.area_slice_key(dataset.slug), "One area, every period", SDMX_DIMENSION.refArea),
    )
    for key, label, dimension in slice_keys:
        graph.add((dsd, QB.sliceKey, key))
        graph.add((key, RDF.type, QB.SliceKey))
        graph.add((key, RDFS.label, Literal(label, lang="en")))
        graph.add((key, QB.componentProperty, dimension))
    return graph


def code_list_graph(
    areas: Iterable[tuple[str, str]], period_codes: Iterable[str], uris: Uris
) -> Graph:
    """The code lists of the two dimensions with the given concepts: areas as (GSS code, name) and
    periods by code. A cube's download carries the concepts it uses, so it satisfies the Data Cube's
    IC-19 (every dimension value is in its code list) on its own."""
    graph = new_graph()
    for scheme, label in ((HUB.areas, "Council areas"), (HUB.periods, "Reference periods")):
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, RDFS.label, Literal(label, lang="en")))
    for gss_code, name in areas:
        uri = uris.area(gss_code)
        graph.add((uri, RDF.type, SKOS.Concept))
        graph.add((uri, RDF.type, HUB.Area))
        graph.add((uri, SKOS.inScheme, HUB.areas))
        graph.add((uri, SKOS.notation, Literal(gss_code)))
        graph.add((uri, SKOS.prefLabel, Literal(name, lang="en")))
    codes = list(period_codes)
    graph += period_graph(codes)
    for code in codes:
        graph.add((period_uri(code), RDF.type, SKOS.Concept))
        graph.add((period_uri(code), SKOS.inScheme, HUB.periods))
    return graph


def _typed(graph: Graph, uri: URIRef, kind: URIRef) -> URIRef:
    graph.add((uri, RDF.type, kind))
    return uri


def agents_graph(uris: Uris, publisher: str) -> Graph:
    """The publisher (a foaf:Agent) and the contact point (a vcard:Kind) of the catalogue and datasets."""
    graph = new_graph()
    agent, contact = uris.publisher(), uris.contact_point()
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, Literal(publisher, lang="en")))
    graph.add(
        (
            agent,
            DCTERMS.type,
            _typed(graph, ADMS_PUBLISHER_TYPE.NonProfitOrganisation, SKOS.Concept),
        )
    )
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(publisher, lang="en")))
    graph.add((contact, VCARD.hasURL, URIRef(f"{uris.base}/data/")))
    return graph


def _licence(graph: Graph, subject: URIRef, licence_url: str) -> None:
    licence = URIRef(licence_url)
    graph.add((subject, DCTERMS.license, licence))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.type, _typed(graph, ADMS_LICENCE_TYPE.Attribution, SKOS.Concept)))


def _common(graph: Graph, uris: Uris, subject: URIRef, publisher: str) -> None:
    """What DCAT-AP recommends on both the catalogue and its datasets: publisher, language, coverage."""
    graph += agents_graph(uris, publisher)
    graph.add((subject, DCTERMS.publisher, uris.publisher()))
    graph.add((subject, DCTERMS.language, _typed(graph, EU_LANGUAGE.ENG, DCTERMS.LinguisticSystem)))
    graph.add((subject, DCTERMS.spatial, _typed(graph, EU_COUNTRY.GBR, DCTERMS.Location)))


def dataset_graph(uris: Uris, dataset: DatasetRecord) -> Graph:
    """A dataset's description: qb:DataSet with its structure, and its DCAT-AP 3.0 description
    (distributions, licence, publisher, contact point, coverage, provenance)."""
    graph = new_graph()
    graph += structure_graph(uris, dataset)
    ds, dsd = uris.dataset(dataset.slug), uris.structure(dataset.slug)
    source = URIRef(dataset.measure.source_url)
    graph.add((ds, RDF.type, QB.DataSet))
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, RDF.type, VOID.Dataset))
    graph.add((ds, RDF.type, PROV.Entity))
    graph.add((ds, DCTERMS.title, Literal(dataset.title, lang="en")))
    graph.add((ds, RDFS.label, Literal(dataset.title, lang="en")))
    graph.add((ds, DCTERMS.description, Literal(dataset.description, lang="en")))
    graph.add((ds, DCTERMS.identifier, Literal(dataset.slug)))
    _licence(graph, ds, dataset.measure.licence_url)
    rights = BNode()
    graph.add((ds, DCTERMS.rights, rights))
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    graph.add((rights, RDFS.label, Literal(dataset.attribution, lang="en")))
    graph.add(
        (ds, DCTERMS.accessRights, _typed(graph, EU_ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement))
    )
    graph.add((ds, DCTERMS.modified, Literal(dataset.modified.replace(microsecond=0))))
    if dataset.issued:
        graph.add((ds, DCTERMS.issued, Literal(dataset.issued.replace(microsecond=0))))
    graph.add(
        (ds, DCTERMS.accrualPeriodicity, _typed(graph, EU_FREQUENCY.ANNUAL, DCTERMS.Frequency))
    )
    graph.add((ds, DCTERMS.conformsTo, _typed(graph, DATA_CUBE, DCTERMS.Standard)))
    for theme in (EU_DATA_THEME.GOVE, EU_DATA_THEME.REGI):
        graph.add((ds, DCAT.theme, _typed(graph, theme, SKOS.Concept)))
        graph.add((theme, SKOS.inScheme, URIRef(str(EU_DATA_THEME).rstrip("/"))))
    for keyword in ("local government", "benchmarking", dataset.measure.label.lower()):
        graph.add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    graph.add((ds, DCAT.landingPage, _typed(graph, uris.dataset_page(dataset.slug), FOAF.Document)))
    _common(graph, uris, ds, dataset.publisher)
    graph.add((ds, DCAT.contactPoint, uris.contact_point()))
    if dataset.first_day and dataset.last_day:
        period = BNode()
        graph.add((ds, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(dataset.first_day, datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(dataset.last_day, datatype=XSD.date)))
    # Provenance: the figures are derived from the source's publication, which is a web page or a
    # repository, not a dcat:Dataset, so DCAT-AP's dct:source does not apply.
    graph.add((ds, PROV.wasDerivedFrom, source))
    graph.add((source, RDF.type, PROV.Entity))
    graph.add((source, DCTERMS.title, Literal(dataset.measure.source, lang="en")))
    provenance = BNode()
    graph.add((ds, DCTERMS.provenance, provenance))
    graph.add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
    graph.add(
        (provenance, RDFS.label, Literal(f"Compiled from: {dataset.measure.source}.", lang="en"))
    )
    graph.add((ds, QB.structure, dsd))
    graph.add((ds, VOID.sparqlEndpoint, uris.sparql()))
    graph.add((ds, VOID.entities, Literal(dataset.observation_count)))
    for distribution in DISTRIBUTIONS:
        url = uris.download(dataset.slug, distribution.extension)
        graph.add((ds, DCAT.distribution, url))
        graph.add((url, RDF.type, DCAT.Distribution))
        graph.add((url, DCTERMS.title, Literal(distribution.title, lang="en")))
        graph.add((url, DCTERMS.description, Literal(distribution.description, lang="en")))
        graph.add((url, DCAT.accessURL, url))
        graph.add((url, DCAT.downloadURL, url))
        media_type = URIRef(MEDIA_TYPES + distribution.media_type)
        graph.add((url, DCAT.mediaType, _typed(graph, media_type, DCTERMS.MediaType)))
        file_type = EU_FILE_TYPE[distribution.file_type]
        graph.add((url, DCTERMS.format, _typed(graph, file_type, DCTERMS.MediaTypeOrExtent)))
        conforms = _typed(graph, distribution.conforms_to, DCTERMS.Standard)
        graph.add((url, DCTERMS.conformsTo, conforms))
        _licence(graph, url, dataset.measure.licence_url)
        graph.add((url, DCTERMS.modified, Literal(dataset.modified.replace(microsecond=0))))
        graph.add((url, DCATAP.availability, _typed(graph, EU_AVAILABILITY.STABLE, SKOS.Concept)))
        if distribution.extension == "nt.gz":
            graph.add((ds, VOID.dataDump, url))
            gzip_type = _typed(graph, URIRef(MEDIA_TYPES + "application/gzip"), DCTERMS.MediaType)
            graph.add((url, DCAT.compressFormat, gzip_type))
        if distribution.extension == "csv":
            graph.add((url, DESCRIBED_BY, uris.csv_metadata(dataset.slug)))
    return graph


def observations_graph(
    uris: Uris,
    dataset_slug: str,
    measure: MeasureRecord,
    observations: Iterable[ObservationRecord],
    graph: Graph | None = None,
) -> Graph:
    """The qb:Observation resources of a dataset (or any subset of them), each in two qb:Slices.

    The period's slice (every area, one period) lets a ranking start from its few hundred observations;
    the area's slice (one area, every period) holds its series, so a comparison of an area with its
    similar councils reads 16 series of a dozen observations instead of testing every observation the
    councils have for every measure (several times faster in Oxigraph; see the README's benchmark).
    Adds to ``graph`` when one is given (documents built from several datasets).
    """
    graph = graph if graph is not None else new_graph()
    ds, prop, unit = (
        uris.dataset(dataset_slug),
        uris.measure(measure.slug),
        uris.unit(unit_slug(measure.unit)),
    )
    period_key, area_key = uris.period_slice_key(dataset_slug), uris.area_slice_key(dataset_slug)
    add = graph.add
    slices = set()

    def in_slice(uri: URIRef, key: URIRef, dimension: URIRef, value: URIRef, obs: URIRef) -> None:
        if uri not in slices:
            slices.add(uri)
            add((ds, QB.slice, uri))
            add((uri, RDF.type, QB.Slice))
            add((uri, QB.sliceStructure, key))
            add((uri, dimension, value))
        add((uri, QB.observation, obs))

    for observation in observations:
        obs = uris.observation(dataset_slug, observation.gss_code, observation.period_code)
        area, period = uris.area(observation.gss_code), period_uri(observation.period_code)
        in_slice(
            uris.period_slice(dataset_slug, observation.period_code),
            period_key,
            SDMX_DIMENSION.refPeriod,
            period,
            obs,
        )
        in_slice(
            uris.area_slice(dataset_slug, observation.gss_code),
            area_key,
            SDMX_DIMENSION.refArea,
            area,
            obs,
        )
        add((obs, RDF.type, QB.Observation))
        add((obs, QB.dataSet, ds))
        add((obs, SDMX_DIMENSION.refArea, area))
        add((obs, SDMX_DIMENSION.refPeriod, period))
        add((obs, prop, decimal_literal(observation.value)))
        add((obs, SDMX_ATTRIBUTE.unitMeasure, unit))
    return graph


def slice_graph(
    uris: Uris,
    dataset_slug: str,
    measure: MeasureRecord,
    observations: Iterable[ObservationRecord],
    slice_uri: URIRef,
) -> Graph:
    """One qb:Slice with its observations: ``observations_graph`` without the other slices they are in."""
    graph = observations_graph(uris, dataset_slug, measure, observations)
    ds = uris.dataset(dataset_slug)
    for other in set(graph.subjects(RDF.type, QB.Slice)) - {slice_uri}:
        graph.remove((other, None, None))
        graph.remove((ds, QB.slice, other))
    return graph


def describe(graph: Graph, resource: URIRef) -> Graph:
    """What ``graph`` says about ``resource``: its own triples (following blank nodes) and the named
    resources that point to it. For documents about one part of a larger graph (a slice key, a unit)."""
    described = new_graph()
    todo: list[IdentifiedNode] = [resource]
    seen: set[IdentifiedNode] = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in graph.triples((subject, None, None)):
            described.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    for triple in graph.triples((None, None, resource)):
        if not isinstance(triple[0], BNode):
            described.add(triple)
    return described


def period_graph(codes: Iterable[str]) -> Graph:
    graph = new_graph()
    for code in codes:
        uri = period_uri(code)
        graph.add((uri, RDF.type, INTERVALS.Interval))
        graph.add(
            (uri, RDF.type, INTERVALS.GovernmentYear if "/" in code else INTERVALS.CalendarYear)
        )
        graph.add((uri, RDFS.label, Literal(code)))
    return graph


def area_graph(uris: Uris, areas: Iterable[AreaRecord]) -> Graph:
    """Areas with their ONS statistical-geography identity, type, region and similar councils."""
    graph = new_graph()
    for area in areas:
        uri = uris.area(area.gss_code)
        graph.add((uri, RDF.type, HUB.Area))
        graph.add((uri, RDFS.label, Literal(area.name, lang="en")))
        graph.add((uri, SKOS.prefLabel, Literal(area.short_name, lang="en")))
        graph.add((uri, SKOS.notation, Literal(area.gss_code)))
        graph.add((uri, OWL.sameAs, ons_area_uri(area.gss_code)))
        graph.add((uri, HUB.authorityType, Literal(area.authority_type, lang="en")))
        if area.region:
            graph.add((uri, HUB.region, Literal(area.region, lang="en")))
        graph.add((uri, HUB.nation, Literal(area.nation, lang="en")))
        if not area.is_current and area.end_date:
            graph.add((uri, DCTERMS.valid, Literal(f"end={area.end_date.isoformat()};")))
        for successor in area.successors:
            graph.add((uri, HUB.replacedBy, uris.area(successor)))
            graph.add((uri, DCTERMS.isReplacedBy, uris.area(successor)))
        for similar in area.similar:
            graph.add((uri, HUB.similarArea, uris.area(similar)))
    return graph


def catalogue_graph(uris: Uris, catalogue: Catalogue) -> Graph:
    """The DCAT-AP 3.0 catalogue of every dataset (with a catalogue record for each), the SPARQL
    service, and a VoID description of the whole."""
    graph = new_graph()
    cat, service, sparql = uris.catalogue(), uris.service(), uris.sparql()
    graph.add((cat, RDF.type, DCAT.Catalog))
    graph.add((cat, DCTERMS.title, Literal(catalogue.title, lang="en")))
    graph.add((cat, DCTERMS.description, Literal(catalogue.description, lang="en")))
    _common(graph, uris, cat, catalogue.publisher)
    if catalogue.licence_url:
        _licence(graph, cat, catalogue.licence_url)
    graph.add((cat, FOAF.homepage, _typed(graph, URIRef(f"{uris.base}/data/"), FOAF.Document)))
    taxonomy = URIRef(str(EU_DATA_THEME).rstrip("/"))
    graph.add((cat, DCAT.themeTaxonomy, _typed(graph, taxonomy, SKOS.ConceptScheme)))
    graph.add((cat, DCAT.service, sparql))
    modified = [d.modified for d in catalogue.datasets]
    if modified:
        graph.add((cat, DCTERMS.modified, Literal(max(modified).replace(microsecond=0))))
    issued = [d.issued for d in catalogue.datasets if d.issued]
    if issued:
        graph.add((cat, DCTERMS.issued, Literal(min(issued).replace(microsecond=0))))
    graph.add((sparql, RDF.type, DCAT.DataService))
    graph.add((sparql, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    graph.add((sparql, DCAT.endpointURL, sparql))
    graph.add((sparql, DCAT.endpointDescription, sparql))  # its page documents it, with examples
    graph.add((sparql, DCTERMS.conformsTo, _typed(graph, SPARQL_PROTOCOL, DCTERMS.Standard)))
    public = _typed(graph, EU_ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement)
    graph.add((sparql, DCTERMS.accessRights, public))
    graph.add((sparql, DCTERMS.publisher, uris.publisher()))
    graph.add((service, RDF.type, VOID.Dataset))
    graph.add((service, DCTERMS.title, Literal(catalogue.title, lang="en")))
    graph.add((service, VOID.sparqlEndpoint, sparql))
    graph.add((service, VOID.uriSpace, Literal(f"{uris.base}/id/")))
    graph.add((service, VOID.vocabulary, URIRef(str(QB._NS))))
    graph.add(
        (service, VOID.entities, Literal(sum(d.observation_count for d in catalogue.datasets)))
    )
    for dataset in catalogue.datasets:
        ds, record = uris.dataset(dataset.slug), uris.catalogue_record(dataset.slug)
        graph.add((cat, DCAT.dataset, ds))
        graph.add((sparql, DCAT.servesDataset, ds))
        graph.add((service, VOID.subset, ds))
        graph.add((cat, DCAT.record, record))
        graph.add((record, RDF.type, DCAT.CatalogRecord))
        graph.add((record, FOAF.primaryTopic, ds))
        graph.add((record, DCTERMS.modified, Literal(dataset.modified.replace(microsecond=0))))
        if dataset.issued:
            graph.add((record, DCTERMS.issued, Literal(dataset.issued.replace(microsecond=0))))
        graph.add((record, DCTERMS.conformsTo, _typed(graph, DCAT_AP_3, DCTERMS.Standard)))
        graph.add((record, ADMS.status, _typed(graph, ADMS_STATUS.Completed, SKOS.Concept)))
        graph += dataset_graph(uris, dataset)
    if catalogue.content is not None:
        graph += content_dataset_graph(uris, catalogue.content)
        graph.add((cat, DCAT.dataset, uris.graph(CONTENT_GRAPH)))
        graph.add((sparql, DCAT.servesDataset, uris.graph(CONTENT_GRAPH)))
        graph.add((service, VOID.subset, uris.graph(CONTENT_GRAPH)))
    return graph


def content_dataset_graph(uris: Uris, content: ContentDatasetRecord) -> Graph:
    """The public practice-and-community graph described with DCAT-AP 3.0: the named graph itself
    is the ``dcat:Dataset`` (``/graph/content``), served by the SPARQL endpoint (its distribution's
    ``dcat:accessService``), with its catalogue record."""
    graph = new_graph()
    ds, record = uris.graph(CONTENT_GRAPH), uris.catalogue_record(CONTENT_GRAPH)
    distribution = URIRef(f"{uris.base}/data/#{CONTENT_GRAPH}-sparql")
    sparql = uris.sparql()
    issued = Literal(content.issued.replace(microsecond=0))
    modified = Literal(content.modified.replace(microsecond=0))
    for kind in (DCAT.Dataset, VOID.Dataset, PROV.Entity):
        graph.add((ds, RDF.type, kind))
    graph.add((ds, DCTERMS.title, Literal(content.title, lang="en")))
    graph.add((ds, DCTERMS.description, Literal(content.description, lang="en")))
    graph.add((ds, DCTERMS.identifier, Literal(CONTENT_GRAPH)))
    _licence(graph, ds, content.licence_url)
    graph.add(
        (ds, DCTERMS.accessRights, _typed(graph, EU_ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement))
    )
    graph.add((ds, DCTERMS.issued, issued))
    graph.add((ds, DCTERMS.modified, modified))
    graph.add((ds, DCTERMS.accrualPeriodicity, _typed(graph, EU_FREQUENCY.CONT, DCTERMS.Frequency)))
    for theme in (EU_DATA_THEME.GOVE, EU_DATA_THEME.SOCI):
        graph.add((ds, DCAT.theme, _typed(graph, theme, SKOS.Concept)))
        graph.add((theme, SKOS.inScheme, URIRef(str(EU_DATA_THEME).rstrip("/"))))
    for keyword in ("local government", "good practice", "communities of practice"):
        graph.add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    _common(graph, uris, ds, content.publisher)
    graph.add((ds, DCAT.contactPoint, uris.contact_point()))
    period = BNode()
    graph.add((ds, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal(content.issued.date(), datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal(content.modified.date(), datatype=XSD.date)))
    graph.add((ds, VOID.sparqlEndpoint, sparql))
    graph.add((ds, VOID.uriSpace, Literal(f"{uris.base}/id/")))
    for vocabulary in (str(SIOC._NS), str(SDO._NS), str(SKOS._NS)):
        graph.add((ds, VOID.vocabulary, URIRef(vocabulary)))
    graph.add((ds, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    graph.add(
        (
            distribution,
            DCTERMS.description,
            Literal(
                f"Query the named graph <{ds}> at the SPARQL endpoint, alone or joined with the "
                "benchmarking data in the other graphs.",
                lang="en",
            ),
        )
    )
    graph.add((distribution, DCAT.accessURL, sparql))
    graph.add((distribution, DCAT.accessService, sparql))
    sparql_results = _typed(graph, EU_FILE_TYPE["SPARQLQ"], DCTERMS.MediaTypeOrExtent)
    graph.add((distribution, DCTERMS.format, sparql_results))
    graph.add((distribution, DCTERMS.conformsTo, _typed(graph, SPARQL_PROTOCOL, DCTERMS.Standard)))
    _licence(graph, distribution, content.licence_url)
    graph.add((distribution, DCTERMS.modified, modified))
    graph.add(
        (distribution, DCATAP.availability, _typed(graph, EU_AVAILABILITY.STABLE, SKOS.Concept))
    )
    graph.add((record, RDF.type, DCAT.CatalogRecord))
    graph.add((record, FOAF.primaryTopic, ds))
    graph.add((record, DCTERMS.modified, modified))
    graph.add((record, DCTERMS.issued, issued))
    graph.add((record, DCTERMS.conformsTo, _typed(graph, DCAT_AP_3, DCTERMS.Standard)))
    graph.add((record, ADMS.status, _typed(graph, ADMS_STATUS.Completed, SKOS.Concept)))
    graph.add((uris.catalogue(), DCAT.record, record))
    return graph
