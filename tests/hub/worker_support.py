"""What the worker tests run in their worker processes: settings on the database queue, a task that
sends nine emails, and an email backend that can hold the fourth email (to kill a worker mid-task)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django_tasks import task

from hub.floor.mail import send_email

HOLD_AFTER = 3
# The longest a hold lasts: past it the email goes, so a worker whose test has ended (and failed to
# release it) never loops on with its task's row locked, blocking the next test's clean-up.
HOLD_SECONDS = 240


def emails_written(folder: Path) -> int:
    return sum(
        line.startswith(b"Subject: ")
        for path in folder.glob("*.log")
        for line in path.read_bytes().splitlines()
    )


class HoldingEmailBackend(EmailBackend):
    """Writes each email to a file of its own in EMAIL_FILE_PATH; while a file named HOLD is there,
    waits before writing a fourth, so a test can kill the worker between two emails. The hold ends
    when the file goes (the test releases it, or the test's teardown does) or after
    ``HOLD_SECONDS`` at most.

    Django names a file by the second and the backend's ``id()``, which a later backend in the same
    second can reuse, appending to the same file; so files are named uniquely here and the hold
    counts the emails written, not the files."""

    def _get_filename(self) -> str:
        if self._fname is None:
            self._fname = str(Path(self.file_path) / f"{uuid.uuid4().hex}.log")
        return self._fname

    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        hold = folder / "HOLD"
        deadline = time.monotonic() + HOLD_SECONDS
        while (
            hold.exists() and emails_written(folder) >= HOLD_AFTER and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        return super().send_messages(email_messages)


@task()
def send_nine_emails() -> int:
    """Nine emails, one after another, each under its own idempotency key."""
    return sum(
        send_email(
            key=f"drill:{n}", subject=f"Email {n}", body="Body", recipients=["a@example.org"]
        )
        for n in range(9)
    )
