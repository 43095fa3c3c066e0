"""The hub's public content as linked data, in the store beside the cubes: its own named graph.

Communities own the content and decide what is public; they hand this module plain records
(``ContentRecords``) through the one source registered at start-up (``provide_content``), since
linkeddata may not import communities. Whatever the source returns is published, so it must return
only what an anonymous reader may see: open communities, their live threads, published good practice,
and an author's name only when their profile is public.

An announced change replaces only the triples of the items it affects (``ContentItem``: a thread, a
community with its threads, a case study, the service areas' scheme): each item's triples are deleted
from the content graph and what an anonymous reader may read of it now is inserted, in one SPARQL
update (``do_publish_content_items``). Whatever stopped being public (a hidden thread, a community made
restricted, a case study unpublished, a profile made private) is simply not inserted again, so
withdrawal needs no bookkeeping of its own. Changes reach it through the same outbox as the figures
(``PendingPublication``, one row ``content:<kind>:<key>`` per item): recorded in the changing
transaction (``publish.record_content_change``), published after the commit, retried with back-off on an
external server, caught up by the process holding the local store. ``do_publish_content`` rebuilds
the graph whole (``publish_linked_data --content``: repair after edits made outside the services).
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
from linkeddata.store import replace_graph, update_graphs, update_url, uses_external_endpoint
from linkeddata.uris import CONTENT_GRAPH, Uris, period_uri
from linkeddata.vocab import SIOC

ContentKind = KindLiteral["community", "thread", "practice", "service-area", "service-areas"]
# What the source is asked for: a kind of item, or the public threads of the community ``key``.
SourceKind = KindLiteral[
    "community", "thread", "practice", "service-area", "service-areas", "community-threads"
]
ItemKind = KindLiteral["community", "thread", "practice", "service-areas"]
ITEM_KINDS: tuple[ItemKind, ...] = ("community", "thread", "practice", "service-areas")


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


ContentSource = Callable[[SourceKind | None, str | None], ContentRecords]
_source: dict[str, ContentSource] = {}


def provide_content(source: ContentSource) -> None:
    """Register where public content comes from: ``source(kind, key)`` returns every public record
    (``kind`` None), the one public item of that kind and key (slug; a thread's id), else none, or
    (``community-threads``) the public threads of the community whose slug is ``key``."""
    _source["content"] = source


def public_content(kind: SourceKind | None = None, key: str | None = None) -> ContentRecords:
    source = _source.get("content")
    return source(kind, key) if source is not None else ContentRecords()


@dataclass(frozen=True)
class ContentSummary:
    """When the public content was first published and last changed (the catalogue's dates)."""

    issued: datetime
    modified: datetime


SummarySource = Callable[[], ContentSummary | None]
_summary: dict[str, SummarySource] = {}


def provide_content_summary(source: SummarySource) -> None:
    """Register ``source()``: the public content's ``ContentSummary``, None while nothing is public
    (a few aggregate queries: the catalogue asks at every request)."""
    _summary["content"] = source


def content_summary() -> ContentSummary | None:
    source = _summary.get("content")
    return source() if source is not None else None


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


# -- Per-item publication ----------------------------------------------------------------------


OUTBOX_PREFIX = f"{CONTENT_GRAPH}:"


@dataclass(frozen=True)
class ContentItem:
    """One item of the content graph whose triples an announced change replaces.

    ``community`` covers the community and every thread the graph holds in it (a change of its
    visibility withdraws or restores them all); ``thread`` the thread and its community's
    ``sioc:container_of`` link to it; ``practice`` the case study; ``service-areas`` the scheme and
    its concepts (``key`` is ``all``)."""

    kind: ItemKind
    key: str

    @property
    def outbox_name(self) -> str:
        """Its row in linked data's outbox (``PendingPublication.graph``)."""
        return f"{OUTBOX_PREFIX}{self.kind}:{self.key}"

    @classmethod
    def from_outbox(cls, name: str) -> ContentItem | None:
        """The item an outbox row names, or None when the row names a whole graph."""
        if not name.startswith(OUTBOX_PREFIX):
            return None
        kind, _, key = name.removeprefix(OUTBOX_PREFIX).partition(":")
        for known in ITEM_KINDS:
            if kind == known and key:
                return cls(known, key)
        return None


def thread_item(thread_id: int) -> ContentItem:
    return ContentItem("thread", str(thread_id))


def _iri(uri: URIRef) -> str:
    """``uri`` written for a SPARQL update, refusing what could break out of ``<…>``."""
    text = str(uri)
    if any(c in text for c in '<>"{}|^`\\ \n\r\t'):
        raise ValueError(f"not an IRI the content graph mints: {text!r}")
    return f"<{text}>"


def _withdrawals(uris: Uris, item: ContentItem) -> list[str]:
    """The SPARQL update operations deleting every triple ``item`` owns in the content graph."""
    graph = _iri(uris.graph(CONTENT_GRAPH))
    container_of = _iri(SIOC.container_of)
    if item.kind == "thread":
        if not item.key.isdigit():
            return []
        thread = _iri(uris.thread(int(item.key)))
        return [
            f"DELETE WHERE {{ GRAPH {graph} {{ {thread} ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH {graph} {{ ?community {container_of} {thread} }} }}",
        ]
    if item.kind == "community":
        community = _iri(uris.community(item.key))
        return [
            f"DELETE WHERE {{ GRAPH {graph} {{ ?thread {_iri(SIOC.has_container)} {community} . "
            "?thread ?p ?o } }",
            f"DELETE WHERE {{ GRAPH {graph} {{ {community} ?p ?o }} }}",
        ]
    if item.kind == "practice":
        return [f"DELETE WHERE {{ GRAPH {graph} {{ {_iri(uris.practice(item.key))} ?p ?o }} }}"]
    scheme = _iri(uris.service_areas())
    return [
        f"DELETE WHERE {{ GRAPH {graph} {{ ?concept {_iri(SKOS.inScheme)} {scheme} . "
        "?concept ?p ?o } }",
        f"DELETE WHERE {{ GRAPH {graph} {{ {scheme} ?p ?o }} }}",
    ]


def item_records(item: ContentItem) -> ContentRecords:
    """What an anonymous reader may read now of ``item`` (nothing when it is not public)."""
    if item.kind == "service-areas":
        return public_content("service-areas", None)
    records = public_content(item.kind, item.key)
    records.service_areas = []  # the scheme is an item of its own
    if item.kind == "community" and records.communities:
        records.threads = public_content("community-threads", item.key).threads
    return records


def content_items_update(uris: Uris, items: list[ContentItem]) -> str:
    """One SPARQL update replacing ``items``' triples in the content graph: every deletion first, then
    one insertion of what is public now (so items that share triples cannot undo each other)."""
    operations = [op for item in dict.fromkeys(items) for op in _withdrawals(uris, item)]
    graph = new_graph()
    for item in dict.fromkeys(items):
        graph += content_graph(uris, item_records(item))
    if len(graph):
        triples = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        operations.append(
            f"INSERT DATA {{ GRAPH {_iri(uris.graph(CONTENT_GRAPH))} {{\n{triples}}} }}"
        )
    return " ;\n".join(operations)


def do_publish_content_items(items: list[ContentItem], progress: Progress | None = None) -> None:
    """Replace only ``items``' triples in the content graph, on the local store or the external
    server (through its SPARQL update endpoint; without one, the graph is rebuilt whole)."""
    if not items:
        return
    if uses_external_endpoint() and not update_url():
        do_publish_content(progress)
        return
    say = reporter(progress)
    say(f"Publishing {len(items)} changed item(s) of the public content …")
    update_graphs(content_items_update(Uris.default(), items))


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
