"""Benchmark: the community page (300 threads) and the thread page (300 replies) under gunicorn,
beside a minimal Wagtail page measured in the same run.

    DATABASE_URL=postgresql://hub:hub@127.0.0.1:5432/hub_bench python -m communities.benchmarks.pages

Builds its data in DATABASE_URL (migrating it first; use a database of its own), serves the hub
with gunicorn on 127.0.0.1 and loads each page from a bounded pool of loopback HTTP clients (Python
threads with keep-alive connections, for a fixed time after a warm-up). Prints requests per second
and p50/p95 latency, and each page's throughput as a ratio of the minimal page's (target ≥ 0.5).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_data() -> dict[str, str]:
    """Create (once) the benchmark community, thread and baseline page; returns their paths."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    django.setup()
    from django.core.management import call_command

    from communities.benchmarks.data import add_replies, add_threads
    from communities.discussions.services.threads import do_start_thread
    from communities.models import (
        CommunityIndexPage,
        CommunityPage,
        GoodPracticeIndexPage,
        GoodPracticePage,
    )
    from communities.people.services.communities import do_add_member, do_create_community
    from communities.people.services.profiles import do_create_member
    from hub.services.site import ensure_site_tree

    call_command("migrate", verbosity=0, interactive=False)
    ensure_site_tree()
    community = CommunityPage.objects.filter(slug="benchmark-community").first()
    if community is None:
        authors = [
            do_create_member(
                email=f"bench{n}@bench.example.gov.uk",
                password=None,
                display_name=f"Bench Officer {n}",
            )
            for n in range(10)
        ]
        community = do_create_community(
            index=CommunityIndexPage.objects.get(),
            title="Benchmark community",
            slug="benchmark-community",
            description="300 threads.",
            owner=authors[0],
        )
        for author in authors[1:]:
            do_add_member(community, author)
        add_threads(community, authors[1], 299, prefix="Bench")
        thread = do_start_thread(
            community=community,
            author=authors[2],
            title="The long thread",
            body="A thread with 300 replies.",
        )
        add_replies(thread, authors, 300)
    thread = community.get_children().type(_thread_type()).get(slug="the-long-thread").specific
    baseline = GoodPracticePage.objects.filter(slug="benchmark-baseline").first()
    if baseline is None:
        baseline = GoodPracticePage(
            title="Benchmark baseline",
            slug="benchmark-baseline",
            summary="A minimal page.",
            problem="None.",
            approach="None.",
            outcomes="None.",
        )
        GoodPracticeIndexPage.objects.get().add_child(instance=baseline)
        baseline.save_revision().publish()
    return {
        "minimal Wagtail page": baseline.url,
        "community page (300 threads)": community.url,
        "thread page (300 replies)": thread.url,
    }


def _thread_type():
    from communities.models import ThreadPage

    return ThreadPage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(port: int, path: str, seconds: float, clients: int) -> list[float]:
    """Latencies (seconds) of every successful request made by ``clients`` threads for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
                break
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(errors[0])
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent loopback clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds the time is split into"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database the benchmark may fill.")
    static_root = tempfile.mkdtemp(prefix="hub-bench-static-")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
        "TASKS_BACKEND": "immediate",
        "SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "hub.settings.base",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    paths = build_data()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hub.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for path in paths.values():
            load(port, path, 2.0, args.clients)  # warm-up
        # Rounds interleave the pages so that a change in the machine's load affects them alike.
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, path in paths.items():
                samples[name].extend(load(port, path, args.seconds / args.rounds, args.clients))
        results = {
            name: (len(lat) / args.seconds, percentile(lat, 0.5), percentile(lat, 0.95))
            for name, lat in samples.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = results["minimal Wagtail page"][0]
    print(
        f"gunicorn {args.workers} workers, {args.clients} loopback clients, {args.seconds:g} s per page "
        f"in {args.rounds} interleaved rounds"
    )
    print("| page | requests/s | p50 ms | p95 ms | ratio to minimal page |")
    print("|---|---:|---:|---:|---:|")
    for name, (rps, p50, p95) in results.items():
        print(
            f"| {name} | {rps:.0f} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | {rps / baseline:.2f} |"
        )


if __name__ == "__main__":
    main()
