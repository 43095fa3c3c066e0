"""A mail server that refuses a digest loses nothing: the outbox keeps it, its sweep sends it once the
server accepts, and the next digest does not tell those items again. Against a real SMTP server on
loopback that answers "try again later" until told to accept."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy

import pytest
from django.utils import timezone

from communities.discussions.services.notifications import (
    do_send_digest,
    do_set_email_frequency,
    do_set_watch,
)
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import EmailFrequency, Notification, Visibility, WatchLevel
from hub.floor.loopback import free_port
from hub.floor.mail import deliver_due_emails
from hub.floor.models import OutboundEmail
from tests.conftest import ports_of_this_process
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SMTP_PORTS = ports_of_this_process(range(8800, 8900))  # loopback ports for the email tests' server


class SmtpServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend: refuses every sender with 451 while ``refusing``,
    otherwise keeps each message's bytes in ``received``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), SmtpSession)
        self.refusing = True
        self.received: list[bytes] = []


class SmtpSession(socketserver.StreamRequestHandler):
    server: SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 localhost ESMTP test server")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "MAIL" and self.server.refusing:
                self.reply("451 4.3.0 Mailbox busy, try again later")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append(data)
                self.reply("250 2.0.0 Ok: queued")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:  # HELO, MAIL (accepting), RCPT, RSET, NOOP
                self.reply("250 2.0.0 Ok")


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(SMTP_PORTS))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 30
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def back_off_expires() -> None:
    OutboundEmail.objects.filter(sent_at__isnull=True).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_digest_the_server_refuses_is_sent_later_and_its_items_not_repeated(
    home_page, smtp_server
):
    community = CommunityFactory(title="Waste and recycling", visibility=Visibility.RESTRICTED)
    reader, author = UserFactory(), UserFactory()
    for user in (reader, author):
        MembershipFactory(community=community, user=user)
    do_set_email_frequency(reader, EmailFrequency.DAILY)
    do_set_watch(reader, level=WatchLevel.WATCHING, community=community)
    thread = do_start_thread(
        community=community, author=author, title="Food waste caddies", body="Which size?"
    )
    do_reply(thread=thread, author=author, body="We chose 23 litres.")
    start = timezone.now()

    assert do_send_digest(reader, now=start)  # the server answers 451

    assert smtp_server.received == []
    (kept,) = OutboundEmail.objects.filter(recipients=[reader.email])
    assert kept.sent_at is None and kept.attempts == 1
    assert "451" in kept.last_error and kept.html_body
    assert not Notification.objects.filter(recipient=reader, emailed_at__isnull=True).exists()

    smtp_server.refusing = False
    back_off_expires()
    assert deliver_due_emails.call() == {"sent": 1, "not_sent": 0}

    (raw,) = smtp_server.received
    first = email.message_from_bytes(raw, policy=policy.default)
    assert first["To"] == reader.email
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.get_content_type() == "multipart/alternative"
    text, html = first.get_body(("plain",)), first.get_body(("html",))
    assert 'New thread with 1 new reply: "Food waste caddies"' in text.get_content()
    assert "Food waste caddies</a>" in html.get_content()

    later = do_start_thread(
        community=community, author=author, title="Garden waste charges", body="How much?"
    )
    assert do_send_digest(reader, now=start + timedelta(days=1))

    assert len(smtp_server.received) == 2
    second = email.message_from_bytes(smtp_server.received[1], policy=policy.default)
    second_text = second.get_body(("plain",)).get_content()
    assert later.title in second_text
    assert "Food waste caddies" not in second_text
    assert deliver_due_emails.call() == {"sent": 0, "not_sent": 0}
    assert len(smtp_server.received) == 2
