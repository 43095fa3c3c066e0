"""ASGI entry point."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")

from django.core.asgi import get_asgi_application

from hub.startup import guarded

application = guarded(get_asgi_application)
