"""How many queries one client may run at once, counted across every web process on the machine.

Each client address hashes to a bucket; a bucket has ``limit`` lock files under a directory all web
processes share. Running a query holds an exclusive ``flock`` on one of them, so the count holds across
gunicorn workers and threads alike, and a process that dies releases its locks with it (no stale
counts). Two clients whose addresses share a bucket share its slots: with 4096 buckets that is rare.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUCKETS = 4096


class ClientBusy(Exception):
    """The client already runs as many queries as it may."""


def _open_lock(directory: Path, name: str) -> int:
    """The lock file, made (with its directory, the first time) if missing."""
    path = os.path.join(directory, name)
    try:
        return os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_CREAT | os.O_RDWR, 0o600)


@contextmanager
def client_slot(directory: Path, address: str, limit: int) -> Iterator[None]:
    """Hold one of ``address``'s ``limit`` slots while the block runs; ClientBusy if none is free."""
    bucket = int.from_bytes(hashlib.sha256(address.encode()).digest()[:4], "big") % BUCKETS
    for slot in range(limit):
        fd = _open_lock(directory, f"{bucket:04d}-{slot}.lock")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    raise ClientBusy(address)
