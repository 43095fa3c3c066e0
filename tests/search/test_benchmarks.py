"""The search benchmarks run (as a person runs them, in their own process and database): smoke tests.

No timing is asserted; relevance is (it is not timing): success@5 of at least 0.9 on both backends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(module: str, *args: str, elasticsearch_url: str) -> str:
    env = {**os.environ, "ELASTICSEARCH_URL": elasticsearch_url, "PYTHONPATH": str(ROOT)}
    # a database name of its own (the script adds its suffix), apart from a benchmark run by hand
    env["DATABASE_URL"] = os.environ["DATABASE_URL"] + "_smoke"
    # the scripts use the base settings, as from a shell, their database copied from the run's
    # migrated template when a test asked for it (``migrated_template``)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if os.environ.get("HUB_TEST_DATABASE_TEMPLATE"):
        env["DJANGO_SETTINGS_MODULE"] = "tests.template_settings"
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.long
def test_the_search_benchmark_runs_at_its_smallest_size(elasticsearch_url, migrated_template):
    out = run(
        "search.benchmarks.search_benchmark", "--size", "tiny", elasticsearch_url=elasticsearch_url
    )

    assert "Search benchmark (tiny: 10 communities, 200 members" in out
    assert re.search(r"\| search p95, ms \(20 queries\) \| [\d.]+ \(engine's took \d+\)", out)
    assert re.search(r"\| autocomplete p95, ms \(20 prefixes\) \| [\d.]+", out)


@pytest.mark.long
def test_the_relevance_benchmark_finds_the_judged_pages_on_both_backends(
    elasticsearch_url, migrated_template, prepared_demo_database
):
    # on a copy of the run's prepared demo (loaded as load_demo leaves it) instead of loading it again
    demo = ["--demo-template", prepared_demo_database] if prepared_demo_database else []
    out = run("search.benchmarks.relevance", *demo, elasticsearch_url=elasticsearch_url)

    assert "| measure | database | elasticsearch |" in out
    success = re.search(r"\| success@5 \| ([\d.]+) \| ([\d.]+) \|", out)
    assert success, out
    assert float(success.group(1)) >= 0.9 and float(success.group(2)) >= 0.9, out
    assert re.search(r"\| nDCG@10 \| [\d.]+ \| [\d.]+ \|", out)
