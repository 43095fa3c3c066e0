"""RDF vocabularies the hub publishes with, beside rdflib's own (QB, DCTERMS, DCAT, SKOS, PROV, VOID)."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class SDMX_DIMENSION(DefinedNamespace):
    """SDMX dimensions for RDF Data Cube (https://sdmx.org, content-oriented guidelines)."""

    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
    _fail = True

    refArea: URIRef
    refPeriod: URIRef


class SDMX_ATTRIBUTE(DefinedNamespace):
    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
    _fail = True

    unitMeasure: URIRef


class SDMX_CONCEPT(DefinedNamespace):
    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
    _fail = True

    refArea: URIRef
    refPeriod: URIRef
    unitMeasure: URIRef
    obsValue: URIRef


class INTERVALS(DefinedNamespace):
    """reference.data.gov.uk time intervals: what calendar and government years are."""

    _NS = Namespace("http://reference.data.gov.uk/def/intervals/")
    _fail = True

    Interval: URIRef
    CalendarYear: URIRef
    GovernmentYear: URIRef


class HUB(DefinedNamespace):
    """The hub's own terms, only where no standard vocabulary says the same thing."""

    _NS = Namespace("https://w3id.org/localgov-knowledge-hub/def#")
    _fail = True

    Area: URIRef  # a local authority's area, the range of refArea
    higherIsBetter: URIRef
    authorityType: URIRef
    region: URIRef
    nation: URIRef
    similarArea: URIRef
    replacedBy: URIRef
    areas: URIRef  # the code list (skos:ConceptScheme) of refArea's values
    periods: URIRef  # the code list of refPeriod's values


class SIOC(DefinedNamespace):
    """Semantically-Interlinked Online Communities (http://rdfs.org/sioc/spec/): communities and threads."""

    _NS = Namespace("http://rdfs.org/sioc/ns#")
    _fail = True

    Community: URIRef
    Forum: URIRef
    Thread: URIRef
    UserAccount: URIRef
    has_container: URIRef
    container_of: URIRef
    has_space: URIRef
    space_of: URIRef
    has_creator: URIRef
    name: URIRef
    about: URIRef


class DCATAP(DefinedNamespace):
    """DCAT-AP's own terms (https://semiceu.github.io/DCAT-AP/releases/3.0.0/)."""

    _NS = Namespace("http://data.europa.eu/r5r/")
    _fail = True

    availability: URIRef


class ADMS(DefinedNamespace):
    _NS = Namespace("http://www.w3.org/ns/adms#")
    _fail = True

    status: URIRef


class VCARD(DefinedNamespace):
    _NS = Namespace("http://www.w3.org/2006/vcard/ns#")
    _fail = True

    Kind: URIRef
    Organization: URIRef
    fn: URIRef
    hasURL: URIRef


OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
DCAT_AP_3 = URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.0/")
# EU Publications Office authority tables, which DCAT-AP asks controlled values to come from
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_FILE_TYPE = Namespace(f"{EU_AUTHORITY}file-type/")
EU_LANGUAGE = Namespace(f"{EU_AUTHORITY}language/")
EU_COUNTRY = Namespace(f"{EU_AUTHORITY}country/")
EU_ACCESS_RIGHT = Namespace(f"{EU_AUTHORITY}access-right/")
EU_FREQUENCY = Namespace(f"{EU_AUTHORITY}frequency/")
EU_DATA_THEME = Namespace(f"{EU_AUTHORITY}data-theme/")
EU_AVAILABILITY = Namespace(f"{EU_AUTHORITY}planned-availability/")
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_STATUS = Namespace("http://purl.org/adms/status/")
IANA_MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")


STATISTICAL_GEOGRAPHY = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
YEAR = Namespace("http://reference.data.gov.uk/id/year/")
GOVERNMENT_YEAR = Namespace("http://reference.data.gov.uk/id/government-year/")

PREFIXES = {
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": str(SDMX_DIMENSION._NS),
    "sdmx-attribute": str(SDMX_ATTRIBUTE._NS),
    "sdmx-concept": str(SDMX_CONCEPT._NS),
    "interval": str(INTERVALS._NS),
    "hub": str(HUB._NS),
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": str(VCARD._NS),
    "adms": str(ADMS._NS),
    "dcatap": str(DCATAP._NS),
    "wdrs": "http://www.w3.org/2007/05/powder-s#",
    "sioc": str(SIOC._NS),
    "schema": "https://schema.org/",
}
