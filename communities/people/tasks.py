"""Background work for people and membership, run by the task worker (``manage.py hub_worker``)."""

from __future__ import annotations

import hashlib

from django_tasks import task

from hub.floor.mail import send_email


@task()
def send_people_email(subject: str, body: str, recipients: list[str], key: str = "") -> bool:
    """Run by the task worker, so a mail server that is down delays the email rather than a page.

    ``key`` (given when the email was queued) makes a re-run after a crash skip an email already sent.
    """
    if not key:  # queued before emails carried a key: the content names it
        digest = hashlib.sha256("\0".join([subject, body, *recipients]).encode()).hexdigest()
        key = f"people:{digest}"
    return send_email(key=key, subject=subject, body=body, recipients=recipients)
