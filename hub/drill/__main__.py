"""The load-and-fault drill: ``python -m hub.drill [--short]`` (``make drill``).

Starts the hub's production-like stack on loopback (``hub.drill.stack``), drives mixed traffic with
Locust (``hub/drill/locustfile.py``), injects faults on a timetable (Elasticsearch stopped and started,
PostgreSQL restarted, a task worker killed with ``kill -9`` mid-task, the SPARQL server stopped and
started) while polling ``/healthz``, then verifies that nothing was lost (``hub.drill.verify``). It
prints a table per fault window and the verdicts, and exits 1 on any loss, duplicate, undrained
backlog, unready health check or 5xx outside a dependency's actual down window.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hub.drill import verify
from hub.drill.stack import Stack
from hub.floor.config import env_int

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
IN_FLIGHT_GRACE_SECONDS = 2.0  # a request started this long before a recovery may still fail
HEALTH_SETTLE_SECONDS = 3.0  # the health check's own timeouts before it sees an outage


@dataclass(frozen=True)
class Size:
    users: int
    outage_seconds: float
    settle_seconds: float
    drain_limit_seconds: float
    faults: tuple[str, ...] = ("elasticsearch", "postgresql", "worker", "sparql")


FULL = Size(users=12, outage_seconds=20, settle_seconds=20, drain_limit_seconds=30)
SHORT = Size(users=4, outage_seconds=6, settle_seconds=6, drain_limit_seconds=30)


def timed(size: Size) -> Size:
    """``size`` with the timetable's waits the environment sets: ``DRILL_SETTLE_SECONDS`` (traffic
    before the first fault and after each recovery) and ``DRILL_OUTAGE_SECONDS`` (how long Elasticsearch
    and the SPARQL server stay stopped; PostgreSQL half as long). Every fault is still injected and
    every verdict still given; an outage shorter than the health check's settling time plus two
    seconds would leave it no poll to judge, so it is refused."""
    settle = env_int("DRILL_SETTLE_SECONDS", int(size.settle_seconds), minimum=1)
    outage = env_int(
        "DRILL_OUTAGE_SECONDS", int(size.outage_seconds), minimum=int(HEALTH_SETTLE_SECONDS) + 2
    )
    return replace(size, settle_seconds=settle, outage_seconds=outage)


@dataclass
class Window:
    """One fault: when it began, when its dependency was actually down, when the drill moved on."""

    name: str
    start: float
    down_start: float = 0.0
    down_end: float = 0.0
    end: float = 0.0
    note: str = ""
    drain_seconds: float | None = None
    drained: dict[str, float | None] = field(default_factory=dict)


class Drill:
    def __init__(self, size: Size, run_dir: Path, say: Callable[[str], None]) -> None:
        self.size = size
        self.say = say
        self.stack = Stack(run_dir)
        self.run_dir = run_dir
        self.health: list[dict[str, Any]] = []
        self.windows: list[Window] = []
        self.drains: list[threading.Thread] = []
        self.stopping = threading.Event()

    # -- background: health polling and drain measurement ---------------------------------------

    def poll_health(self) -> None:
        while not self.stopping.is_set():
            started = time.time()
            try:
                with urllib.request.urlopen(f"{self.stack.url}/healthz", timeout=8) as response:  # noqa: S310 - loopback
                    status, body = response.status, json.load(response)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, _json(exc.read())
            except OSError as exc:
                status, body = 0, {"error": str(exc)}
            live = _status(f"{self.stack.url}/healthz/live")
            checks = body.get("checks", {}) if isinstance(body, dict) else {}
            failing = sorted(name for name, check in checks.items() if not check.get("ok", True))
            self.health.append(
                {
                    "t": started,
                    "status": status,
                    "state": body.get("status"),
                    "failing": failing,
                    "live": live,
                }
            )
            self.stopping.wait(0.5)

    def measure_drain(self, window: Window) -> None:
        """Seconds from the recovery until everything waiting at that moment was done."""
        recovered = time.time()
        deadline = recovered + self.size.drain_limit_seconds
        snapshot = None
        while snapshot is None and time.time() < deadline:
            try:
                snapshot = verify.backlog(self.stack.pg.url)
            except verify.psycopg.Error:
                time.sleep(0.5)
        if snapshot is None:
            return
        remaining = dict(snapshot)
        window.drained = dict.fromkeys(snapshot)
        while time.time() < deadline:
            try:
                now = verify.backlog(self.stack.pg.url)
            except verify.psycopg.Error:
                time.sleep(0.5)
                continue
            for name, waiting in list(remaining.items()):
                remaining[name] = waiting & now[name]
                if not remaining[name] and window.drained[name] is None:
                    window.drained[name] = round(time.time() - recovered, 1)
            if not any(remaining.values()):
                window.drain_seconds = round(time.time() - recovered, 1)
                return
            time.sleep(0.5)

    def recovered(self, window: Window) -> None:
        window.down_end = time.time()
        thread = threading.Thread(target=self.measure_drain, args=(window,), daemon=True)
        thread.start()
        self.drains.append(thread)

    # -- faults ---------------------------------------------------------------------------------

    def fault_elasticsearch(self, window: Window) -> None:
        window.down_start = time.time()
        self.stack.es.stop()
        time.sleep(self.size.outage_seconds)
        self.stack.es.start()
        self.recovered(window)

    def fault_postgresql(self, window: Window) -> None:
        window.down_start = time.time()
        self.stack.pg.stop()
        time.sleep(self.size.outage_seconds / 2)
        self.stack.pg.start()
        self.recovered(window)

    def fault_worker(self, window: Window) -> None:
        """``kill -9`` the worker running a task (waiting up to 30 s for one); a supervisor restarts it."""
        deadline = time.time() + 30
        running = None
        while running is None and time.time() < deadline:
            running = verify.running_task(self.stack.pg.url)
            if running is None:
                time.sleep(0.02)
        worker_id = running[1] if running and running[1] in self.stack.workers else None
        worker_id = worker_id or next(iter(self.stack.workers))
        window.down_start = time.time()
        self.stack.kill_worker(worker_id)
        window.note = (
            f"killed {worker_id} while it ran task {running[0]}"
            if running
            else f"killed {worker_id} (no task was running within 30 s)"
        )
        time.sleep(1)
        self.stack.start_worker(worker_id)
        self.recovered(window)

    def fault_sparql(self, window: Window) -> None:
        window.down_start = time.time()
        self.stack.oxigraph.stop()
        time.sleep(self.size.outage_seconds)
        self.stack.oxigraph.start()
        self.recovered(window)

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> bool:
        self.say(f"run directory: {self.run_dir}")
        self.stack.start(self.say)
        plan = verify.build_plan(self.stack.pg.url, self.stack.url)
        (self.run_dir / "plan.json").write_text(json.dumps(plan))
        before = verify.linked_data_fingerprint(self.stack.oxigraph.base)
        self.say(
            f"plan: {len(plan['pages'])} pages, {len(plan['members'])} members; "
            f"linked data: {before['triples']} triples"
        )
        poller = threading.Thread(target=self.poll_health, daemon=True)
        poller.start()
        locust = self.start_traffic()
        self.wait_for_traffic(locust)
        started = time.time()
        try:
            time.sleep(self.size.settle_seconds)
            for name in self.size.faults:
                window = Window(name, time.time())
                self.windows.append(window)
                self.say(f"fault: {name}")
                getattr(self, f"fault_{name}")(window)
                self.say(f"  {name} back after {window.down_end - window.down_start:.1f} s")
                time.sleep(self.size.settle_seconds)
                window.end = time.time()
        finally:
            locust.send_signal(signal.SIGTERM)
            try:
                locust.wait(timeout=30)
            except subprocess.TimeoutExpired:
                locust.kill()
        traffic_end = time.time()
        self.say(f"traffic stopped after {traffic_end - started:.0f} s; waiting for the backlogs")
        final = Window("after traffic", traffic_end)
        self.recovered(final)
        for thread in self.drains:
            thread.join()
        self.stopping.set()
        poller.join()
        after = verify.linked_data_fingerprint(self.stack.oxigraph.base)
        self.say(verify.search_outbox_state(self.stack.pg.url))
        return self.report(started, final, before, after)

    def start_traffic(self) -> subprocess.Popen:
        env = {
            **self.stack.env(),
            "DRILL_PLAN": str(self.run_dir / "plan.json"),
            "DRILL_REQUESTS": str(self.run_dir / "requests.jsonl"),
            "DRILL_ACKS": str(self.run_dir / "acks.jsonl"),
        }
        users = str(self.size.users)
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
        command += ["-u", users, "-r", users, "--run-time", "30m", "--host", self.stack.url]
        command += ["--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5"]
        with (self.run_dir / "locust.log").open("ab") as log:
            return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603

    def wait_for_traffic(self, locust: subprocess.Popen, seconds: float = 120) -> None:
        """Until every simulated user has sent requests, so the baseline window has traffic."""
        requests = self.run_dir / "requests.jsonl"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and locust.poll() is None:
            if requests.exists() and len(requests.read_bytes().splitlines()) >= self.size.users * 2:
                return
            time.sleep(0.5)
        if locust.poll() is not None:
            log = (self.run_dir / "locust.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Locust stopped before sending traffic:\n{log}")

    # -- the report -----------------------------------------------------------------------------

    def down_windows(self) -> list[tuple[str, float, float]]:
        """Each dependency's actual down window, the last few in-flight seconds after it included."""
        return [
            (w.name, w.down_start, w.down_end + IN_FLIGHT_GRACE_SECONDS)
            for w in self.windows
            if w.name != "worker"
        ]

    @staticmethod
    def overlaps(request: dict[str, Any], start: float, end: float) -> bool:
        """Whether the request was in flight at some moment between ``start`` and ``end``."""
        return request["t"] <= end and request["t"] + request["ms"] / 1000 >= start

    def when(self, moment: float) -> str:
        """A moment told against the timetable: "postgresql +3.2 s"."""
        window = max(
            (w for w in self.windows if w.start <= moment), key=lambda w: w.start, default=None
        )
        if window is None:
            return "baseline"
        return f"{window.name} {moment - window.down_start:+.1f} s"

    def report(
        self, started: float, final: Window, before: dict[str, Any], after: dict[str, Any]
    ) -> bool:
        requests = _lines(self.run_dir / "requests.jsonl")
        (self.run_dir / "health.jsonl").write_text(
            "".join(json.dumps(h) + "\n" for h in self.health)
        )
        (self.run_dir / "windows.json").write_text(json.dumps([vars(w) for w in self.windows]))
        acks = _lines(self.run_dir / "acks.jsonl")
        segments = [("baseline", started, self.windows[0].start if self.windows else final.start)]
        segments += [(w.name, w.start, w.end or final.start) for w in self.windows]
        kinds = ["5xx", "4xx", "timeout", "connection"]
        print("\nRequests per fault window")
        print(
            f"{'window':<14}{'requests':>9}{'ok':>7}" + "".join(f"{k:>11}" for k in kinds), end=""
        )
        print(f"{'p95 ms':>9}  dependency down")
        for name, start, end in segments:
            inside = [r for r in requests if start <= r["t"] < end]
            counts = {k: sum(1 for r in inside if r["kind"] == k) for k in ["ok", *kinds]}
            window = next((w for w in self.windows if w.name == name), None)
            down = f"{window.down_end - window.down_start:.1f} s" if window else "-"
            print(f"{name:<14}{len(inside):>9}{counts['ok']:>7}", end="")
            print("".join(f"{counts[k]:>11}" for k in kinds), end="")
            print(f"{_p95([r['ms'] for r in inside]):>9.0f}  {down}")

        result = verify.Verdict()
        print(
            f"\nBacklogs drained after each recovery (limit {self.size.drain_limit_seconds:.0f} s)"
        )
        for window in [*self.windows, final]:
            parts = ", ".join(
                f"{name} {'not drained' if seconds is None else f'{seconds} s'}"
                for name, seconds in window.drained.items()
            )
            print(f"  {window.name:<14} {parts or 'not measured'}  {window.note}")
            result.add(
                f"drained after {window.name}",
                window.drain_seconds is not None,
                f"in {window.drain_seconds} s" if window.drain_seconds is not None else parts,
            )

        bad = [
            r
            for r in requests
            if r["kind"] == "5xx"
            and not any(self.overlaps(r, start, end) for _n, start, end in self.down_windows())
        ]
        by_name: dict[str, int] = {}
        for r in bad:
            by_name[f"{r['status']} {r['name']}"] = by_name.get(f"{r['status']} {r['name']}", 0) + 1
        result.add(
            "no 5xx outside a down window",
            not bad,
            f"{len(bad)}: {by_name} {[self.when(r['t']) for r in bad][:5]}",
        )
        inside_pg = [
            r
            for r in requests
            if r["kind"] == "5xx"
            and any(
                w.name == "postgresql" and self.overlaps(r, w.down_start, w.down_end)
                for w in self.windows
            )
        ]
        with_retry = sum(1 for r in inside_pg if r["status"] == 503 and r.get("retry_after"))
        result.add(
            "503 with Retry-After while the database was down",
            with_retry == len(inside_pg),
            f"{len(inside_pg)} 5xx while PostgreSQL was down, {with_retry} of them 503 with Retry-After",
        )
        not_live = [h for h in self.health if h["live"] != 200]
        result.add(
            "/healthz/live answered 200 throughout",
            bool(self.health) and not not_live,
            f"{len(self.health)} polls, {len(not_live)} not 200 "
            f"{[(h['live'], self.when(h['t'])) for h in not_live][:5]}",
        )

        for window in self.windows:
            if window.name not in {"elasticsearch", "sparql"}:
                continue
            polls = [
                h
                for h in self.health
                if window.down_start + HEALTH_SETTLE_SECONDS <= h["t"] <= window.down_end - 1
            ]
            unready = [h for h in polls if h["status"] != 200]
            undegraded = [h for h in polls if h["status"] == 200 and h["state"] == "ok"]
            states = sorted({f"{h['status']} {h['state']} {','.join(h['failing'])}" for h in polls})
            result.add(
                f"/healthz ready and degraded during the {window.name} outage",
                bool(polls) and not unready and not undegraded,
                f"{len(polls)} polls: {states}",
            )
        result.add(
            "linked data unchanged",
            before == after,
            f"before {before}, after {after}",
        )
        replies = verify.verify_replies(
            self.stack.pg.url, self.stack.es.url, self.stack.mail_dir, acks
        )
        result.checks += replies.checks

        print("\nVerdicts")
        for name, ok, detail in result.checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
        print(f"\nThe drill {'passed' if result.ok else 'FAILED'} (logs in {self.run_dir}).")
        return result.ok


def _status(url: str) -> int:
    """The HTTP status of a GET (0: no answer)."""
    try:
        with urllib.request.urlopen(url, timeout=8) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--short", action="store_true", help="one fault of each kind, short outages, 4 users"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, data)")
    args = parser.parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="hub-drill-"))

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    drill = Drill(timed(SHORT if args.short else FULL), run_dir, say)
    try:
        ok = drill.run()
    finally:
        drill.stopping.set()
        drill.stack.stop()
    if ok and not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
