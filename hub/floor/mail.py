"""The hub's one way to send an email: at most once per idempotency key, retried until the server takes it.

``send_email`` writes the email to the outbox (``OutboundEmail``) under its key, then sends it. A key
already sent is skipped, so a task that runs again after its worker died does not send twice; the one
window left is a crash between the mail server accepting the email and the hub recording it (then it
is sent again: at least once, never lost). An email the server refuses (or cannot be reached for) stays
in the outbox with a back-off; the task worker's sweep re-sends it when the back-off expires.

Every value that reaches a header (subject, addresses, display names) loses its CR/LF and other control
characters first, so a thread title with a line break cannot break (or inject into) the headers.
"""

from __future__ import annotations

import logging
import re
import smtplib
import unicodedata
from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from hub.floor.models import OutboundEmail
from hub.floor.tasks import backoff

logger = logging.getLogger(__name__)

DELIVERY_TASK = "hub.floor.mail.deliver_due_emails"
MAX_ATTEMPTS = 12  # with the back-off capped at 10 minutes: about an hour and a half of retries
SEND_ERRORS = (smtplib.SMTPException, OSError)
_SPACES = re.compile(r"\s+")


def header_safe(value: str) -> str:
    """``value`` fit for an email header: control characters (CR and LF among them) become spaces,
    runs of white space one space, no leading or trailing space."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in value)
    return _SPACES.sub(" ", cleaned).strip()


def send_email(
    *,
    key: str,
    subject: str,
    body: str,
    recipients: Iterable[str],
    from_email: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
) -> bool:
    """Send one email once for ``key``; returns whether it was sent by this call.

    ``body`` is the plain text; ``html``, when given, goes with it as the HTML alternative.
    ``headers`` are added as they are, made header-safe.

    A key already sent is skipped. If the mail server fails, the email is kept and retried later
    (``deliver_due_emails``), and this returns False rather than raising.
    """
    pk = record_email(
        key=key,
        subject=subject,
        body=body,
        recipients=recipients,
        from_email=from_email,
        html=html,
        headers=headers,
    )
    return deliver(pk) if pk is not None else False


def record_email(
    *,
    key: str,
    subject: str,
    body: str,
    recipients: Iterable[str],
    from_email: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
) -> int | None:
    """Put one email in the outbox under ``key`` without sending it; its outbox id, or None when
    it has no recipient or the key was sent already.

    For a caller that records the email in the same transaction as what the email tells, then calls
    ``deliver`` after that transaction: if the process dies in between, the sweep sends it.
    """
    to = sorted({header_safe(address) for address in recipients if address.strip()})
    if not to:
        return None
    email, _ = OutboundEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "recipients": to,
            "subject": header_safe(subject)[:998],
            "body": body,
            "from_email": header_safe(from_email),
            "html_body": html,
            "headers": {header_safe(k): header_safe(v) for k, v in (headers or {}).items()},
        },
    )
    return None if email.sent_at is not None else email.pk


def deliver(pk: int) -> bool:
    """Send the outbox email ``pk`` unless it is sent already or another process is sending it.

    The row stays locked while the mail server is talking, so two workers never send the same email.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=email.from_email or None,
            to=email.recipients,
            headers=email.headers or None,
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        try:
            message.send()
        except SEND_ERRORS as exc:
            email.attempts += 1
            email.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            email.next_attempt_at = timezone.now() + backoff(email.attempts)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning(
                "email %s not sent (attempt %d), retried later: %s",
                email.key,
                email.attempts,
                email.last_error,
            )
            return False
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
        return True


def due_emails() -> QuerySet[OutboundEmail]:
    """Unsent emails whose back-off has expired (and that have attempts left)."""
    return OutboundEmail.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=timezone.now(), attempts__lt=MAX_ATTEMPTS
    )


def oldest_unsent_seconds() -> float:
    """Age of the oldest email still waiting to be sent (0 when none is), for /healthz."""
    oldest = (
        OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0


@task()
def deliver_due_emails() -> dict:
    """Send every email whose back-off has expired (the worker's sweep enqueues this)."""
    sent = failed = 0
    for pk in due_emails().order_by("next_attempt_at").values_list("pk", flat=True)[:500]:
        if deliver(pk):
            sent += 1
        else:
            failed += 1
    return {"sent": sent, "not_sent": failed}
