"""Benchmark: every page type of the hub at scale, against the site's own template around an empty page.

    DATABASE_URL=postgresql://hub:hub@127.0.0.1:5432/hub_bench python -m communities.benchmarks.pages
    … --size tiny | medium | full (default) | 10x   --seconds 5   --fresh

Builds its data in DATABASE_URL (migrating it first; use a database of its own: ``--fresh`` drops and
creates it): the demo hub (councils, benchmarking data, demo communities and case studies), then in
bulk the size's members, communities (three memberships per member), threads, replies and case
studies. With ``--elasticsearch`` (and ELASTICSEARCH_URL) it builds a search index of its own (prefix
``bench-<database>``) and searches it; otherwise the hub searches its database.

It then serves the hub with gunicorn on 127.0.0.1 under ``communities.benchmarks.settings`` (the hub's
settings plus the baseline page) and loads every page with ``wrk`` (a load generator outside the
Python process: ``apt-get install wrk``), anonymous and signed in, interleaving the pages in rounds
so a change in the machine's load affects them alike. The baseline is the site's base template
(header, navigation, footer, the signed-in header when signed in) around an empty page with no
content queries, measured in the same run. Prints requests per second, p50 and p99 latency, queries
per request (counted in-process with Django's test client) and the ratio to the baseline (target
≥ 0.5). Then a visitor's walk through many different pages (``--many-pages``, in-process), with the
hub's cache and with Django's default of 300 entries.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hub.floor.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "communities.benchmarks.settings"
SERVER_PORTS = range(8600, 8700)  # the first free one serves the hub, unless --port says


@dataclass(frozen=True)
class Size:
    communities: int
    members: int
    posts: int
    case_studies: int
    threads_per_community: int = 10
    demo: bool = True  # load the demo hub first (councils, benchmarking data, demo content)


SIZES = {
    "tiny": Size(
        communities=20,
        members=200,
        posts=2_000,
        case_studies=20,
        threads_per_community=5,
        demo=False,
    ),
    "medium": Size(communities=130, members=6_000, posts=25_000, case_studies=100),
    "full": Size(communities=1_300, members=60_000, posts=250_000, case_studies=1_000),
    "10x": Size(communities=13_000, members=600_000, posts=2_500_000, case_studies=10_000),
}

BASELINE = "baseline: site template, no content"
NOTIFICATIONS = 45  # the signed-in reader's: a page and a half of the list


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    signed_in: bool


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "wrk is not installed: the benchmark loads pages from outside Python with it. "
            "Install it with `apt-get install wrk` (Debian, Ubuntu) or `brew install wrk`."
        )
    return wrk


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (through the server's ``postgres`` database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"--fresh needs a plain database name (letters, digits, _), not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_data(size: Size) -> dict:
    """Create (once per database) the site at ``size``; returns what the pages need."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    from communities.benchmarks.data import (
        bulk_case_studies,
        bulk_communities,
        bulk_members,
        bulk_memberships,
        bulk_posts,
        bulk_threads,
    )
    from communities.models import (
        CommunityIndexPage,
        CommunityPage,
        GoodPracticeIndexPage,
        GoodPracticePage,
        ThreadPage,
    )
    from hub.services.demo import load_demo
    from hub.services.site import ensure_site_tree
    from linkeddata.services.areas import do_import_areas

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    if not CommunityPage.objects.filter(slug="bench-community-1").exists():
        if size.demo:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                load_demo(password=None)
            print(f"demo hub loaded in {time.perf_counter() - started:.0f} s", flush=True)
        else:  # the smoke test's size: the site and the councils, no benchmarking data
            ensure_site_tree()
            do_import_areas()
        member_ids = bulk_members(size.members + 1)
        members, owner_id = member_ids[:-1], member_ids[-1]  # members[0] is the signed-in reader
        communities = bulk_communities(CommunityIndexPage.objects.get(), size.communities, owner_id)
        bulk_memberships(communities, members)
        print(f"members and communities in {time.perf_counter() - started:.0f} s", flush=True)
        threads = []
        for community in communities:
            threads.extend(bulk_threads(community, members, size.threads_per_community))
        bulk_posts(threads, members, size.posts)
        print(f"threads and replies in {time.perf_counter() - started:.0f} s", flush=True)
        bulk_case_studies(GoodPracticeIndexPage.objects.get(), size.case_studies)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        if os.environ.get("ELASTICSEARCH_URL"):  # with --elasticsearch only
            call_command("search_rebuild", chunk_size=2000)
            print(f"search index rebuilt at {time.perf_counter() - started:.0f} s", flush=True)
    from django.contrib.auth import get_user_model

    from communities.benchmarks.data import analyze_tables, bulk_notifications
    from communities.models import Notification
    from linkeddata.models import Area, Measure

    community = CommunityPage.objects.get(slug="bench-community-1")
    thread = ThreadPage.objects.child_of(community).get(slug="question-1")
    case_study = GoodPracticePage.objects.get(slug="bench-case-study-1")
    council = Area.objects.councils().exclude(gss_code=None).order_by("gss_code").first()
    measure = Measure.objects.order_by("slug").first()
    reader = get_user_model().objects.get(username="member0@bench.example.gov.uk")
    if not Notification.objects.filter(recipient=reader).exists():  # databases built before it too
        bulk_notifications(reader.pk, NOTIFICATIONS)
    analyze_tables()
    counts = {
        "communities": CommunityPage.objects.count(),
        "members": get_user_model().objects.count(),
        "threads": ThreadPage.objects.count(),
        "posts": thread.posts.model.objects.count(),
        "case studies": GoodPracticePage.objects.count(),
    }
    pages = {
        "home": "/",
        "communities list": "/communities/",
        "community": community.url,
        "thread": thread.url,
        "member directory": "/members/",
        "library": "/good-practice/",
        "case study": case_study.url,
        "search": "/search/?q=service+costs",
        "autocomplete": "/search/autocomplete/?q=serv",
        "sparql examples": "/sparql",
    }
    if council is not None:
        pages["area"] = f"/doc/area/{council.gss_code}"
    if measure is not None:  # benchmarking data loaded (every size but tiny)
        pages["measure"] = f"/doc/measure/{measure.slug}"
        if council is not None:
            pages["compare"] = f"/data/compare/{council.gss_code}/"
    return {"pages": pages, "reader": reader, "counts": counts}


def targets(pages: dict[str, str]) -> list[Target]:
    from communities.benchmarks.urls import BASELINE_PATH

    found = [Target(BASELINE, BASELINE_PATH, False), Target(BASELINE, BASELINE_PATH, True)]
    for name, path in pages.items():
        found.append(Target(name, path, False))
        found.append(Target(name, path, True))
    found.append(Target("dashboard", "/dashboard/", True))
    found.append(Target("notifications", "/notifications/", True))
    return found


def count_queries(all_targets: list[Target], reader) -> tuple[dict[Target, int], str]:
    """Queries per request of each target (the second request, as a warm process serves it), and
    the session cookie of the signed-in reader."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(reader)
    counts = {}
    for target in all_targets:
        client = signed_in if target.signed_in else anonymous
        client.get(target.path, HTTP_ACCEPT="text/html")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target.path, HTTP_ACCEPT="text/html")
        if response.status_code != 200:
            raise SystemExit(f"{target.path}: HTTP {response.status_code}, expected 200")
        counts[target] = len(captured)
    return counts, signed_in.cookies["sessionid"].value


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(wrk: str, port: int, target: Target, cookie: str, seconds: float, connections: int):
    """(requests, p50, p99) of one ``wrk`` run; stops the benchmark on any non-2xx answer."""
    command = [
        wrk,
        "--latency",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",  # wrk's own 2 s would count a slow answer on a loaded machine as an error
        "-H",
        "Accept: text/html",
    ]
    if target.signed_in:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    command.append(f"http://127.0.0.1:{port}{target.path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise SystemExit(f"{target.path}: wrk saw errors\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    elapsed = _seconds(re.search(r"requests in ([\d.]+\w+),", output).group(1))  # type: ignore[union-attr]
    p50 = _seconds(re.search(r"50%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    return requests, elapsed, p50, p99


def wait_until_serving(server: subprocess.Popen, port: int, seconds: float = 300) -> None:
    """Wait for gunicorn to answer the baseline page (slow to start on a loaded machine)."""
    import http.client

    from communities.benchmarks.urls import BASELINE_PATH

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit status {server.returncode}) before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", BASELINE_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not serve {BASELINE_PATH} within {seconds:.0f} s")


def touch(port: int, all_targets: list[Target], cookie: str, times: int) -> None:
    """Request every page a few times, so each worker has loaded its code and templates before
    any is measured (a short ``--warmup`` then measures warm workers even on a loaded machine)."""
    import http.client

    for _ in range(times):
        for target in all_targets:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            headers = {"Accept": "text/html"}
            if target.signed_in:
                headers["Cookie"] = f"sessionid={cookie}"
            connection.request("GET", target.path, headers=headers)
            connection.getresponse().read()
            connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--seconds", type=float, default=6.0, help="measuring time per page")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per page")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per page")
    parser.add_argument("--connections", type=int, default=4, help="wrk's open connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--elasticsearch",
        action="store_true",
        help="search with ELASTICSEARCH_URL's node (the build then indexes everything: at full size "
        "about 325,000 documents); without it the hub searches its database",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="no server and no wrk: time each page with Django's test client in this process "
        "(median ms of --repeats, queries, the share of the time spent in the database) against "
        "the baseline page, to see where a page's time goes",
    )
    parser.add_argument(
        "--repeats", type=int, default=15, help="requests per page with --in-process"
    )
    parser.add_argument("--skip", default="", help="pages to leave out, by name, comma-separated")
    parser.add_argument(
        "--profile", metavar="PAGE", help="with --in-process: cProfile this page's requests too"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="the server's port on 127.0.0.1 (default: the first free one of 8600–8699)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--many-pages",
        type=int,
        default=1_000,
        help="pages in a visitor's walk through many pages, timed in-process (0: not timed)",
    )
    args = parser.parse_args(argv)
    wrk = "" if args.in_process else find_wrk()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database the benchmark may fill.")
    if args.fresh:
        recreate_database(url)
    name = urlsplit(url).path.lstrip("/")
    data_dir = os.environ.get("HUB_DATA_DIR") or str(Path(tempfile.gettempdir()) / f"hub-{name}")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "HUB_DATA_DIR": data_dir,
        "TASKS_BACKEND": "immediate",
        "SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "ELASTICSEARCH_INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", f"bench-{name}"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if not args.elasticsearch:
        env.pop("ELASTICSEARCH_URL", None)
        os.environ.pop("ELASTICSEARCH_URL", None)
    elif not env.get("ELASTICSEARCH_URL"):
        raise SystemExit("--elasticsearch needs ELASTICSEARCH_URL (http://HOST:PORT)")
    os.environ.update(env)
    try:
        measure(args, wrk, env)
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def measure(args: argparse.Namespace, wrk: str, env: dict[str, str]) -> None:
    from hub.floor.loopback import dies_with_parent, stop

    size = SIZES[args.size]
    data = build_data(size)
    skipped = {name.strip() for name in args.skip.split(",") if name.strip()}
    all_targets = [t for t in targets(data["pages"]) if t.name not in skipped]
    if args.in_process:
        measure_in_process(args, data, all_targets)
        measure_many_pages(args.many_pages)
        return
    queries, cookie = count_queries(all_targets, data["reader"])
    port = args.port or free_port(SERVER_PORTS)
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
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        preexec_fn=dies_with_parent(),  # no server outlives the benchmark, however it ends
    )
    totals: dict[Target, list] = {t: [0, 0.0, [], []] for t in all_targets}
    try:
        wait_until_serving(server, port)
        touch(port, all_targets, cookie, args.workers * args.threads)
        for target in all_targets if args.warmup else []:  # every worker has served every page
            run_wrk(wrk, port, target, cookie, args.warmup, args.connections)
        load_before = os.getloadavg()
        for _ in range(args.rounds):
            for target in all_targets:
                requests, elapsed, p50, p99 = run_wrk(
                    wrk, port, target, cookie, args.seconds / args.rounds, args.connections
                )
                total = totals[target]
                total[0] += requests
                total[1] += elapsed
                total[2].append(p50)
                total[3].append(p99)
        load_after = os.getloadavg()
    finally:
        stop(server, 60)
    report(args, data["counts"], totals, queries, load_before, load_after)
    measure_many_pages(args.many_pages)


def queries_range(rows: list[tuple[float, float, int]]) -> str:
    """``7`` or, when some requests ran more (a kept page expired), ``1–7``."""
    low, high = min(r[2] for r in rows), max(r[2] for r in rows)
    return str(low) if low == high else f"{low}–{high}"


def measure_in_process(args: argparse.Namespace, data: dict, all_targets: list[Target]) -> None:
    """Each page's median time and queries through Django's test client, interleaved page by page
    for ``--repeats`` rounds after two warm-up requests, with the time spent waiting for the database
    (no HTTP server: what the hub's own code costs)."""
    import cProfile
    import pstats
    import statistics

    from django.db import connection
    from django.test import Client

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(data["reader"])
    in_database = [0.0]

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - started

    samples: dict[Target, list[tuple[float, float, int]]] = {t: [] for t in all_targets}
    profiler = cProfile.Profile() if args.profile else None
    load_before = os.getloadavg()
    for round_ in range(args.repeats + 2):
        for target in all_targets:
            client = signed_in if target.signed_in else anonymous
            profiling = profiler is not None and round_ >= 2 and target.name == args.profile
            queries = [0]

            def counting(execute, sql, params, many, context, queries=queries):
                queries[0] += 1
                return timed_execute(execute, sql, params, many, context)

            in_database[0] = 0.0
            with connection.execute_wrapper(counting):
                if profiling:
                    profiler.enable()  # type: ignore[union-attr]
                started = time.perf_counter()
                response = client.get(target.path, HTTP_ACCEPT="text/html")
                elapsed = time.perf_counter() - started
                if profiling:
                    profiler.disable()  # type: ignore[union-attr]
            if response.status_code != 200:
                raise SystemExit(f"{target.path}: HTTP {response.status_code}, expected 200")
            if round_ >= 2:
                samples[target].append((elapsed, in_database[0], queries[0]))
    load_after = os.getloadavg()
    sizes = ", ".join(f"{value:,} {name}" for name, value in data["counts"].items())
    print(
        f"\nsize {args.size}: {sizes}\nin-process, median of {args.repeats} requests per page, "
        f"interleaved; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    print("| page | visitor | ms | in database ms | queries | baseline ms ÷ page ms |")
    print("|---|---|---:|---:|---:|---:|")
    medians = {t: statistics.median(s[0] for s in rows) for t, rows in samples.items()}
    baselines = {t.signed_in: medians[t] for t in samples if t.name == BASELINE}
    for target, rows in samples.items():
        database_ms = statistics.median(s[1] for s in rows) * 1000
        print(
            f"| {target.name} | {'signed in' if target.signed_in else 'anonymous'} | "
            f"{medians[target] * 1000:.1f} | {database_ms:.1f} | {queries_range(rows)} | "
            f"{baselines[target.signed_in] / medians[target]:.2f} |"
        )
    if profiler is not None:
        print(f"\nprofile of {args.profile!r} (cumulative, top 40):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
        print(f"\nprofile of {args.profile!r} (own time, top 30):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)


def report(args, counts, totals, queries, load_before, load_after) -> None:
    sizes = ", ".join(f"{value:,} {name}" for name, value in counts.items())
    print(
        f"\nsize {args.size}: {sizes}\n"
        f"gunicorn {args.workers} workers × {args.threads} threads; wrk {args.connections} "
        f"connections, {args.seconds:g} s per page in {args.rounds} interleaved rounds; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs)\n"
    )
    print("| page | visitor | requests/s | p50 ms | p99 ms | queries | ratio to baseline |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rates = {t: (total[0] / total[1] if total[1] else 0.0) for t, total in totals.items()}
    baselines = {t.signed_in: rates[t] for t in totals if t.name == BASELINE}
    for target, total in totals.items():
        rate = rates[target]
        ratio = rate / baselines[target.signed_in] if baselines[target.signed_in] else 0.0
        p50 = f"{max(total[2]) * 1000:.1f}" if total[0] else "–"
        p99 = f"{max(total[3]) * 1000:.1f}" if total[0] else "–"
        print(
            f"| {target.name} | {'signed in' if target.signed_in else 'anonymous'} | {rate:.0f} | "
            f"{p50} | {p99} | {queries[target]} | {ratio:.2f} |"
        )
    below = [t for t in totals if rates[t] / max(baselines[t.signed_in], 1e-9) < 0.5]
    if below:
        names = ", ".join(
            f"{t.name} ({'signed in' if t.signed_in else 'anonymous'})" for t in below
        )
        print(f"\nbelow 0.5× the baseline: {names}")


def measure_many_pages(count: int) -> None:
    """A visitor's walk through ``count`` different pages (open communities, then their threads),
    in-process: each page asked once to keep it, then once timed, with the hub's cache
    (``CACHE_MAX_ENTRIES``) and with Django's default of 300 entries, alternated twice. The rows above
    ask for one page of each type over and over; this shows whether a site's worth of pages stays kept."""
    if count <= 0:
        return
    import statistics

    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client, override_settings

    from communities.models import CommunityPage, ThreadPage, Visibility

    client = Client()
    communities = list(
        CommunityPage.objects.live().filter(visibility=Visibility.OPEN).order_by("pk")
    )
    in_open = {c.path for c in communities}
    threads = ThreadPage.objects.live().order_by("pk").only("path", "url_path")
    candidates = [c.url for c in communities[: count // 3]]
    in_open_threads = [t for t in threads if t.path[: -ThreadPage.steplen] in in_open][:count]
    candidates += [t.url for t in in_open_threads]
    paths = [p for p in candidates if client.get(p).status_code == 200][:count]
    if not paths:
        print("\nNo page a visitor may read: the walk through many pages is left out.")
        return
    hub_cache: dict = settings.CACHES["default"]
    djangos = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "django-default",
    }
    caches = {
        f"the hub's cache ({hub_cache['OPTIONS']['MAX_ENTRIES']:,} entries)": hub_cache,
        "Django's default cache (300 entries)": djangos,
    }
    times: dict[str, list[float]] = {name: [] for name in caches}
    for _ in range(2):
        for name, config in caches.items():
            with override_settings(CACHES={"default": config}):
                cache.clear()
                for path in paths:
                    client.get(path)
                for path in paths:
                    started = time.perf_counter()
                    client.get(path)
                    times[name].append(time.perf_counter() - started)
                cache.clear()
    print(
        f"\nA visitor's walk through {len(paths):,} different pages, in-process (each kept by a first "
        "visit, then timed; two alternations):\n"
    )
    print("| cache | pages/s | p50 ms | p95 ms | ratio to Django's default |")
    print("|---|---:|---:|---:|---:|")
    rates = {name: len(t) / sum(t) for name, t in times.items()}
    default_rate = rates["Django's default cache (300 entries)"]
    for name, taken in times.items():
        ordered = sorted(taken)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"| {name} | {rates[name]:.0f} | {statistics.median(ordered) * 1000:.1f} | "
            f"{p95 * 1000:.1f} | {rates[name] / default_rate:.2f} |"
        )


if __name__ == "__main__":
    main()
