"""The worker tests' holding email backend lets go: when its test releases the hold (as every worker
test's teardown does) and, whatever happens, after ``HOLD_SECONDS``, so no worker waits forever."""

from __future__ import annotations

import threading

from django.core.mail import EmailMessage

from tests.hub import worker_support
from tests.hub.worker_support import HOLD_AFTER, HoldingEmailBackend


def held_folder(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    for n in range(HOLD_AFTER):  # the emails already sent
        (tmp_path / f"sent-{n}.log").write_text(f"Subject: Email {n}\n")
    (tmp_path / "HOLD").touch()
    return tmp_path


def send_in_a_thread() -> threading.Thread:
    message = EmailMessage("Email held", "Body", "hub@example.org", ["a@example.org"])
    sender = threading.Thread(target=HoldingEmailBackend().send_messages, args=([message],))
    sender.start()
    return sender


def test_a_held_email_goes_once_the_hold_is_released(settings, tmp_path):
    folder = held_folder(settings, tmp_path)
    sender = send_in_a_thread()
    sender.join(timeout=0.5)
    assert sender.is_alive()  # held (for minutes, unless released)
    assert len(list(folder.glob("*.log"))) == HOLD_AFTER

    (folder / "HOLD").unlink()
    sender.join(timeout=60)

    assert not sender.is_alive()
    assert len(list(folder.glob("*.log"))) == HOLD_AFTER + 1


def test_a_hold_nobody_releases_ends_at_its_deadline(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(worker_support, "HOLD_SECONDS", 0)
    folder = held_folder(settings, tmp_path)

    sender = send_in_a_thread()
    sender.join(timeout=60)

    assert not sender.is_alive()
    assert (folder / "HOLD").exists()
    assert len(list(folder.glob("*.log"))) == HOLD_AFTER + 1


def test_the_hold_counts_emails_not_files(settings, tmp_path):
    """Django's file backend appends to the same file when a later backend reuses an earlier one's
    ``id()`` within the second; three emails in one file still start the hold."""
    settings.EMAIL_FILE_PATH = str(tmp_path)
    (tmp_path / "shared.log").write_text(
        "".join(f"Subject: Email {n}\n" for n in range(HOLD_AFTER))
    )
    (tmp_path / "HOLD").touch()

    sender = send_in_a_thread()
    sender.join(timeout=0.5)
    assert sender.is_alive()

    (tmp_path / "HOLD").unlink()
    sender.join(timeout=60)
    assert worker_support.emails_written(tmp_path) == HOLD_AFTER + 1
    assert len(list(tmp_path.glob("*.log"))) == 2  # the new email in a file of its own
