"""How long-running linked-data services report progress to whoever runs them (a command, a test)."""

from __future__ import annotations

from collections.abc import Callable

# Called with one line of progress at a time.
Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """Progress that goes nowhere."""


def reporter(progress: Progress | None) -> Progress:
    """``progress``, or a reporter that says nothing when there is none."""
    return progress or _quiet
