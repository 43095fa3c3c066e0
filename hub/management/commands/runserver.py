"""runserver that reports an unusable database in one line instead of a traceback."""

import os
import sys

from django.db import OperationalError
from whitenoise.runserver_nostatic.management.commands.runserver import Command as BaseRunserver

from hub.startup import explain_connection_failure


class Command(BaseRunserver):
    def inner_run(self, *args, **options):
        try:
            return super().inner_run(*args, **options)
        except OperationalError as exc:
            print(f"hub: {explain_connection_failure(exc)}", file=sys.stderr, flush=True)
            os._exit(1)  # the autoreloader's child: end the whole server, not just this thread
