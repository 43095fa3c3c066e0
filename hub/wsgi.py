"""WSGI entry point (gunicorn hub.wsgi)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")

from hub.startup import load_wsgi_application

application = load_wsgi_application()
