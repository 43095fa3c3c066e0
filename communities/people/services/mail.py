"""Emails about accounts and membership, queued after the transaction that caused them commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from hub.floor.tasks import enqueue_on_commit


def site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def queue_email(recipients: Iterable[str], template: str, context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` now; send once the data is committed.

    Call inside the transaction that makes the email true.
    """
    context = {"site_name": settings.SITE_NAME, **context}
    queue_rendered_email(
        recipients,
        render_to_string(f"{template}_subject.txt", context),
        render_to_string(f"{template}_body.txt", context),
        kind=template,
    )


def queue_rendered_email(recipients: Iterable[str], subject: str, body: str, *, kind: str) -> None:
    """Send an email already written (by the caller's templates) through the hub's one sender, after
    the commit: once per key, with clean headers, retried while the mail server is away."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    enqueue_on_commit(
        "communities.people.tasks.send_people_email",
        " ".join(subject.split()),
        body,
        recipients,
        key=f"people:{kind}:{uuid.uuid4()}",  # sent once, however often the task runs
    )
