"""The task worker (``manage.py hub_worker``) as real processes on a PostgreSQL of the test's own:
it outlives a database restart, and a task whose worker is killed is finished by another, once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.hub.conftest import ROOT, Postgres, sql, wait_for, worker_env


@pytest.fixture
def mail_dir(postgres: Postgres) -> Path:
    sql("DELETE FROM floor_outboundemail")
    sql("DELETE FROM django_tasks_database_dbtaskresult")
    sql("DELETE FROM floor_workerheartbeat")
    folder = postgres.dir / f"mail-{time.monotonic_ns()}"
    folder.mkdir()
    return folder


@pytest.fixture
def start_worker(mail_dir: Path) -> Iterator[Callable[[str], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(worker_id: str) -> subprocess.Popen:
        log = (mail_dir.parent / f"{worker_id}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "hub_worker",
                "--worker-id",
                worker_id,
                "--heartbeat",
                "1",
                "--lease",
                "3",
                "--interval",
                "0.2",
                "--max-reconnect-delay",
                "1",
                "--no-startup-delay",
                "--no-reload",
            ],  # fmt: skip
            cwd=ROOT,
            env=worker_env(mail_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        wait_for(
            f"{worker_id}'s heartbeat",
            lambda: sql("SELECT 1 FROM floor_workerheartbeat WHERE worker_id = %s", worker_id),
        )
        return process

    yield start
    # The hold ends with the test: a terminated worker finishes its task and stops instead of
    # waiting on, its task's row locked, while the next test's clean-up waits for that lock.
    (mail_dir / "HOLD").unlink(missing_ok=True)
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=60)


def enqueue(mail_dir: Path, code: str) -> str:
    """Enqueue a task from a separate Django process; returns its id."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"print({code}.id)"],
        cwd=ROOT,
        env=worker_env(mail_dir),
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout.strip().splitlines()[-1]


def status(task_id: str) -> str:
    rows = sql("SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", task_id)
    return rows[0][0] if rows else ""


def emails(mail_dir: Path) -> list[str]:
    """The subject of every email the worker sent, one per message written."""
    return sorted(
        line.removeprefix("Subject: ")
        for path in mail_dir.glob("*.log")
        for line in path.read_text().splitlines()
        if line.startswith("Subject: ")
    )


def test_the_worker_outlives_a_database_restart_and_runs_what_is_queued_after_it(
    postgres, mail_dir, start_worker
):
    worker = start_worker("restart-survivor")
    log = mail_dir.parent / "restart-survivor.log"

    postgres.stop()
    wait_for("the worker to notice", lambda: "lost the database" in log.read_text() or
             "heartbeat:" in log.read_text())  # fmt: skip
    postgres.start()
    task_id = enqueue(
        mail_dir,
        "__import__('communities.people.tasks', fromlist=['x']).send_people_email"
        ".enqueue('After the restart', 'Body', ['a@example.org'], key='after-restart')",
    )

    assert wait_for("the task to finish", lambda: status(task_id) == "SUCCESSFUL")
    assert worker.poll() is None, log.read_text()
    assert emails(mail_dir) == ["After the restart"]
    assert sql(
        "SELECT 1 FROM floor_workerheartbeat WHERE worker_id = 'restart-survivor'"
        " AND last_seen > now() - interval '1 minute'"
    )


def test_a_task_whose_worker_is_killed_is_finished_by_another_without_sending_twice(
    mail_dir, start_worker
):
    (mail_dir / "HOLD").touch()  # the fourth email waits until the test releases it
    first = start_worker("worker-a")
    task_id = enqueue(mail_dir, "__import__('tests.hub.worker_support', fromlist=['x'])"
                                ".send_nine_emails.enqueue()")  # fmt: skip
    wait_for("three emails sent", lambda: len(emails(mail_dir)) == 3)

    first.kill()  # SIGKILL: no chance to clean up
    first.wait(timeout=60)
    assert status(task_id) == "RUNNING"
    (mail_dir / "HOLD").unlink()
    start_worker("worker-b")

    assert wait_for("the task to finish", lambda: status(task_id) == "SUCCESSFUL")
    assert emails(mail_dir) == sorted(f"Email {n}" for n in range(9))
    (worker_ids,) = sql(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s", task_id
    )[0]
    assert worker_ids == ["worker-a", "worker-b"]
    assert sql("SELECT count(*) FROM floor_outboundemail WHERE sent_at IS NOT NULL") == [(9,)]


def test_an_email_past_its_back_off_is_sent_by_the_worker_without_another_change(
    mail_dir, start_worker
):
    sql(
        "INSERT INTO floor_outboundemail (key, recipients, subject, body, html_body, headers,"
        " from_email, created_at, attempts, next_attempt_at, last_error) VALUES ('retry',"
        " '[\"a@example.org\"]', 'Refused once', 'Body', '', '{}', '', now(), 1,"
        " now() - interval '1 second', 'SMTP down')"
    )

    start_worker("sweeper")

    assert wait_for("the sweep to send it", lambda: emails(mail_dir) == ["Refused once"])
    assert sql("SELECT sent_at IS NOT NULL FROM floor_outboundemail WHERE key = 'retry'") == [
        (True,)
    ]
