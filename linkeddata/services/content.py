"""The hub's public content as linked data, in the store beside the cubes: its own named graph.

Communities own the content and decide what is public; they hand this module plain records
(``ContentRecords``) through the one source registered at start-up (``provide_content``), since
linkeddata may not import communities. Whatever the source returns is published, so it must return
only what an anonymous reader may see: open communities, their live threads, published good practice,
and an author's name only when their profile is public.

The content graph is rebuilt whole from the source at each publication: whatever stopped being public
(a hidden thread, a community made restricted, a case study unpublished, a profile made private) is
simply not in the new graph, so withdrawal needs no bookkeeping of its own. Changes reach it through
the same outbox as the figures (``PendingPublication``, graph ``content``): recorded in the changing
transaction (``publish.record_content_change``), published after the commit, retried with back-off on an
external server, caught up by the process holding the local store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal as KindLiteral

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SDO, SKOS, XSD

from linkeddata.services.graphs import new_graph
from linkeddata.services.periods import PeriodError, parse_period
from linkeddata.services.progress import Progress, reporter
from linkeddata.store import replace_graph
from linkeddata.uris import CONTENT_GRAPH, Uris, period_uri
from linkeddata.vocab import SIOC

ContentKind = KindLiteral["community", "thread", "practice", "service-area", "service-areas"]


@dataclass(frozen=True)
class CommunityRecord:
    slug: str
    title: str
    description: str
    url: str
    created: datetime | None
    modified: datetime | None


@dataclass(frozen=True)
class ThreadRecord:
    id: int
    title: str
    url: str
    community_slug: str
    created: datetime | None
    modified: datetime | None
    author_name: str | None  # only when the author's profile is public
    # The figure the discussion is anchored to, if any: (dataset slug, GSS code, period code).
    figure: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class ServiceAreaRecord:
    slug: str
    name: str
    description: str = ""
    parent_slug: str | None = None
    url: str = ""  # the library filtered by it


@dataclass(frozen=True)
class EvidenceRecord:
    """A measure for a council before and after a change, as a case study quotes it."""

    dataset_slug: str
    measure_slug: str
    gss_code: str
    periods: tuple[str, ...]  # period codes (2023/24 or 2023)


@dataclass(frozen=True)
class PracticeRecord:
    slug: str
    title: str
    summary: str
    outcomes: str
    url: str
    issued: datetime | None
    modified: datetime | None
    licence_url: str
    councils: tuple[str, ...]  # GSS codes
    service_areas: tuple[str, ...]  # service area slugs
    evidence: tuple[EvidenceRecord, ...] = ()
    practice_date: date | None = None


@dataclass
class ContentRecords:
    communities: list[CommunityRecord] = field(default_factory=list)
    threads: list[ThreadRecord] = field(default_factory=list)
    practice: list[PracticeRecord] = field(default_factory=list)
    service_areas: list[ServiceAreaRecord] = field(default_factory=list)
    library_url: str = ""  # the page of the service areas' scheme: the good practice library


ContentSource = Callable[[ContentKind | None, str | None], ContentRecords]
_source: dict[str, ContentSource] = {}


def provide_content(source: ContentSource) -> None:
    """Register where public content comes from: ``source(kind, key)`` returns every public record
    (``kind`` None) or the one public item of that kind and key (slug; a thread's id), else none."""
    _source["content"] = source


def public_content(kind: ContentKind | None = None, key: str | None = None) -> ContentRecords:
    source = _source.get("content")
    return source(kind, key) if source is not None else ContentRecords()


# -- Pure graph building -----------------------------------------------------------------------


def _date(value: datetime | date | None) -> Literal | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def _add_dates(
    graph: Graph, uri: URIRef, created: datetime | None, modified: datetime | None
) -> None:
    if (literal := _date(created)) is not None:
        graph.add((uri, DCTERMS.created, literal))
    if (literal := _date(modified)) is not None:
        graph.add((uri, DCTERMS.modified, literal))


def evidence_period_code(label: str) -> str | None:
    """A period as an author writes it (``2019-20``, ``2019/20``, ``2023``) as the data's code, or None."""
    code = label.strip().replace("-", "/")
    try:
        parse_period(code)
    except PeriodError:
        return None
    return code


def content_graph(uris: Uris, records: ContentRecords) -> Graph:
    """Communities (sioc:Community, with their sioc:Forum), threads (sioc:Thread), good practice
    (schema:CreativeWork) and the service areas (a skos:ConceptScheme), linked to the data's URIs."""
    graph = new_graph()
    for community in records.communities:
        uri = uris.community(community.slug)
        graph.add((uri, RDF.type, SIOC.Community))
        graph.add((uri, RDF.type, SIOC.Forum))
        graph.add((uri, DCTERMS.title, Literal(community.title, lang="en")))
        if community.description:
            graph.add((uri, DCTERMS.description, Literal(community.description, lang="en")))
        graph.add((uri, FOAF.page, URIRef(community.url)))
        _add_dates(graph, uri, community.created, community.modified)
    for thread in records.threads:
        uri = uris.thread(thread.id)
        graph.add((uri, RDF.type, SIOC.Thread))
        graph.add((uri, DCTERMS.title, Literal(thread.title, lang="en")))
        graph.add((uri, FOAF.page, URIRef(thread.url)))
        graph.add((uri, SIOC.has_container, uris.community(thread.community_slug)))
        graph.add((uris.community(thread.community_slug), SIOC.container_of, uri))
        _add_dates(graph, uri, thread.created, thread.modified)
        if thread.author_name:
            graph.add((uri, DCTERMS.creator, Literal(thread.author_name)))
        if thread.figure is not None:
            graph.add((uri, SIOC.about, uris.observation(*thread.figure)))
    scheme = uris.service_areas()
    if records.service_areas:
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, SKOS.prefLabel, Literal("Service areas", lang="en")))
        if records.library_url:
            graph.add((scheme, FOAF.page, URIRef(records.library_url)))
    for area in records.service_areas:
        uri = uris.service_area(area.slug)
        graph.add((uri, RDF.type, SKOS.Concept))
        graph.add((uri, SKOS.prefLabel, Literal(area.name, lang="en")))
        graph.add((uri, SKOS.inScheme, scheme))
        if area.url:
            graph.add((uri, FOAF.page, URIRef(area.url)))
        if area.description:
            graph.add((uri, SKOS.definition, Literal(area.description, lang="en")))
        if area.parent_slug:
            graph.add((uri, SKOS.broader, uris.service_area(area.parent_slug)))
            graph.add((uris.service_area(area.parent_slug), SKOS.narrower, uri))
        else:
            graph.add((uri, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, uri))
    for practice in records.practice:
        _add_practice(graph, uris, practice)
    return graph


def _add_practice(graph: Graph, uris: Uris, practice: PracticeRecord) -> None:
    uri = uris.practice(practice.slug)
    graph.add((uri, RDF.type, SDO.CreativeWork))
    graph.add((uri, DCTERMS.title, Literal(practice.title, lang="en")))
    graph.add((uri, SDO.name, Literal(practice.title, lang="en")))
    if practice.summary:
        graph.add((uri, DCTERMS.abstract, Literal(practice.summary, lang="en")))
    if practice.outcomes:
        graph.add((uri, SDO.result, Literal(practice.outcomes, lang="en")))
    graph.add((uri, FOAF.page, URIRef(practice.url)))
    if practice.licence_url:
        graph.add((uri, DCTERMS.license, URIRef(practice.licence_url)))
    if (literal := _date(practice.issued)) is not None:
        graph.add((uri, DCTERMS.issued, literal))
    if (literal := _date(practice.modified)) is not None:
        graph.add((uri, DCTERMS.modified, literal))
    if (literal := _date(practice.practice_date)) is not None:
        graph.add((uri, DCTERMS.date, literal))
    for gss in practice.councils:
        graph.add((uri, PROV.wasAttributedTo, uris.area(gss)))
        graph.add((uri, DCTERMS.spatial, uris.area(gss)))
    for slug in practice.service_areas:
        graph.add((uri, DCTERMS.subject, uris.service_area(slug)))
    for evidence in practice.evidence:
        graph.add((uri, DCTERMS.subject, uris.measure(evidence.measure_slug)))
        graph.add((uri, DCTERMS.spatial, uris.area(evidence.gss_code)))
        for code in evidence.periods:
            graph.add((uri, DCTERMS.temporal, period_uri(code)))
            graph.add(
                (
                    uri,
                    DCTERMS.references,
                    uris.observation(evidence.dataset_slug, evidence.gss_code, code),
                )
            )


# -- Publication -------------------------------------------------------------------------------


def content_ntriples(uris: Uris) -> bytes:
    return content_graph(uris, public_content()).serialize(format="nt", encoding="utf-8")


def do_publish_content(progress: Progress | None = None) -> None:
    """Rebuild the content graph from scratch from what is public now."""
    say = reporter(progress)
    uris = Uris.default()
    say("Publishing the public communities, threads and good practice …")
    replace_graph(str(uris.graph(CONTENT_GRAPH)), content_ntriples(uris))


def one_item_graph(uris: Uris, kind: ContentKind, key: str) -> tuple[Graph, str] | None:
    """The document about one public item (or the service areas' scheme, ``service-areas``), and
    its page's URL; None when there is no such public item."""
    records = public_content(kind, key)
    if kind == "service-areas":
        return (
            (content_graph(uris, records), records.library_url) if records.service_areas else None
        )
    if kind == "service-area":
        concept = [a for a in records.service_areas if a.slug == key]
        if not concept:
            return None
        related = {key, concept[0].parent_slug} | {
            a.slug for a in records.service_areas if a.parent_slug == key
        }
        records.service_areas = [a for a in records.service_areas if a.slug in related]
        return content_graph(uris, records), concept[0].url
    items: list[CommunityRecord] | list[ThreadRecord] | list[PracticeRecord]
    if kind == "community":
        items = records.communities
    elif kind == "thread":
        items = records.threads
    else:
        items = records.practice
    if not items:
        return None
    item = items[0]
    wanted = set(item.service_areas) if isinstance(item, PracticeRecord) else set()
    records.service_areas = [a for a in records.service_areas if a.slug in wanted]
    return content_graph(uris, records), item.url
