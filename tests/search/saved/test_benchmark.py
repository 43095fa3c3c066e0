"""The saved searches benchmark runs (in its own process and database), at its smallest size."""

from __future__ import annotations

import re

import pytest

from tests.search.test_benchmarks import run


@pytest.mark.long
def test_the_saved_searches_benchmark_runs_at_its_smallest_size(
    elasticsearch_url, migrated_template
):
    out = run(
        "search.benchmarks.saved_searches", "--size", "tiny", elasticsearch_url=elasticsearch_url
    )

    assert "Saved searches benchmark (tiny: 1,000 saved searches of 40 members" in out
    for backend in ("elasticsearch", "database"):
        row = re.search(rf"\| {backend} \| [\d.]+ \| [\d,]+ \| ([\d,]+) saved searches \|", out)
        assert row, out
        assert int(row.group(1).replace(",", "")) > 0
    # both backends deliver to the same saved searches
    counts = re.findall(r"\| [\d,]+ \| ([\d,]+) saved searches \|", out)
    assert len(set(counts)) == 1, out
    # every sampled saved search was delivered exactly what its own search finds
    agreed = re.findall(r"\| (\d+) of (\d+) \|$", out, flags=re.MULTILINE)
    assert len(agreed) == 2 and all(a == b for a, b in agreed), out
