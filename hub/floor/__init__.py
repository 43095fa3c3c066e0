"""The floor: what any app may import.

``hub.floor`` holds the few things every app needs and nothing that needs an app: reading the
configuration (``config``), back-off and enqueueing background tasks by name (``tasks``), the
type of the acting user (``actor``), the client's address for per-client limits (``clients``), and the
one way to send an email (``mail``) with its tables (``models``: the email outbox, workers' heartbeats). It
imports Django, django-tasks and configuration libraries, never an app and nothing else of ``hub``
(``lint-imports`` checks this).

Everything else in ``hub/`` is the shell: settings, URLs, views, the site tree, the demo content,
health reports and the start-up entry points. The shell may import every app; no app imports it.
"""
