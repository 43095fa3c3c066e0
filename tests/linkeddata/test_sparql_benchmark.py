"""The SPARQL endpoint benchmark runs at its smallest size: it completes and prints its figures (no
timing is asserted: speed is the script's to report, not a test's), and the hub in front of each external
server (Oxigraph as the README recommends, and Apache Jena Fuseki) answers a short burst without an error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing

pytestmark = [pytest.mark.django_db, pytest.mark.long]  # the hub it serves reads the test database

ROOT = Path(__file__).resolve().parents[2]


def test_the_endpoint_benchmark_completes_and_prints_its_figures(django_db_setup):
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor != "postgresql":
        missing("PostgreSQL", "the benchmark's web server shares the test database")
    url = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkeddata.benchmarks.sparql_endpoint",
            "--size",
            "small",
            "--repeats",
            "2",
            "--warm-up-seconds",
            "0",
            "--burst",
            "--burst-seconds",
            "1",
            "--burst-clients",
            "2",
            "--database-url",
            url,
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert "\n/sparql, p50 ms" in out
    for query in ["series", "ranking", "similar", "counts", "describe", "published"]:
        assert f"\n{query} " in out
    assert "/sparql local" in out and "/sparql server" in out
    for mode in ["/sparql local", "/sparql server"]:
        # each way: its figures, and the target's verdict for every query
        table = out.split(mode, 1)[1].split("\n\n", 1)[0]
        assert "/healthz/live p50" in table and "p95 ms" in table and "overhead" in table
        verdicts = [line for line in table.splitlines() if "(<= " in line]
        assert len(verdicts) == 6, table
    assert "req/s" in out and "p95 ms" in out and "threads before/peak/after" in out
    for server in [
        "oxigraph --timeout-s 10",
        "fuseki (timeout 10 s)",
        "fuseki, no whole-cube count",
    ]:
        row = next(line for line in out.splitlines() if line.startswith(server))
        requests, errors = row[len(server) :].split()[:2]
        assert int(requests) > 0 and int(errors) == 0, row
