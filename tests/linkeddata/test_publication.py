"""Publication never loses a change: a busy or unreachable store delays it, and it catches up.

Real services only: the local Oxigraph store held by another real process, and a real external SPARQL
server (Oxigraph server) that is unreachable and then reachable.
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from linkeddata.models import PendingPublication
from linkeddata.services.imports import do_import_observations
from linkeddata.uris import Uris
from tests.linkeddata.conftest import CSV, SERVER_TIMEOUT_SECONDS

pytestmark = pytest.mark.django_db(transaction=True)


def series(endpoint: str) -> list[str]:
    base = Uris.default().base
    query = f"""SELECT ?value WHERE {{ <{base}/id/slice/recycling/area/E08000035> <http://purl.org/linked-data/cube#observation> ?obs .
        ?obs <{base}/id/measure/recycling> ?value ; <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?p }} ORDER BY ?p"""
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(  # noqa: S310 - loopback URLs of the test services
        urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),  # noqa: S310 - loopback URLs of the test services
        timeout=30,
    ) as response:
        return [row["value"]["value"] for row in json.load(response)["results"]["bindings"]]


def reimport(recycling, tmp_path, value: str) -> None:
    updated = tmp_path / f"recycling-{value}.csv"
    updated.write_text(CSV.replace("40.1", value), encoding="utf-8")
    do_import_observations(updated, recycling)


def test_an_import_while_another_process_holds_the_store_is_published_by_the_holder(
    settings, tmp_path, live_server, recycling, capsys
):
    settings.RDF_STORE_PATH = tmp_path / "held-store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
            str(settings.RDF_STORE_PATH),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        messages = []
        updated = tmp_path / "recycling-v2.csv"
        updated.write_text(CSV.replace("40.1", "41.7"), encoding="utf-8")
        do_import_observations(updated, recycling, progress=messages.append)

        assert recycling.observations.get(
            area__gss_code="E08000035", period__code="2023/24"
        ).value == Decimal("41.7")
        assert set(PendingPublication.objects.values_list("graph", flat=True)) == {
            "recycling",
            "reference",
        }
        assert any("publication is pending" in message for message in messages)
        health = live_server_get(live_server, "/healthz")
        assert health["checks"]["linked_data"]["pending"] == 2
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)

    # The store is free again (the web server holds it now): its next query publishes first.
    assert series(f"{live_server.url}/sparql") == ["38.5", "41.7"]
    assert not PendingPublication.objects.exists()


def live_server_get(live_server, path: str) -> dict:
    try:
        with urllib.request.urlopen(f"{live_server.url}{path}", timeout=30) as response:  # noqa: S310 - the live test server
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def test_an_external_server_that_is_down_delays_publication_and_loses_nothing(
    settings, tmp_path, live_server, external_store, recycling, unused_tcp_port
):
    endpoint = f"{live_server.url}/sparql"
    assert series(endpoint) == ["38.5", "40.1"]

    settings.SPARQL_GRAPH_STORE_URL = (
        f"http://127.0.0.1:{unused_tcp_port}/store"  # the server is down
    )
    settings.SPARQL_ENDPOINT_URL = f"http://127.0.0.1:{unused_tcp_port}/query"
    reimport(recycling, tmp_path, "41.7")
    pending = PendingPublication.objects.get(graph="recycling")
    assert pending.attempts == 1 and "cannot be reached" in pending.last_error
    health = live_server_get(live_server, "/healthz")
    assert health["status"] == "degraded"  # pages still work: ready, not failing
    assert (
        health["checks"]["linked_data"]["ok"] is False
        and health["checks"]["linked_data"]["pending"] == 2
    )
    with pytest.raises(urllib.error.HTTPError) as unavailable:
        urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=30)  # noqa: S310 - the live test server
    assert unavailable.value.code == 503 and b"cannot be reached" in unavailable.value.read()

    settings.SPARQL_GRAPH_STORE_URL = external_store["store"]  # the server is back
    settings.SPARQL_ENDPOINT_URL = external_store["query"]
    from linkeddata.tasks import publish_pending

    result = publish_pending.enqueue().return_value
    assert result["published"] == ["recycling", "reference"] and result["remaining"] == 0
    assert series(endpoint) == ["38.5", "41.7"]
    assert live_server_get(live_server, "/healthz")["checks"]["linked_data"] == {
        "ok": True,
        "store": "external",
        "url": external_store["query"],
        "pending": 0,
        "oldest_pending_seconds": 0,
    }


def test_publish_linked_data_pending_says_what_is_still_waiting(
    settings, tmp_path, external_store, recycling, unused_tcp_port, capsys
):
    from django.core.management.base import CommandError

    settings.SPARQL_GRAPH_STORE_URL = f"http://127.0.0.1:{unused_tcp_port}/store"
    reimport(recycling, tmp_path, "41.7")
    with pytest.raises(CommandError, match=r"cannot be reached.*2 graph\(s\) are still pending"):
        call_command("publish_linked_data", "--pending")

    settings.SPARQL_GRAPH_STORE_URL = external_store["store"]
    call_command("publish_linked_data", "--pending")
    assert "Published 2 pending graph(s)." in capsys.readouterr().out
    assert not PendingPublication.objects.exists()


def test_the_external_server_cancels_a_query_past_its_own_time_limit(
    settings, live_server, external_store, recycling
):
    """Oxigraph server (``--timeout-s``) stops a query that reads the store, and says so mid-answer."""
    # 20,000 triples with one predicate: joining them on it is 400 million rows.
    triples = "".join(f"<urn:x:s{n}> <urn:x:p> <urn:x:o{n}> .\n" for n in range(20000)).encode()
    put = urllib.request.Request(  # noqa: S310 - loopback URLs of the test services
        f"{external_store['store']}?graph=urn:x:big",
        data=triples,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(put, timeout=30).close()  # noqa: S310 - loopback
    settings.SPARQL_TIMEOUT_SECONDS = (
        30  # longer than the server's own limit: the server gives up first
    )
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:x:p> ?b . ?c <urn:x:p> ?d }"
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as cancelled:
        urllib.request.urlopen(  # noqa: S310 - loopback URLs of the test services
            f"{live_server.url}/sparql?{urllib.parse.urlencode({'query': slow})}", timeout=60
        )
    elapsed = time.monotonic() - started
    body = cancelled.value.read()
    assert cancelled.value.code == 503 and b"cut short" in body and b"cancelled" in body
    assert SERVER_TIMEOUT_SECONDS - 0.5 < elapsed < SERVER_TIMEOUT_SECONDS + 5
    # The server is free at once: the next query does not wait behind the cancelled one.
    started = time.monotonic()
    assert series(f"{live_server.url}/sparql") == ["38.5", "40.1"]
    assert time.monotonic() - started < 2


def test_an_import_by_another_process_is_published_before_the_holders_next_query(
    settings, tmp_path, live_server, recycling, client, django_assert_num_queries
):
    from django.db import connection

    endpoint = f"{live_server.url}/sparql"
    assert series(endpoint) == ["38.5", "40.1"]  # the web process holds the store, nothing pending
    query = "ASK { ?s ?p ?o }"
    with django_assert_num_queries(0):  # nothing recorded since: no question to the database
        answer = client.post("/sparql", query, content_type="application/sparql-query")
    assert answer.status_code == 200 and json.loads(answer.content)["boolean"] is True

    updated = tmp_path / "recycling-41.7.csv"
    updated.write_text(CSV.replace("40.1", "41.7"), encoding="utf-8")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "RDF_STORE_PATH": str(settings.RDF_STORE_PATH),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "import_benchmarks", str(updated), "--dataset", "recycling"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "publication is pending" in done.stdout + done.stderr  # it could not open the store
    assert PendingPublication.objects.exists()

    assert series(endpoint) == ["38.5", "41.7"]  # the holder saw the mark and published first
    assert not PendingPublication.objects.exists()


def ask(endpoint: str, query: str) -> bool:
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(  # noqa: S310 - loopback URLs of the test services
        urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),  # noqa: S310 - loopback URLs of the test services
        timeout=30,
    ) as response:
        return json.load(response)["boolean"]


def test_queries_follow_a_store_left_unchanged_for_a_while(
    settings, tmp_path, live_server, recycling
):
    """Once the store's folder has not changed for a while, the endpoint keeps its listing and only
    measures the growing files: a write that only grows the write-ahead log is still answered, and so
    is a republication."""
    import pyoxigraph as ox

    from linkeddata.store import oxigraph_store

    endpoint = f"{live_server.url}/sparql"
    folder = settings.RDF_STORE_PATH

    def settle() -> None:
        past = time.time_ns() - 10_000_000_000
        os.utime(folder, ns=(past, past))

    added = "ASK { <urn:x:council> <urn:x:recycles> <urn:x:more> }"
    for _ in range(2):  # a query may flush the store (a new file): settled again after it
        settle()
        assert series(endpoint) == ["38.5", "40.1"]
        assert ask(endpoint, added) is False
    folder_before = folder.stat().st_mtime_ns
    oxigraph_store().add(  # written, not flushed: only the write-ahead log grows
        ox.Quad(
            ox.NamedNode("urn:x:council"),
            ox.NamedNode("urn:x:recycles"),
            ox.NamedNode("urn:x:more"),
            ox.NamedNode("urn:x:graph"),
        )
    )
    assert folder.stat().st_mtime_ns == folder_before
    assert ask(endpoint, added) is True

    settle()
    assert series(endpoint) == ["38.5", "40.1"]
    reimport(recycling, tmp_path, "41.7")
    assert series(endpoint) == ["38.5", "41.7"]
