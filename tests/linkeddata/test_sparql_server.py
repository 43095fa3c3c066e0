"""The hub in front of an external SPARQL server: it sends at most ``SPARQL_SERVER_CONCURRENCY`` queries
at once per web process, and answers the next with a 503 that says when to come back."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from tests.linkeddata.conftest import slow_query_on

pytestmark = pytest.mark.django_db(transaction=True)


def ask(url: str, query: str, client: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(  # noqa: S310 - the live test server
        url,
        data=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
            "X-Forwarded-For": client,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_queries_to_the_server_are_bounded_per_process(settings, live_server, external_store):
    slow_query = slow_query_on(external_store)  # runs until the server's own time limit stops it
    settings.SPARQL_SERVER_CONCURRENCY = 1
    settings.TRUSTED_PROXY_COUNT = 1  # clients told apart by X-Forwarded-For
    endpoint = f"{live_server.url}/sparql"
    outcome: dict[str, int] = {}
    started = threading.Event()

    def slow() -> None:
        started.set()
        outcome["slow"] = ask(endpoint, slow_query, "192.0.2.1")[0]

    runner = threading.Thread(target=slow)
    runner.start()
    started.wait()
    refused = None
    while runner.is_alive() and refused is None:
        status, headers, body = ask(endpoint, "ASK {}", "192.0.2.2")
        if status == 503:
            refused = headers, body
    runner.join()
    assert refused is not None, "a second query was sent while the server was busy with the first"
    assert refused[0]["Retry-After"] and b"SPARQL_SERVER_CONCURRENCY" in refused[1]
    assert outcome["slow"] == 503  # the server's time limit stopped it
    assert ask(endpoint, "ASK {}", "192.0.2.2")[0] == 200  # the slot is free again


def test_many_queries_reuse_the_servers_connections(settings, live_server, external_store):
    from linkeddata.store import http_pool

    endpoint = f"{live_server.url}/sparql"
    for n in range(20):
        assert ask(endpoint, "ASK {}", f"192.0.2.{n + 10}")[0] == 200
    pool = http_pool(settings.SPARQL_SERVER_CONCURRENCY)
    connections = pool.connection_from_url(settings.SPARQL_ENDPOINT_URL)
    assert connections.num_connections <= settings.SPARQL_SERVER_CONCURRENCY
    assert connections.num_requests >= 20
