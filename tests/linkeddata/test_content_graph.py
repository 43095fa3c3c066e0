"""The public content as linked data: communities, threads and good practice in the store's content
graph, never anything that is not public, withdrawn by every change that makes it so (on the embedded
store and on the external SPARQL server), dereferenceable cool URIs, and the worked examples that join
practice and data."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.core.management import call_command
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SDO, SKOS

from communities.discussions.services.moderation import do_hide_thread, do_unhide_thread
from communities.models import GoodPracticePage, ProfileVisibility, ThreadPage, Visibility
from communities.people.services.membership import do_update_community_settings
from communities.people.services.profiles import do_update_profile
from linkeddata.models import PendingPublication
from linkeddata.services.content import (
    CommunityRecord,
    ContentRecords,
    EvidenceRecord,
    PracticeRecord,
    ServiceAreaRecord,
    ThreadRecord,
    content_graph,
)
from linkeddata.services.sparql import examples
from linkeddata.store import oxigraph_store
from linkeddata.uris import Uris
from linkeddata.vocab import SIOC
from tests.factories import (
    AreaFactory,
    CommunityFactory,
    GoodPracticeFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
    service_area,
)

pytestmark = pytest.mark.django_db
URIS = Uris("http://hub.example")


# -- The graph built from records (pure) -------------------------------------------------------


def test_records_become_sioc_skos_and_schema_linked_to_the_data():
    records = ContentRecords(
        communities=[
            CommunityRecord(
                "waste", "Waste", "Bins and more.", "http://hub.example/c/waste/", None, None
            )
        ],
        threads=[
            ThreadRecord(
                7,
                "Food waste?",
                "http://hub.example/c/waste/food/",
                "waste",
                None,
                None,
                "Amira Khan",
            )
        ],
        service_areas=[
            ServiceAreaRecord("environment", "Environment"),
            ServiceAreaRecord("recycling", "Recycling", parent_slug="environment"),
        ],
        practice=[
            PracticeRecord(
                slug="tag-and-educate",
                title="Tag and educate",
                summary="Contamination fell.",
                outcomes="A third less.",
                url="http://hub.example/good-practice/tag-and-educate/",
                issued=None,
                modified=None,
                licence_url="https://creativecommons.org/licenses/by/4.0/",
                councils=("E08000035",),
                service_areas=("recycling",),
                evidence=(
                    EvidenceRecord(
                        "household-recycling-rate",
                        "household-recycling-rate",
                        "E08000035",
                        ("2020/21", "2022/23"),
                    ),
                ),
            )
        ],
    )

    graph = content_graph(URIS, records)

    community, thread = URIS.community("waste"), URIS.thread(7)
    practice = URIS.practice("tag-and-educate")
    assert (community, RDF.type, SIOC.Community) in graph
    assert (thread, SIOC.has_container, community) in graph
    assert (thread, DCTERMS.creator, Literal("Amira Khan")) in graph
    assert (practice, RDF.type, SDO.CreativeWork) in graph
    assert (practice, PROV.wasAttributedTo, URIS.area("E08000035")) in graph
    assert (practice, DCTERMS.subject, URIS.service_area("recycling")) in graph
    assert (practice, DCTERMS.subject, URIS.measure("household-recycling-rate")) in graph
    assert (
        practice,
        DCTERMS.references,
        URIRef("http://hub.example/id/observation/household-recycling-rate/E08000035/2022-23"),
    ) in graph
    assert (
        practice,
        DCTERMS.temporal,
        URIRef("http://reference.data.gov.uk/id/government-year/2020-2021"),
    ) in graph
    assert (URIS.service_area("recycling"), SKOS.broader, URIS.service_area("environment")) in graph
    assert (URIS.service_areas(), SKOS.hasTopConcept, URIS.service_area("environment")) in graph


# -- Publication: the embedded store and the external server -----------------------------------


@pytest.fixture(params=["embedded", "external"])
def store(request):
    """The content graph's store: this test's own embedded Oxigraph, or the external SPARQL server."""
    if request.param == "embedded":
        request.getfixturevalue("rdf_store")
        return None
    return request.getfixturevalue("external_store")


def select(store, query: str) -> list[dict[str, str]]:
    if store is None:
        solutions = oxigraph_store().query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(  # noqa: S310 - the loopback test server
        store["query"], data=body, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def titles(store) -> set[str]:
    rows = select(
        store,
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?title WHERE { GRAPH <" + str(Uris.default().graph("content")) + "> "
        "{ ?s dcterms:title ?title } }",
    )
    return {row["title"] for row in rows}


def names(store) -> set[str]:
    rows = select(
        store,
        "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?name WHERE { ?s dcterms:creator ?name }",
    )
    return {row["name"] for row in rows}


def everything(store) -> str:
    rows = select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    return "\n".join(" ".join(row.values()) for row in rows)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """An open community with a thread by a member with a public profile, a restricted and a private
    one, a published case study and a draft; published as the services do, after each commit."""
    with django_capture_on_commit_callbacks(execute=True):
        owner = UserFactory(display_name="Owner Person")
        author = UserFactory(display_name="Amira Khan", visibility=ProfileVisibility.PUBLIC)
        hidden_author = UserFactory(
            display_name="Quiet Person", visibility=ProfileVisibility.MEMBERS
        )
        open_ = CommunityFactory(title="Open waste", owner=owner)
        restricted = CommunityFactory(
            title="Restricted housing", owner=owner, visibility=Visibility.RESTRICTED
        )
        private = CommunityFactory(
            title="Private chiefs", owner=owner, visibility=Visibility.PRIVATE
        )
        thread = ThreadFactory(community=open_, author=author, title="Open question on food waste")
        quiet = ThreadFactory(community=open_, author=hidden_author, title="A quiet question")
        ThreadFactory(community=restricted, title="Restricted question on rents")
        ThreadFactory(community=private, title="Private question on pay")
        PostFactory(thread=thread, body="A reply whose words stay on the page.")
        practice = GoodPracticeFactory(
            title="Published practice",
            councils=[AreaFactory(gss_code="E08000035", short_name="Leeds")],
            service_areas=[service_area("Environment and waste › Recycling")],
        )
        GoodPracticeFactory(title="Draft practice", publish=False)
    return {
        "owner": owner,
        "author": author,
        "quiet": hidden_author,
        "open": open_,
        "thread": thread,
        "quiet_thread": quiet,
        "practice": practice,
    }


PUBLIC = {"Open waste", "Open question on food waste", "A quiet question", "Published practice"}


def test_only_public_content_reaches_the_graph(store, world):
    assert titles(store) == PUBLIC
    assert names(store) == {"Amira Khan"}
    text = everything(store)
    for secret in [
        "Restricted housing",
        "Restricted question",
        "Private chiefs",
        "Private question",
        "Draft practice",
        "Quiet Person",
        "A reply whose words",
        world["author"].email,
    ]:
        assert secret not in text
    assert not PendingPublication.objects.exists()


def test_a_community_made_restricted_or_private_is_withdrawn_with_its_threads(
    store, world, django_capture_on_commit_callbacks
):
    for visibility in [Visibility.RESTRICTED, Visibility.PRIVATE]:
        with django_capture_on_commit_callbacks(execute=True):
            do_update_community_settings(
                world["open"],
                by=world["owner"],
                description="Now for members.",
                tags=[],
                visibility=visibility,
            )
        assert titles(store) == {"Published practice"}
        assert names(store) == set()
    with django_capture_on_commit_callbacks(execute=True):
        do_update_community_settings(
            world["open"], by=world["owner"], description="Open again.", tags=[], visibility="open"
        )
    assert titles(store) == PUBLIC


def test_a_hidden_thread_is_withdrawn_and_returns_when_unhidden(
    store, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_hide_thread(world["thread"], by=world["owner"])
    assert titles(store) == PUBLIC - {"Open question on food waste"}
    assert "Amira Khan" not in names(store)
    with django_capture_on_commit_callbacks(execute=True):
        do_unhide_thread(world["thread"], by=world["owner"])
    assert titles(store) == PUBLIC


def test_a_deleted_thread_is_withdrawn(store, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ThreadPage.objects.get(pk=world["thread"].pk).delete()
    assert titles(store) == PUBLIC - {"Open question on food waste"}


def test_an_unpublished_case_study_is_withdrawn(store, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        GoodPracticePage.objects.get(pk=world["practice"].pk).unpublish()
    assert titles(store) == PUBLIC - {"Published practice"}


def test_a_profile_no_longer_public_withdraws_the_name_not_the_thread(
    store, world, django_capture_on_commit_callbacks
):
    author = world["author"]
    for visibility in [ProfileVisibility.MEMBERS, ProfileVisibility.PRIVATE]:
        with django_capture_on_commit_callbacks(execute=True):
            do_update_profile(
                author.profile, by=author, display_name="Amira Khan", visibility=visibility
            )
        assert names(store) == set()
        assert titles(store) == PUBLIC
    with django_capture_on_commit_callbacks(execute=True):
        do_update_profile(
            author.profile, by=author, display_name="Amira K.", visibility=ProfileVisibility.PUBLIC
        )
    assert names(store) == {"Amira K."}


def test_a_full_rebuild_starts_from_scratch(store, world, django_capture_on_commit_callbacks):
    ThreadPage.objects.filter(pk=world["thread"].pk).update(live=False)  # outside the services
    assert "Open question on food waste" in titles(store)

    call_command("publish_linked_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert titles(store) == PUBLIC - {"Open question on food waste"}


# -- Per item: a change replaces its items' triples, and nothing else --------------------------

CONTENT = str(Uris.default().graph("content"))
MARKER = "urn:x-test:untouched"


def update(store, text: str) -> None:
    """Write to the content graph behind the hub's back (to see what a publication leaves alone)."""
    if store is None:
        oxigraph_store().update(text)
        return
    request = urllib.request.Request(  # noqa: S310 - the loopback test server
        store["update"],
        data=text.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def content_triples(store) -> set[tuple[str, ...]]:
    rows = select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{CONTENT}> {{ ?s ?p ?o }} }}")
    return {(row["s"], row["p"], row["o"]) for row in rows}


def mark(store, uri: str) -> None:
    update(store, f'INSERT DATA {{ GRAPH <{CONTENT}> {{ <{uri}> <{MARKER}> "kept" }} }}')


def marked(store) -> set[str]:
    rows = select(store, f"SELECT ?s WHERE {{ GRAPH <{CONTENT}> {{ ?s <{MARKER}> ?o }} }}")
    return {row["s"] for row in rows}


def test_a_change_is_recorded_per_item_in_its_own_transaction(world):
    from django.db import transaction

    from communities.discussions.services.threads import do_edit_thread

    thread = world["thread"]
    with transaction.atomic():
        do_edit_thread(thread=thread, editor=world["author"], title="Renamed", body="Body.")
        assert set(PendingPublication.objects.values_list("graph", flat=True)) == {
            f"content:thread:{thread.pk}"
        }


def test_a_change_replaces_its_items_triples_and_leaves_the_others_untouched(
    store, world, django_capture_on_commit_callbacks
):
    from communities.discussions.services.threads import do_edit_thread

    uris = Uris.default()
    thread, quiet = world["thread"], world["quiet_thread"]
    others = [
        str(uris.thread(quiet.pk)),
        str(uris.community(world["open"].slug)),
        str(uris.practice(world["practice"].slug)),
    ]
    for uri in [*others, str(uris.thread(thread.pk))]:
        mark(store, uri)
    before = content_triples(store)

    with django_capture_on_commit_callbacks(execute=True):
        do_edit_thread(
            thread=thread, editor=world["author"], title="Food waste, again", body="Body."
        )

    assert marked(store) == set(others)  # the thread's own triples were replaced, no other
    after = content_triples(store)
    changed = {t for t in before ^ after if t[0] != MARKER}
    assert changed and all(uri == str(uris.thread(thread.pk)) for uri, _, _ in changed)
    assert titles(store) == PUBLIC - {"Open question on food waste"} | {"Food waste, again"}
    assert not PendingPublication.objects.exists()


def test_per_item_updates_end_where_a_full_rebuild_does(
    store, world, django_capture_on_commit_callbacks
):
    from communities.discussions.services.threads import do_edit_thread

    author, owner = world["author"], world["owner"]
    with django_capture_on_commit_callbacks(execute=True):
        second = CommunityFactory(title="Open roads", owner=owner)
        ThreadFactory(community=second, author=author, title="Potholes?")
    steps = [
        lambda: do_hide_thread(world["quiet_thread"], by=owner),
        lambda: do_edit_thread(thread=world["thread"], editor=author, title="Food", body="B."),
        lambda: do_update_profile(
            author.profile, by=author, display_name="A. Khan", visibility=ProfileVisibility.PUBLIC
        ),
        lambda: do_update_community_settings(
            second, by=owner, description="Members only.", tags=[], visibility="restricted"
        ),
        lambda: GoodPracticePage.objects.get(pk=world["practice"].pk).unpublish(),
        lambda: do_update_community_settings(
            second, by=owner, description="Open again.", tags=[], visibility="open"
        ),
        lambda: ThreadPage.objects.get(pk=world["thread"].pk).delete(),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
        per_item = content_triples(store)
        call_command("publish_linked_data", "--content", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert content_triples(store) == per_item
    assert titles(store) == {"Open waste", "Open roads", "Potholes?"}
    assert names(store) == {"A. Khan"}


def test_without_an_update_endpoint_the_external_graph_is_replaced_whole(
    external_store, settings, world, django_capture_on_commit_callbacks
):
    settings.SPARQL_UPDATE_URL = ""
    mark(external_store, str(Uris.default().practice(world["practice"].slug)))

    with django_capture_on_commit_callbacks(execute=True):
        do_hide_thread(world["thread"], by=world["owner"])

    assert marked(external_store) == set()  # rebuilt whole: the stray triple went too
    assert titles(external_store) == PUBLIC - {"Open question on food waste"}


def test_outbox_names_of_items_read_back():
    from linkeddata.services.content import ContentItem

    item = ContentItem("practice", "tag-and-educate")
    assert item.outbox_name == "content:practice:tag-and-educate"
    assert ContentItem.from_outbox(item.outbox_name) == item
    assert ContentItem.from_outbox("content") is None
    assert ContentItem.from_outbox("content:unknown:x") is None
    assert ContentItem.from_outbox("recycling") is None


# -- Cool URIs ---------------------------------------------------------------------------------


def test_content_uris_see_other_to_documents_in_every_rdf_format(client, world):
    practice, thread = world["practice"], world["thread"]
    response = client.get(f"/id/practice/{practice.slug}")
    assert response.status_code == 303
    assert response["Location"] == f"/doc/practice/{practice.slug}"

    for accept, rdflib_format in [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ]:
        response = client.get(f"/doc/thread/{thread.pk}", headers={"Accept": accept})
        assert response.status_code == 200 and response["Content-Type"].startswith(accept)
        graph = Graph().parse(data=response.content, format=rdflib_format)
        uri = Uris.default().thread(thread.pk)
        assert (uri, DCTERMS.title, Literal("Open question on food waste", lang="en")) in graph
        assert (uri, SIOC.has_container, Uris.default().community(world["open"].slug)) in graph

    page = client.get(f"/doc/practice/{practice.slug}", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page["Location"].endswith(practice.url)
    turtle = client.get(f"/doc/community/{world['open'].slug}.ttl")
    assert turtle.status_code == 200 and b"Open waste" in turtle.content


def test_service_areas_dereference_as_a_skos_scheme(client, world):
    recycling = service_area("Environment and waste › Recycling")
    response = client.get("/id/service-areas")
    assert response.status_code == 303 and response["Location"] == "/doc/service-areas"
    scheme = Graph().parse(data=client.get("/doc/service-areas.ttl").content, format="turtle")
    uris = Uris.default()
    assert (uris.service_areas(), RDF.type, SKOS.ConceptScheme) in scheme
    assert (uris.service_area(recycling.slug), SKOS.inScheme, uris.service_areas()) in scheme

    assert client.get(f"/id/service-area/{recycling.slug}").status_code == 303
    concept = Graph().parse(
        data=client.get(f"/doc/service-area/{recycling.slug}.ttl").content, format="turtle"
    )
    assert (
        uris.service_area(recycling.slug),
        SKOS.broader,
        uris.service_area(recycling.parent.slug),
    ) in concept
    page = client.get(f"/doc/service-area/{recycling.slug}", headers={"Accept": "text/html"})
    assert page.status_code == 302 and f"service_area={recycling.slug}" in page["Location"]
    assert client.get("/doc/service-area/no-such-area.ttl").status_code == 404


def test_content_that_is_not_public_has_no_document(
    client, world, django_capture_on_commit_callbacks
):
    draft = GoodPracticePage.objects.get(title="Draft practice")
    restricted = ThreadPage.objects.get(title="Restricted question on rents")
    assert client.get(f"/doc/practice/{draft.slug}.ttl").status_code == 404
    assert client.get(f"/doc/thread/{restricted.pk}.ttl").status_code == 404
    assert client.get("/doc/thread/not-a-number.ttl").status_code == 404
    quiet = client.get(f"/doc/thread/{world['quiet_thread'].pk}.ttl")
    assert quiet.status_code == 200 and b"Quiet Person" not in quiet.content
    with django_capture_on_commit_callbacks(execute=True):
        do_hide_thread(world["thread"], by=world["owner"])
    assert client.get(f"/doc/thread/{world['thread'].pk}.ttl").status_code == 404


# -- Worked examples on the demo data ----------------------------------------------------------


@pytest.mark.long
def test_the_examples_joining_practice_and_data_answer_on_the_demo(prepared_demo):
    # the demo loaded and published (do_publish_all), as make run leaves it
    queries = {title: query for title, _, query in examples(Uris.default().base)}

    similar = select(
        None,
        queries[
            "Case studies from councils similar to Leeds that cite the recycling rate, "
            "with its change since"
        ],
    )
    bristol = [row for row in similar if "Bristol" in row["council"]]
    assert bristol and bristol[0]["title"] == "Open benchmarking with ONS similar councils"
    assert bristol[0]["cited"] == "2022/23" and bristol[0]["citedValue"] == "45.1"
    for row in similar:
        assert Decimal(row["change"]) == Decimal(row["latestValue"]) - Decimal(row["citedValue"])

    bottom = select(
        None,
        queries[
            "Councils in the bottom third for recycling, with good practice from their similar councils"
        ],
    )
    assert bottom
    assert any(
        row["council"] == "Leeds"
        and "Bristol" in row["similar"]
        and row["title"] == "Open benchmarking with ONS similar councils"
        for row in bottom
    )


def test_a_discussion_about_a_figure_is_about_its_observation(
    store, recycling, django_capture_on_commit_callbacks
):
    from communities.discussions.services.threads import check_figure, do_start_thread

    with django_capture_on_commit_callbacks(execute=True):
        owner = UserFactory()
        community = CommunityFactory(title="Open waste", owner=owner)
        thread = do_start_thread(
            community=community,
            author=owner,
            title="Why did Leeds's rate rise?",
            body="What changed in 2023/24?",
            figure=check_figure("E08000035", "recycling", "2023-24"),
        )

    rows = select(
        store, "PREFIX sioc: <http://rdfs.org/sioc/ns#> SELECT ?o WHERE { ?t sioc:about ?o }"
    )
    observation = Uris.default().observation("recycling", "E08000035", thread.figure_period.code)
    assert [row["o"] for row in rows] == [str(observation)]
