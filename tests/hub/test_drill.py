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

import pytest

from hub.drill.stack import PG_BIN
from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.long
def test_short_drill_loses_nothing_through_each_kind_of_fault():
    if not (PG_BIN / "initdb").exists():
        missing("Debian's PostgreSQL 15 binaries", "apt-get install postgresql-15")
    if shutil.which("java") is None and not os.environ.get("ES_JAVA_HOME"):
        missing("Java for Elasticsearch", "apt-get install default-jre-headless")

    result = subprocess.run(
        [sys.executable, "-m", "hub.drill", "--short"],
        cwd=ROOT,
        # the same faults and verdicts, with 3 s of traffic after each recovery instead of 6: the
        # backlogs' drains are measured beside the next fault and joined at the end, as before
        env={**os.environ, "DRILL_SETTLE_SECONDS": "3"},
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


def test_the_drill_signs_members_in_with_the_demo_password():
    from hub.drill import verify
    from hub.services import demo

    assert verify.DEMO_PASSWORD == demo.DEMO_PASSWORD


def test_the_drill_counts_each_email_the_file_backend_wrote(settings, tmp_path):
    from django.core import mail

    from hub.drill.verify import emails_by_marker

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    body = "Field report drill0123456789abcdef: what worked for us in practice."
    mail.send_mail("New reply", body, None, ["amira@leeds.example.gov.uk"])
    mail.send_mail("New reply", body, None, ["amira@leeds.example.gov.uk"])
    mail.send_mail("New reply", body, None, ["tom@manchester.example.gov.uk"])

    counts = emails_by_marker(tmp_path)

    assert counts == {
        ("amira@leeds.example.gov.uk", "drill0123456789abcdef"): 2,
        ("tom@manchester.example.gov.uk", "drill0123456789abcdef"): 1,
    }
