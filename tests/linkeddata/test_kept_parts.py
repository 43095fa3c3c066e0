"""The measure and compare pages keep their ranking and comparison for every reader, and the area
page its figures and ranks (``hub.floor.fragments``), until the figures are published again."""

from __future__ import annotations

import json

import pytest

from linkeddata.models import Dataset, Observation
from linkeddata.services.imports import do_import_observations
from tests.factories import UserFactory
from tests.linkeddata.conftest import CSV

pytestmark = pytest.mark.django_db


def quietly_change_leeds(value: str) -> None:
    """A figure changed behind the import's back (nothing recorded for publication)."""
    Observation.objects.filter(area__gss_code="E08000035", period__code="2023/24").update(
        value=value
    )


@pytest.mark.parametrize(
    "url",
    [
        "/doc/measure/recycling?period=2023-24",
        "/data/compare/E08000035/?measure=recycling&with=similar",
        "/doc/area/E08000035",
    ],
)
def test_a_new_publication_replaces_the_kept_figures(
    kept_fragments, client, recycling, tmp_path, url
):
    client.force_login(UserFactory())
    assert "40.1" in client.get(url).content.decode()

    quietly_change_leeds("41.7")
    assert "40.1" in client.get(url).content.decode()  # kept

    revised = tmp_path / "revised.csv"
    revised.write_text(CSV.replace("2023/24,40.1", "2023/24,42.3"), encoding="utf-8")
    do_import_observations(revised, recycling)
    page = client.get(url).content.decode()
    assert "42.3" in page and "40.1" not in page


def test_the_find_box_keeps_each_readers_own_council(kept_fragments, client, recycling):
    """The ranking is shared, but "Find a council" starts at each reader's own council."""
    from linkeddata.models import Area

    url = "/doc/measure/recycling?period=2023-24"
    leeds, bristol = (UserFactory() for _ in range(2))
    for user, gss in ((leeds, "E08000035"), (bristol, "E06000023")):
        user.profile.council = Area.objects.get(gss_code=gss)
        user.profile.save(update_fields=["council"])
    for user, gss in ((leeds, "E08000035"), (bristol, "E06000023"), (leeds, "E08000035")):
        client.force_login(user)
        assert f'<option value="{gss}" selected>' in client.get(url).content.decode()


def test_the_sparql_page_keeps_its_worked_examples_and_shows_each_reader_their_own_query(
    kept_fragments, client
):
    """The worked examples are the same for everyone and kept; the query in the editor is the
    reader's own, and the page is the same as with nothing kept."""
    from django.conf import settings

    def page(q: str) -> str:
        return client.get("/sparql", {"q": q}, HTTP_ACCEPT="text/html").content.decode()

    kept = [page("ASK { ?s ?p ?o }"), page("SELECT * WHERE { ?s ?p ?o } LIMIT 1")]
    assert "Worked examples" in kept[0] and kept[0].count('class="ld-example"') >= 5
    assert "ASK { ?s ?p ?o }" in kept[0] and "ASK { ?s ?p ?o }" not in kept[1]
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert [page("ASK { ?s ?p ?o }"), page("SELECT * WHERE { ?s ?p ?o } LIMIT 1")] == kept


def test_a_visitors_sparql_page_is_kept_but_every_query_is_answered_afresh(
    page_cache, client, recycling
):
    """The page and the Service Description are the same for every visitor and kept until the next
    publication; an answer to a query is never kept: each runs on the data as it is."""
    from django.db import transaction

    from linkeddata.services.publish import record_publication
    from linkeddata.store import replace_graph
    from linkeddata.uris import Uris

    described = client.get("/sparql", HTTP_ACCEPT="text/turtle").content.decode()
    assert "/graph/recycling" in described
    page = client.get("/sparql", HTTP_ACCEPT="text/html").content

    Dataset.objects.filter(slug="recycling").update(slug="recycling-rates")  # nothing recorded
    assert client.get("/sparql", HTTP_ACCEPT="text/turtle").content.decode() == described
    assert client.get("/sparql", HTTP_ACCEPT="text/html").content == page

    base = Uris.default().base
    ask = {"query": f"ASK {{ <{base}/id/a> <{base}/id/b> <{base}/id/c> }}"}

    def answers() -> tuple[bool, str]:
        data = client.get("/sparql", ask, HTTP_ACCEPT="application/sparql-results+json").content
        shown = client.get("/sparql", ask, HTTP_ACCEPT="text/html").content.decode()
        return json.loads(data)["boolean"], shown.split("The answer is <strong>")[1][:3]

    assert answers() == (False, "no<")
    replace_graph(  # a triple written behind the publication's back: the next answers have it
        f"{base}/graph/quiet", f"<{base}/id/a> <{base}/id/b> <{base}/id/c> .\n".encode()
    )
    assert answers() == (True, "yes")

    with transaction.atomic():
        record_publication(reference=True)
    described = client.get("/sparql", HTTP_ACCEPT="text/turtle").content.decode()
    assert "/graph/recycling-rates" in described
