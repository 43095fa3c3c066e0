"""Settings for the worker processes the worker tests start: the test settings on the database queue."""

import os

from hub.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "tests.hub.worker_support.HoldingEmailBackend"
EMAIL_FILE_PATH = os.environ["HUB_TEST_MAIL_DIR"]
