"""The short fault drill: the whole production-like stack under traffic, one fault of each kind.

Runs ``python -m hub.drill --short`` as an operator would (its own PostgreSQL cluster, Elasticsearch
node, SPARQL server, gunicorn and two task workers on loopback) and reads its report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from hub.drill.stack import PG_BIN
from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]


def test_short_drill_loses_nothing_through_each_kind_of_fault():
    if not (PG_BIN / "initdb").exists():
        missing("Debian's PostgreSQL 15 binaries", "apt-get install postgresql-15")
    if shutil.which("java") is None and not os.environ.get("ES_JAVA_HOME"):
        missing("Java for Elasticsearch", "apt-get install default-jre-headless")

    result = subprocess.run(
        [sys.executable, "-m", "hub.drill", "--short"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    report = result.stdout
    assert "Requests per fault window" in report, result.stderr[-3000:]
    for window in ("baseline", "elasticsearch", "postgresql", "worker", "sparql"):
        assert f"\n{window} " in report
    assert "FAIL" not in report, report
    assert result.returncode == 0, report + result.stderr[-3000:]
    assert "The drill passed" in report
