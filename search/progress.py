"""Progress with a rate and an estimate of the time left, for long commands."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Call ``advance(n)``; prints at most every ``every`` seconds: done/total, rate, ETA."""

    def __init__(
        self, label: str, total: int, out: TextIO | None = None, every: float = 2.0
    ) -> None:
        self.label, self.total, self.out, self.every = (
            label,
            max(total, 0),
            out or sys.stderr,
            every,
        )
        self.done = 0
        self.started = self.last = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            self.out.write(self.line() + "\n")
            self.out.flush()

    def line(self) -> str:
        left = (self.total - self.done) / self.rate if self.rate else 0
        percent = 100 * self.done / self.total if self.total else 100
        return (
            f"{self.label}: {self.done:,}/{self.total:,} ({percent:.0f}%), {self.rate:,.0f}/s, "
            f"about {format_seconds(left)} left"
        )


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
