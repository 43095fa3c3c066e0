"""Settings for the test suite: the base settings on the database the test tooling provides.

``hub.testing.postgres`` starts a local PostgreSQL when one is installed (and requires it
under ``CI=true``); without one a developer's machine runs the suite on SQLite.
"""

import os
from pathlib import Path

from hub.testing.postgres import test_database_url

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "*")
os.environ.setdefault("DATABASE_URL", test_database_url())
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")  # the page cache's own tests turn it on
os.environ.setdefault("FRAGMENT_CACHE_SECONDS", "0")  # so do the fragment cache's
os.environ.setdefault("SEARCH_CACHE_SECONDS", "0")  # and the kept search answers'
os.environ.setdefault("DASHBOARD_SEEN_MINUTES", "0")  # and the dashboard's visit tests
os.environ.pop("ELASTICSEARCH_URL", None)  # tests that need it ask for the node the tooling starts

from hub.settings.base import *  # noqa: F403
from hub.settings.base import DATA_DIR

# Test databases copied from the run's migrated template, when there is one (tests/migrated_database.py)
_TEMPLATE = os.environ.get("HUB_TEST_DATABASE_TEMPLATE")
if _TEMPLATE:
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = _TEMPLATE  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "hub.floor.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Parallel test processes (pytest-xdist names them gw0, gw1, …) each keep files of their own.
_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
_TEST_FILES = DATA_DIR / (f"test-{_TEST_PROCESS}" if _TEST_PROCESS else "")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or _TEST_FILES / "test-media")
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("PRIVATE_MEDIA_ROOT") or _TEST_FILES / "test-private-media"
)
RDF_STORE_PATH = Path(os.environ.get("RDF_STORE_PATH") or _TEST_FILES / "test-rdf")
# what the hub writes at run time (downloads, SPARQL client slots) is per process too
DATA_DIR = _TEST_FILES
