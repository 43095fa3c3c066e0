"""The supervision files in hub/deploy/: systemd units and a Procfile that run the web and the worker."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.management.commands.hub_worker import Command as WorkerCommand

DEPLOY = Path(__file__).resolve().parents[2] / "hub" / "deploy"
UNITS = ["hub-web.service", "hub-worker.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_parses_and_restarts_its_process(name):
    parsed = unit(name)

    assert parsed.sections() == ["Unit", "Service", "Install"]
    assert parsed["Service"]["Restart"] == "always"
    assert parsed["Service"]["EnvironmentFile"] == "/etc/hub/hub.env"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def worker_arguments(command: str) -> list[str]:
    words = shlex.split(command)
    return words[words.index("hub_worker") + 1 :]


def test_the_worker_unit_and_the_procfile_run_hub_worker_with_valid_options(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production
    procfile = dict(
        line.split(": ", 1)
        for line in (DEPLOY / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    parser = WorkerCommand().create_parser("manage.py", "hub_worker")

    for command in (unit("hub-worker.service")["Service"]["ExecStart"], procfile["worker"]):
        options = parser.parse_args(worker_arguments(command))
        assert options.reload is False
    assert set(procfile) == {"web", "worker"}
    assert procfile["web"].startswith("gunicorn hub.wsgi:application")
    assert "gunicorn hub.wsgi:application" in unit("hub-web.service")["Service"]["ExecStart"]


def test_systemd_accepts_the_units(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (the units were only parsed)")
    root = str(DEPLOY.parents[1])
    for name in UNITS:  # the units name /srv/hub: point them at this checkout, whose programs exist
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace("/srv/hub", root))

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "hub-" not in result.stderr, result.stderr
