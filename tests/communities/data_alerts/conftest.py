"""Figures to follow: the linked-data test councils and recycling dataset, and a new period to import."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.linkeddata.conftest import councils, rdf_store, recycling  # noqa: F401 - fixtures

# 2023/24 as imported by ``recycling``: Barnsley 45.0, Bristol 44.9, Leeds 40.1 (the worst third of
# four), Manchester 33.2. In 2024/25 Leeds rises to second: the middle third.
NEW_PERIOD = """gss_code,period,value
E08000035,2024/25,44.0
E08000003,2024/25,30.0
E08000016,2024/25,46.0
E06000023,2024/25,43.0
"""
REVISION = NEW_PERIOD.replace("E08000035,2024/25,44.0", "E08000035,2024/25,44.5")


@pytest.fixture
def import_figures(tmp_path, django_capture_on_commit_callbacks):
    """Import a CSV with ``manage.py import_benchmarks`` and run what follows the commit (the task
    backend of the tests runs tasks at once)."""

    def run(text: str, name: str = "figures.csv") -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_benchmarks", str(path), dataset="recycling", verbosity=0)

    return run
