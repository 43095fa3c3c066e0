"""Finding a free loopback port and waiting for a process to answer on it: what the fault drill, the
benchmarks and the tests that start their own servers share."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def ephemeral_ports() -> range:
    """The ports the kernel lends outgoing connections: a server cannot bind one while a connection
    holds it, so a port picked from them can be taken between choosing it and starting the server."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)  # Linux's default


def free_port(ports: Iterable[int]) -> int:
    """The first port of ``ports`` nothing listens on; OSError if there is none, or if one of them is
    an ephemeral port (see ``ephemeral_ports``)."""
    lent = ephemeral_ports()
    for port in ports:
        if port in lent:
            raise OSError(
                f"port {port} is one the kernel lends outgoing connections "
                f"({lent.start}–{lent.stop - 1}): choose ports below {lent.start}"
            )
        if port_free(port):
            return port
    raise OSError(f"no free port in {ports}")


def wait_for_http(url: str, seconds: float, process: subprocess.Popen | None = None) -> bool:
    """Whether ``url`` answered (any HTTP status) within ``seconds``; False at once if ``process`` ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            if process is not None and process.poll() is not None:
                return False
            time.sleep(0.2)
    return False


def dies_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` for a server a test or benchmark starts: on Linux the kernel sends the server
    SIGTERM when the thread that started it ends, however it ends (killed by a time limit, a crash),
    so no server is left running behind it. Start it from the main thread. None elsewhere."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigterm)

    return preexec


def stop(process: subprocess.Popen, seconds: float = 10) -> None:
    """Ask ``process`` to end (SIGTERM), and kill it if it has not within ``seconds``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
