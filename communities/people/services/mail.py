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
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    context = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    enqueue_on_commit(
        "communities.people.tasks.send_people_email",
        subject,
        body,
        recipients,
        key=f"people:{template}:{uuid.uuid4()}",  # sent once, however often the task runs
    )
