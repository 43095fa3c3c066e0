"""The benchmark scripts run at their smallest size, so they cannot rot: each completes and prints
its figures (no timing is asserted: speed is for the scripts themselves, on a quiet machine)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# the scripts' own processes see the data; minutes in all: started first
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]


def database_url() -> str:
    """The test database, for the scripts' processes (it is emptied after each test)."""
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def run(*args: str, settings_module: str | None = None, rdf_store: Path | None = None) -> str:
    """Run a benchmark script on the test database (``rdf_store``: its own RDF store, for a script
    that publishes linked data while this test process holds the test store open)."""
    if connection.vendor != "postgresql":
        pytest.skip("the benchmarks run on PostgreSQL")
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT)}
    if rdf_store is not None:
        env["RDF_STORE_PATH"] = str(rdf_store)
    env.pop("ELASTICSEARCH_URL", None)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_pages_benchmark_measures_every_page_type_at_its_smallest_size(tmp_path):
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is missing: apt-get install wrk")
        pytest.skip("wrk is missing: apt-get install wrk")
    output = run(
        "communities.benchmarks.pages",
        "--size=tiny",
        "--seconds=1",
        "--rounds=1",
        "--warmup=0",
        "--workers=1",
    )
    print(output)
    assert "size tiny: 20 communities" in output
    for row in [
        "| baseline: site template, no content | anonymous |",
        "| baseline: site template, no content | signed in |",
        "| home | anonymous |",
        "| communities list | anonymous |",
        "| community | signed in |",
        "| thread | anonymous |",
        "| thread | signed in |",
        "| member directory | anonymous |",
        "| library | anonymous |",
        "| case study | anonymous |",
        "| search | anonymous |",
        "| autocomplete | anonymous |",
        "| area | anonymous |",
        "| sparql examples | anonymous |",
        "| dashboard | signed in |",
        "| notifications | signed in |",
    ]:
        assert row in output, row
    assert "A visitor's walk through" in output
    assert "| the hub's cache (10,000 entries) |" in output
    assert "| Django's default cache (300 entries) |" in output


def test_good_practice_library_benchmark_at_its_smallest_size():
    output = run(
        "communities.benchmarks.good_practice_library",
        "10",
        "--in-place",
        settings_module="hub.settings.test",
    )
    print(output)
    assert "built 10 case studies" in output
    assert "library page (HTTP, full render)" in output


def test_area_page_benchmark_at_its_smallest_size(tmp_path):
    output = run(
        "linkeddata.benchmarks.area_page",
        "--size",
        "tiny",
        "--in-place",
        settings_module="hub.settings.test",
        rdf_store=tmp_path / "rdf",
    )
    print(output)
    assert "built the tiny data" in output
    assert "no panels (baseline)" in output and "all panels" in output
    assert "worst ratio" in output
    assert "full rebuild (baseline)" in output and "one case study" in output


def test_data_alerts_benchmark_at_its_smallest_size():
    output = run("communities.benchmarks.data_alerts", "--size=tiny", "--in-place")
    print(output)
    assert "built 300 members" in output
    assert "members notified in" in output
    assert "told again: 0" in output
