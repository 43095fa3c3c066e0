"""The hub's one way to send an email: once per key, headers cleaned, kept and retried when the server fails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hub.floor.mail import deliver_due_emails, header_safe, send_email
from hub.floor.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_an_email_is_sent_once_per_key():
    first = send_email(
        key="welcome:1", subject="Welcome", body="Hello", recipients=["a@example.org"]
    )
    again = send_email(
        key="welcome:1", subject="Welcome", body="Hello", recipients=["a@example.org"]
    )

    assert (first, again) == (True, False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.org"]
    assert OutboundEmail.objects.get(key="welcome:1").sent_at is not None


def test_header_values_lose_line_breaks_and_control_characters():
    assert header_safe("Tribunal\r\npreparation\x00\tnotes\u2028") == "Tribunal preparation notes"

    send_email(
        key="k",
        subject="Reply: Tribunal\r\nBcc: victim@example.org",
        body="Body keeps\nits lines",
        recipients=["a@example.org"],
        from_email="Hub\n <hub@example.org>",
    )

    (message,) = mail.outbox
    assert message.subject == "Reply: Tribunal Bcc: victim@example.org"
    assert message.bcc == []
    assert message.body == "Body keeps\nits lines"
    assert message.from_email == "Hub <hub@example.org>"


def test_an_email_the_server_refuses_is_kept_and_sent_once_its_back_off_expires(
    settings, unused_tcp_port
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_tcp_port  # nothing listens
    settings.EMAIL_USE_TLS = False

    sent = send_email(key="k", subject="Hi", body="B", recipients=["a@example.org"])

    assert sent is False
    email = OutboundEmail.objects.get(key="k")
    assert email.sent_at is None
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now()
    assert "ConnectionRefusedError" in email.last_error
    assert deliver_due_emails.call() == {"sent": 0, "not_sent": 0}  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver_due_emails.call() == {"sent": 1, "not_sent": 0}
    assert [m.subject for m in mail.outbox] == ["Hi"]
    assert send_email(key="k", subject="Hi", body="B", recipients=["a@example.org"]) is False
    assert len(mail.outbox) == 1


def test_an_email_without_recipients_is_not_recorded():
    assert send_email(key="k", subject="Hi", body="B", recipients=["", " "]) is False
    assert not OutboundEmail.objects.exists()
