"""The hub in front of an external SPARQL server: it sends at most ``SPARQL_SERVER_CONCURRENCY`` queries
at once per web process, and answers the next with a 503 that says when to come back."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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


class HeldServer(ThreadingHTTPServer):
    """A stand-in for the external SPARQL server that holds every query until the test releases it,
    counting the queries it holds at once: what is busy is decided by the test, not by timing."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HeldHandler)
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.lock = threading.Lock()
        self.holding = 0
        self.most_at_once = 0
        self.received = 0

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/query"


class _HeldHandler(BaseHTTPRequestHandler):
    server: HeldServer
    protocol_version = "HTTP/1.1"  # kept alive, as the hub's pool expects

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received += 1
            self.server.holding += 1
            self.server.most_at_once = max(self.server.most_at_once, self.server.holding)
        self.server.entered.release()
        self.server.release.wait(60)
        with self.server.lock:
            self.server.holding -= 1
        body = b'{"head": {}, "boolean": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def held_server(settings):
    server = HeldServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SPARQL_ENDPOINT_URL = server.query_url
    settings.SPARQL_GRAPH_STORE_URL = ""
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_queries_to_the_server_are_bounded_per_process(settings, live_server, held_server):
    settings.SPARQL_SERVER_CONCURRENCY = 1
    settings.TRUSTED_PROXY_COUNT = 1  # clients told apart by X-Forwarded-For
    endpoint = f"{live_server.url}/sparql"
    outcome: dict[str, int] = {}

    def first() -> None:
        outcome["first"] = ask(endpoint, "ASK {}", "192.0.2.1")[0]

    runner = threading.Thread(target=first)
    runner.start()
    assert held_server.entered.acquire(timeout=60), "the first query never reached the server"

    status, headers, body = ask(endpoint, "ASK {}", "192.0.2.2")  # the one slot is held
    assert status == 503 and headers["Retry-After"] and b"SPARQL_SERVER_CONCURRENCY" in body
    assert held_server.received == 1  # the second query was never sent

    held_server.release.set()
    runner.join(60)
    assert outcome["first"] == 200
    assert ask(endpoint, "ASK {}", "192.0.2.2")[0] == 200  # the slot is free again
    assert held_server.most_at_once == 1


def test_many_queries_reuse_the_servers_connections(settings, live_server, external_store):
    from linkeddata.store import http_pool

    endpoint = f"{live_server.url}/sparql"
    for n in range(20):
        assert ask(endpoint, "ASK {}", f"192.0.2.{n + 10}")[0] == 200
    pool = http_pool(settings.SPARQL_SERVER_CONCURRENCY)
    connections = pool.connection_from_url(settings.SPARQL_ENDPOINT_URL)
    assert connections.num_connections <= settings.SPARQL_SERVER_CONCURRENCY
    assert connections.num_requests >= 20
