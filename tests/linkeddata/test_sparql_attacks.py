"""Attacks on the public SPARQL endpoint, against the hub served by gunicorn as in production.

Each attack is refused or contained, and the gunicorn workers that served it are the same processes,
alive, afterwards: a worker that crashed would have been replaced by the master under a new id. The
server runs with small limits (a 3 s time limit, 100 rows, 10 kB values, an 800 MB engine memory ceiling,
one query per client) so that the attacks are quick.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hub.drill.stack import free_port
from tests.conftest import missing, ports_of_this_process

# The server reads the test database (created for the session because these tests are marked).
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT = 3
DIGITS = "VALUES ?{} {{0 1 2 3 4 5 6 7 8 9}}"


def rows(*variables: str) -> str:
    """Graph patterns that produce 10 ** len(variables) rows from nothing."""
    return " ".join(DIGITS.format(v) for v in variables)


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after the command name: state, ppid, ...
            if fields[0] != "Z" and int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


class Server:
    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url
        self.engines_seen: set[int] = set()

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def engines(self) -> set[int]:
        found = {e for w in self.workers() for e in children(w)}
        self.engines_seen |= found
        return found

    def ask(self, query: str, client: str = "198.51.100.1") -> tuple[int, dict, bytes]:
        request = urllib.request.Request(  # noqa: S310 - the local test server
            f"{self.url}/sparql",
            data=query.encode(),
            headers={
                "Content-Type": "application/sparql-query",
                "X-Forwarded-For": client,
                "Accept": "application/sparql-results+json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The hub under gunicorn (two workers of four threads) on the test database, with small limits."""
    from django.db import connection

    db = connection.settings_dict
    name = db["NAME"]
    if not name.startswith(
        "test_"
    ):  # the module-scoped fixture may see the settings before the switch
        name = connection.creation._get_test_db_name()
    if connection.vendor != "postgresql":
        missing(
            "PostgreSQL",
            "the gunicorn server shares the test database, which SQLite in memory cannot",
        )
    data = tmp_path_factory.mktemp("sparql-attacks")
    port = free_port(ports_of_this_process(range(8100, 8200)))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}",
        "HUB_DATA_DIR": str(data),
        "RDF_STORE_PATH": str(data / "rdf"),
        "DEBUG": "false",
        "SECRET_KEY": "test-only-secret-key",
        "ALLOWED_HOSTS": "*",
        "TRUSTED_PROXY_COUNT": "1",  # clients are told apart by X-Forwarded-For
        "SPARQL_TIMEOUT_SECONDS": str(TIME_LIMIT),
        "SPARQL_MAX_ROWS": "100",
        "SPARQL_MAX_VALUE_BYTES": "10000",
        "SPARQL_ENGINE_MEMORY_MB": "800",
        "SPARQL_ENGINE_PROCESSES": "2",
        "SPARQL_CLIENT_CONCURRENCY": "1",
    }
    env.pop("SPARQL_ENDPOINT_URL", None)
    log = (data / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hub.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    live = Server(process, f"http://127.0.0.1:{port}")
    for _ in range(300):
        if process.poll() is not None:
            break
        try:
            if live.ask("ASK {}")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        process.kill()
    if process.poll() is not None:
        pytest.fail(f"gunicorn did not start: {(data / 'gunicorn.log').read_text()[-2000:]}")
    yield live
    live.engines()
    process.terminate()
    process.wait(timeout=60)
    log.close()
    for _ in range(50):  # the engine processes stop with their web process
        if not any(Path(f"/proc/{pid}").exists() for pid in live.engines_seen):
            break
        time.sleep(0.1)
    left = [pid for pid in live.engines_seen if Path(f"/proc/{pid}").exists()]
    assert not left, f"engine processes outlived the server: {left}"


@pytest.fixture
def alive(server):
    """The gunicorn workers before the test; after it, the same processes must still serve a query."""
    before = server.workers()
    assert len(before) == 2
    yield server
    assert server.workers() == before, "a gunicorn worker died and was replaced"
    status, _, body = server.ask("SELECT ?x WHERE { BIND(42 AS ?x) }", client="198.51.100.250")
    assert status == 200 and b'"42"' in body


def test_stack_overflow_queries_are_refused_before_parsing(alive):
    nested = "SELECT * WHERE " + "{ " * 3000 + "}" * 3000  # ~10 kB: overflows the engine's stack
    status, _, body = alive.ask(nested)
    assert status == 400 and b"SPARQL_MAX_QUERY_DEPTH" in body

    chain = "SELECT * WHERE { BIND(1 AS ?a) FILTER(" + " || ".join(["?a"] * 3000) + ") }"
    status, _, body = alive.ask(chain)
    assert status == 400 and b"SPARQL_MAX_QUERY_TERMS" in body

    status, _, body = alive.ask("SELECT * WHERE { " + "x" * 70000 + " }")
    assert status == 400 and b"SPARQL_MAX_QUERY_BYTES" in body


def test_federation_in_sparql_12_syntax_reaches_nothing(alive):
    with socket.socket() as listener:  # an "internal service" the queries try to reach
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/internal"
        for query in [
            f'VERSION "1.2" SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}',
            f"SELECT * WHERE {{ BIND(1 AS ?x) LATERAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
            f"SELECT * WHERE {{ BIND(<<( <urn:a> <urn:b> <urn:c> )>> AS ?t) SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        ]:
            status, _, body = alive.ask(query)
            assert status == 400 and b"SERVICE" in body, body
        with pytest.raises(TimeoutError):
            listener.accept()


def test_a_runaway_construct_is_cut_at_the_cap(alive):
    query = (
        "CONSTRUCT { ?s <urn:p> ?a } WHERE { "
        + rows("a", "b", "c", "d", "e", "f")
        + ' BIND(IRI(CONCAT("urn:x:", STR(?a), STR(?b), STR(?c), STR(?d), STR(?e), STR(?f))) AS ?s) }'
    )  # a million triples
    status, _, body = alive.ask(query)
    assert status == 413 and b"more than 100 triples" in body


def test_group_concat_blowups_are_capped(alive):
    long_value = f"SELECT (GROUP_CONCAT(?s) AS ?all) WHERE {{ {rows('a', 'b', 'c', 'd')} BIND(CONCAT(STR(?a), STR(?b)) AS ?s) }}"
    status, _, body = alive.ask(long_value)
    assert status == 413 and b"SPARQL_MAX_VALUE_BYTES" in body

    # A small answer that needs a 1 GB value on the way (10,000 rows of 100 kB, the padding built by the
    # engine): the engine process hits its memory ceiling, and only this query fails.
    pad = "x" * 1000
    huge = (
        f'SELECT (STRLEN(GROUP_CONCAT(?p2)) AS ?n) WHERE {{ {rows("a", "b", "c", "d")} BIND("{pad}" AS ?p0) '
        f"BIND(CONCAT({', '.join(['?p0'] * 10)}) AS ?p1) BIND(CONCAT({', '.join(['?p1'] * 10)}) AS ?p2) }}"
    )
    status, _, body = alive.ask(huge)
    assert status == 500 and b"800 MB (SPARQL_ENGINE_MEMORY_MB)" in body


SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join("VALUES ?{} {{{}}}".format(v, " ".join(str(i) for i in range(300))) for v in "abcd")
    + " }"
)


def test_a_query_past_the_time_limit_is_stopped_and_frees_its_slot(alive):
    # As many slow queries as the pool has slots: each is stopped, and the next query is answered.
    for _ in range(2):
        status, headers, body = alive.ask(SLOW)
        assert status == 503 and f"{TIME_LIMIT} s time limit".encode() in body, body
        assert headers["Retry-After"]
        status, _, body = alive.ask("SELECT ?x WHERE { BIND(7 AS ?x) }")
        assert status == 200 and b'"7"' in body


def test_one_client_cannot_take_every_slot(alive):
    outcome: dict[str, int] = {}

    def slow() -> None:  # until it gets the client's slot (the other loop may hold it for a moment)
        while (status := alive.ask(SLOW, client="192.0.2.7")[0]) == 429:
            pass
        outcome["slow"] = status

    runner = threading.Thread(target=slow)
    runner.start()
    refused = other = None
    while runner.is_alive():
        status, headers, body = alive.ask("ASK {}", client="192.0.2.7")
        if status == 429:
            refused = (headers, body)
            other = alive.ask("ASK {}", client="192.0.2.8")  # another client is still answered
    runner.join()
    assert outcome["slow"] == 503
    assert refused is not None and other is not None, (
        "the client's second query was never refused while its first ran"
    )
    headers, body = refused
    assert headers["Retry-After"] and b"SPARQL_CLIENT_CONCURRENCY" in body
    assert other[0] == 200


def test_engine_processes_have_no_network_and_stop_with_the_server(alive):
    engines = alive.engines()
    assert engines, "the queries ran in engine processes under the workers"
    ours = os.readlink("/proc/self/ns/net")

    def isolated(pid: int) -> bool:  # in a network namespace of its own, or under a seccomp filter
        try:
            return os.readlink(f"/proc/{pid}/ns/net") != ours or (
                "Seccomp:\t2" in Path(f"/proc/{pid}/status").read_text()
            )
        except FileNotFoundError:
            return True  # it has ended since

    for _ in range(
        100
    ):  # a replacement may still be starting: it cuts itself off before it is used
        if all(isolated(pid) for pid in engines):
            break
        time.sleep(0.1)
    assert all(isolated(pid) for pid in engines)
