"""The engine processes on their own (what the query checks stop never reaches them, so here they are
given such queries directly), and the checks as a pure unit."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from linkeddata.engine import EngineFailure, EnginePool, EngineRequest
from linkeddata.services.query_checks import (
    QueryLimits,
    QueryRefused,
    check_no_federation,
    check_query_shape,
    measure,
    names_dataset,
    query_form,
)

ROOT = Path(__file__).resolve().parents[2]
LIMITS = QueryLimits(max_bytes=2000, max_depth=8, max_terms=100)


def request(text: str) -> EngineRequest:
    return EngineRequest(
        store=None, text=text, max_rows=10, max_value_bytes=1000, max_answer_bytes=100_000
    )


@pytest.fixture(scope="module")
def pool():
    engines = EnginePool(size=1, memory_mb=1024)
    yield engines
    engines.close()


def test_a_crash_ends_the_engine_process_only(pool):
    nested = "SELECT * WHERE " + "{" * 3000 + "}" * 3000  # overflows the engine's stack
    with pytest.raises(EngineFailure) as crash:
        pool.run(request(nested), timeout=30)
    assert crash.value.status == 500 and "only this query" in crash.value.message
    answer = pool.run(request("SELECT ?x WHERE { BIND(1 AS ?x) }"), timeout=30)  # a fresh process
    assert answer.kind == "SELECT" and answer.rows == [
        [("l", "1", "http://www.w3.org/2001/XMLSchema#integer", None)]
    ]


def test_the_engine_cannot_reach_the_network_even_if_service_got_through(pool):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/> {{ ?s ?p ?o }} }}"
        with pytest.raises(EngineFailure) as refused:
            pool.run(request(query), timeout=30)
        assert refused.value.status == 400
        with pytest.raises(TimeoutError):
            listener.accept()


def test_the_seccomp_fallback_refuses_internet_sockets():
    """Where user namespaces are not allowed, the filter alone keeps the engine off the network."""
    script = (
        "import socket\n"
        "from linkeddata.engine import _seccomp_deny_sockets\n"
        "assert _seccomp_deny_sockets()\n"
        "socket.socketpair()\n"  # the pipe to the web process still works
        "try:\n"
        "    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "except PermissionError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "refused", done.stderr


def test_rows_and_values_are_counted_as_produced(pool):
    rows = "SELECT ?a WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 11 } }"
    with pytest.raises(EngineFailure, match="more than 10 rows"):
        pool.run(request(rows), timeout=30)
    value = 'SELECT (CONCAT("' + "x" * 600 + '", "' + "y" * 600 + '") AS ?v) WHERE {}'
    with pytest.raises(EngineFailure, match="SPARQL_MAX_VALUE_BYTES"):
        pool.run(request(value), timeout=30)


def test_a_query_past_its_time_is_killed_and_the_next_one_answered(pool):
    values = " ".join(str(i) for i in range(300))
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{{values}}} VALUES ?b {{{values}}} VALUES ?c {{{values}}} VALUES ?d {{{values}}} }}"
    with pytest.raises(EngineFailure, match="time limit"):
        pool.run(request(slow), timeout=1)
    assert pool.run(request("ASK {}"), timeout=30).boolean is True


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * WHERE " + "{" * 9 + "}" * 9, "SPARQL_MAX_QUERY_DEPTH"),
        ("ASK { FILTER(" + "(" * 9 + "1" + ")" * 9 + ") }", "SPARQL_MAX_QUERY_DEPTH"),
        ("ASK { FILTER(" + " || ".join(["true"] * 60) + ") }", "SPARQL_MAX_QUERY_TERMS"),
        ("ASK {} #" + "x" * 2000, "SPARQL_MAX_QUERY_BYTES"),
    ],
)
def test_shape_limits_name_the_setting(query, limit):
    with pytest.raises(QueryRefused, match=limit):
        check_query_shape(query, LIMITS)


def test_brackets_in_strings_iris_and_comments_do_not_count():
    query = 'SELECT * WHERE { ?s <urn:a((> "{{{((([" . # }}}}}}}}}}}\n ?s ?p """{{{{{{{{{""" }'
    assert measure(query, 8, 100).depth == 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
        'VERSION "1.2" SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }',
        "SELECT * WHERE { \\u0053ERVICE <http://example.org/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . LATERAL { SeRvIcE SILENT <http://example.org/> { ?s ?p ?o } } }",
    ],
)
def test_federation_is_refused_and_an_unreadable_query_that_mentions_it_too(query):
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_no_federation(check_query_shape(query, QueryLimits(2000, 64, 1000)))


def test_a_string_that_mentions_services_passes():
    check_no_federation('ASK { FILTER(CONTAINS("Children\'s services", "service")) }')


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX ask: <urn:x:> SELECT * WHERE { ?s ask:p ?o }", "SELECT"),
        ("# describe the select\nASK { <urn:x:select> ?p 'construct' }", "ASK"),
        ("BASE <urn:x:> construct { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <urn:x:a>", "DESCRIBE"),
        ("PREFIX x: <urn:x:>", None),
    ],
)
def test_the_query_form_is_read_past_prefixes_comments_strings_and_iris(query, form):
    assert query_form(query) == form


def test_from_counts_only_as_a_keyword():
    assert names_dataset("SELECT * FROM <urn:x:g> WHERE { ?s ?p ?o }")
    assert names_dataset("select * from named <urn:x:g> where { graph ?g { ?s ?p ?o } }")
    assert not names_dataset("SELECT * WHERE { ?s ?p 'from' } # from")
    assert not names_dataset("SELECT * WHERE { ?s <urn:x:from> ?o }")
