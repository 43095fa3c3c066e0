"""ASGI entry point."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")

from django.core.asgi import get_asgi_application  # noqa: E402

from hub.startup import guarded  # noqa: E402

application = guarded(get_asgi_application)
