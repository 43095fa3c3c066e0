"""The base settings (as the benchmark scripts use from a shell), their test databases copied from the
run's migrated template (``tests/migrated_database.py``) instead of migrated from nothing."""

import os

from hub.settings.base import *  # noqa: F403

DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = os.environ["HUB_TEST_DATABASE_TEMPLATE"]  # noqa: F405
