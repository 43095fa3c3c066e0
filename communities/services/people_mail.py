"""Emails about accounts and membership, queued after the transaction that caused them commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


@task()
def send_people_email(subject: str, body: str, recipients: list[str]) -> None:
    """Run by the task worker, so a mail server that is down delays the email rather than a page."""
    send_mail(subject, body, None, recipients)


def site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def queue_email(recipients: Iterable[str], template: str, context: dict) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` now; send once the data is committed.

    Call inside the transaction that makes the email true.
    """
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    context = {"site_name": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    transaction.on_commit(lambda: send_people_email.enqueue(subject, body, recipients))
