"""Background work for people and membership, run by the django-tasks worker (``manage.py db_worker``)."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_people_email(subject: str, body: str, recipients: list[str]) -> None:
    """Run by the task worker, so a mail server that is down delays the email rather than a page."""
    send_mail(subject, body, None, recipients)
