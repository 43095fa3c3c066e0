"""The web application as gunicorn loads it (``hub.wsgi``), in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD_AND_REPORT = """
import gc, sys
import hub.wsgi
print(gc.get_freeze_count(), len(gc.get_objects()), "search.views" in sys.modules)
"""


def test_the_web_application_loads_its_views_and_leaves_them_out_of_full_collections():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="false", SECRET_KEY="startup-test", ALLOWED_HOSTS="hub.example.gov.uk")

    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", LOAD_AND_REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, tracked, views_loaded = result.stdout.split()

    # the views are imported before the first request, not during it
    assert views_loaded == "True"
    # what start-up loaded is frozen: a full collection walks almost nothing of it
    assert int(frozen) > 100_000
    assert int(tracked) < 1_000
