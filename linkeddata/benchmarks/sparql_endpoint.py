"""Benchmark of the public SPARQL endpoint over HTTP (a script, not a test).

    DATABASE_URL=... python -m linkeddata.benchmarks.sparql_endpoint [--size small|quick|full]
        [--repeats N] [--warm-up-seconds S] [--burst] [--burst-seconds S] [--burst-clients N]
        [--ports 8500-8599]

1. Generates the cube of ``cube_benchmark`` (full: 400 areas x 50 measures x 15 periods, 300,000
   observations) and loads it into an Oxigraph store, as publishing does.
2. Times the worked queries on that store: the engine in this process (pyoxigraph: run the query and
   write its answer as SPARQL JSON, the baseline), the engine isolated in its own process
   (``linkeddata.engine``, as ``/sparql`` runs it), ``/sparql`` over HTTP on the local store (gunicorn
   serving the hub, one kept-alive connection), and ``/sparql`` in front of an Oxigraph server on the same
   data (loaded and compacted like the local store; the engine in its own server process). Prints, for
   each way (embedded: the local store with the engine isolated; the external server), the engine's
   in-process ms, the engine process's or the server's own ms, ``/sparql``'s p50 and p95, the ratio and
   the overhead (``/sparql`` p50 - engine ms), whether ``/sparql`` is within 1.5 x the in-process time +
   2 ms, and the p50 of ``/healthz/live`` on the same server (what any request costs there).
3. With ``--burst``, the external server path under load: the README's recommended Oxigraph set-up
   (``--union-default-graph --timeout-s 10``) and Apache Jena Fuseki (fetched from Maven Central, a TDB2
   dataset whose default graph is the union) on the same data, the hub pointed at each
   (``SPARQL_ENDPOINT_URL``), and a sustained burst of the worked queries from ``--burst-clients``
   clients at once (the hub's peak: the fault drill's 12 users, all querying) for ``--burst-seconds``.
   Prints the burst's errors, req/s, p50 and p95, and the server's threads and resident memory before,
   at the peak and after.

The database (``DATABASE_URL``, migrated) is only read: ``/sparql`` checks it for pending publications.
Without ``--database-url`` a throw-away database is created and dropped. Servers listen on loopback on
the first free ports of ``--ports``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.floor.loopback import dies_with_parent, free_port, stop, wait_for_http
from linkeddata.benchmarks.cube_benchmark import percentile, queries, write_generated_cube

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"small": (6, 2, 3), "quick": (40, 10, 5), "full": (400, 50, 15)}
PORTS = range(8500, 8600)  # --ports
GRAPH = "http://127.0.0.1:8000/graph/generated"
JSON_RESULTS = "application/sparql-results+json"
WORKED = ["series", "ranking", "similar", "counts", "describe"]
WARM_UP_SECONDS = 5
# The whole-cube counts again, read from what publication states of each dataset (its VoID
# ``void:entities``, the observation count written with the dataset's graph) instead of counting them.
PUBLISHED_COUNTS = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?measure ?n WHERE {
  ?ds a qb:DataSet ; void:entities ?n ; qb:structure/qb:component/qb:measure ?measure .
} ORDER BY ?measure"""


def build_store(work: Path, size: str) -> tuple[Path, Path, dict[str, str]]:
    """The cube as N-Triples and loaded into an Oxigraph store under ``work``, and the queries; a
    ``work`` folder that holds them already (``--work``, same size) is reused as it is."""
    import pyoxigraph as ox

    nt_path = work / "cube.nt"
    store_path = (
        work / "data" / "test-rdf"
    )  # where the hub's settings find it (HUB_DATA_DIR/test-rdf)
    saved = work / f"queries-{size}.json"
    if saved.exists() and store_path.exists():
        return store_path, nt_path, json.loads(saved.read_text())
    with nt_path.open("wb") as handle:
        sample = write_generated_cube(handle, *SIZES[size])
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(store_path))
    store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    store.optimize()
    del store
    texts = queries(
        sample["area"], sample["measure"], sample["period"], sample["series"], sample["observation"]
    )
    chosen = {name: texts[name] for name in WORKED} | {"published": PUBLISHED_COUNTS}
    saved.write_text(json.dumps(chosen))
    return store_path, nt_path, chosen


def accept_for(text: str) -> str:
    return "application/n-triples" if text.lstrip().startswith("DESCRIBE") else JSON_RESULTS


def size_of(body: bytes, text: str) -> int:
    """How many rows (SPARQL JSON) or triples (N-Triples) an answer holds, to check that every way of
    asking gave the same answer (not timed)."""
    if accept_for(text) == JSON_RESULTS:
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


def time_in_process(
    store_path: Path, texts: dict[str, str], repeats: int
) -> tuple[dict[str, float], dict[str, int]]:
    """The baseline: pyoxigraph in this process runs the query and writes the answer the client gets."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    times: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for name, text in texts.items():
        samples = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            result = store.query(text, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryTriples):
                body = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
            else:
                body = result.serialize(format=ox.QueryResultsFormat.JSON)
            samples.append((time.perf_counter() - started) * 1000)
        times[name] = percentile(samples[1:], 0.5)
        sizes[name] = size_of(body, text)
    del store
    return times, sizes


def time_isolated(store_path: Path, texts: dict[str, str], repeats: int) -> dict[str, float]:
    """The same through an engine process (pipe, caps, the engine's own serialiser)."""
    from linkeddata.engine import EnginePool, EngineRequest, Formats

    pool = EnginePool(size=1, memory_mb=2048)
    formats = Formats(JSON_RESULTS, JSON_RESULTS, "application/n-triples")
    times: dict[str, float] = {}
    try:
        for name, text in texts.items():
            request = EngineRequest(
                store=str(store_path),
                text=text,
                max_rows=100_000,
                max_value_bytes=1_000_000,
                max_answer_bytes=64_000_000,
                formats=formats,
            )
            samples = []
            for _ in range(repeats + 1):
                started = time.perf_counter()
                pool.run(request, timeout=60)
                samples.append((time.perf_counter() - started) * 1000)
            times[name] = percentile(samples[1:], 0.5)
    finally:
        pool.close()
    return times


@contextmanager
def hub_server(work: Path, env: dict[str, str], name: str) -> Iterator[str]:
    """The hub under gunicorn (two workers of four threads, as the units run it) on loopback."""
    port = free_port(PORTS)
    log = (work / f"{name}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - this interpreter running gunicorn on our own app
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hub.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=dies_with_parent(),  # no server outlives the benchmark, however it ends
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_http(f"{url}/healthz/live", 240, process):
            raise SystemExit(f"the hub did not start: {(work / f'{name}.log').read_text()[-2000:]}")
        yield url
    finally:
        stop(process, 60)
        log.close()


def hub_env(work: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": database_url,
        "HUB_DATA_DIR": str(work / "data"),
        "RDF_STORE_PATH": str(work / "data" / "test-rdf"),
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key",
        "ALLOWED_HOSTS": "*",
        "TRUSTED_PROXY_COUNT": "1",
        "SPARQL_TIMEOUT_SECONDS": "30",
        "SPARQL_MAX_ROWS": "100000",
        "SPARQL_ENGINE_PROCESSES": "4",
        "SPARQL_CLIENT_CONCURRENCY": "2",
        **extra,
    }
    if "SPARQL_ENDPOINT_URL" not in extra:
        env["SPARQL_ENDPOINT_URL"] = ""
    return env


def ask(connection: http.client.HTTPConnection, text: str, client: str) -> tuple[int, bytes]:
    connection.request(
        "POST",
        "/sparql",
        body=text.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": accept_for(text),
            "X-Forwarded-For": client,
        },
    )
    response = connection.getresponse()
    return response.status, response.read()


def time_http(
    url: str,
    texts: dict[str, str],
    repeats: int,
    sizes: dict[str, int],
    warm_up_seconds: float = WARM_UP_SECONDS,
) -> dict[str, tuple[float, float]]:
    """``/sparql``'s p50 and p95 for each query, one kept-alive connection, each answer checked; after
    untimed rounds of every query for ``warm_up_seconds`` (``--warm-up-seconds``, 5 by default), so
    that the server's other workers have finished starting (it answers as soon as one has: the first
    queries timed shared the machine with their start) and every cache is as warm for the first query
    as for the last. A smoke run (0) times the first rounds instead: the same answers, checked."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    warm_until = time.monotonic() + warm_up_seconds
    while time.monotonic() < warm_until:
        for text in texts.values():
            ask(connection, text, "198.51.100.1")
    times: dict[str, tuple[float, float]] = {}
    for name, text in texts.items():
        samples = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            status, body = ask(connection, text, "198.51.100.1")
            samples.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"/sparql answered {status} to {name}: {body[:300]!r}")
        if size_of(body, text) != sizes[name]:
            raise SystemExit(
                f"/sparql answered {name} with {size_of(body, text)} rows, the engine {sizes[name]}"
            )
        times[name] = (percentile(samples[1:], 0.5), percentile(samples[1:], 0.95))
    connection.close()
    return times


def time_direct(endpoint: str, texts: dict[str, str], repeats: int) -> dict[str, float]:
    """The p50 of the external server answering each query itself (SPARQL Protocol, one kept-alive
    connection, the format the hub asks it for): the server's share of ``/sparql``'s time."""
    parts = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    times: dict[str, float] = {}
    for name, text in texts.items():
        samples = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            connection.request(
                "POST",
                parts.path,
                body=text.encode(),
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
                },
            )
            response = connection.getresponse()
            response.read()
            samples.append((time.perf_counter() - started) * 1000)
        times[name] = percentile(samples[1:], 0.5)
    connection.close()
    return times


def time_floor(url: str, repeats: int) -> float:
    """The p50 of the hub's cheapest answer (``/healthz/live``) on the same kept-alive connection: what
    any request costs through gunicorn and Django, for reading ``/sparql``'s overhead against."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    samples = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        connection.request("GET", "/healthz/live")
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return percentile(samples[1:], 0.5)


def target_ms(engine_ms: float) -> float:
    """The target for ``/sparql``: at most 1.5 x the engine's in-process time plus 2 ms."""
    return 1.5 * engine_ms + 2


def print_mode(
    title: str,
    in_process: dict[str, float],
    timed: dict[str, tuple[float, float]],
    floor: float,
    beside: tuple[str, dict[str, float]],
) -> None:
    """One table per way of running the engine: for each query the engine in-process, ``/sparql``'s
    p50 and p95, their ratio and difference (the overhead) at p50, and whether the target holds;
    ``beside`` is a column of p50s for reading the overhead (the engine process, the server direct)."""
    label, extra = beside
    print(f"\n{title}; load average {os.getloadavg()[0]:.2f}; /healthz/live p50 {floor:.2f} ms")
    print(
        f"{'query':<10} {'engine ms':>9} {label:>14} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7}"
        f" {'overhead':>9}  target (1.5 x engine + 2 ms)"
    )
    for name, base in in_process.items():
        p50, p95 = timed[name]
        target = target_ms(base)
        verdict = "met" if p50 <= target else "missed"
        print(
            f"{name:<10} {base:>9.2f} {extra[name]:>14.2f} {p50:>8.2f} {p95:>8.2f}"
            f" {p50 / base:>6.1f}x {p50 - base:>8.2f}  {verdict} (<= {target:.2f})",
            flush=True,
        )


def burst(url: str, texts: dict[str, str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` clients (each its own address and kept-alive connection) sending the worked queries
    one after another for ``seconds``: errors (any status but 200; ``timeouts``: those that were a time
    limit's, the hub's or the server's), req/s and p95."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    ordered = list(texts.values())

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        i = number
        while time.monotonic() < deadline:
            text = ordered[i % len(ordered)]
            i += 1
            started = time.perf_counter()
            try:
                status, body = ask(connection, text, f"198.51.100.{10 + number}")
            except (OSError, http.client.HTTPException) as exc:
                status, body = 0, str(exc).encode()
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {body[:120]!r}")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"    first errors: {errors[:3]}", flush=True)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "timeouts": sum("time limit" in error or "Timeout" in error for error in errors),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5) if latencies else 0.0,
        "p95": percentile(latencies, 0.95) if latencies else 0.0,
    }


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        raise SystemExit("the oxigraph server is needed: pip install -e '.[test]'")
    return found


@contextmanager
def oxigraph_server(work: Path, nt_path: Path, timeout_s: int | None) -> Iterator[tuple[str, int]]:
    """An Oxigraph server on a copy of the data, started as the README recommends; yields its query
    URL and process id."""
    location = work / f"server-{timeout_s}"
    binary = oxigraph_binary()
    if not location.exists():  # loaded once, served as often as asked
        subprocess.run(  # noqa: S603 - the oxigraph CLI from the virtualenv
            [binary, "load", "--location", str(location), "--file", str(nt_path), "--graph", GRAPH],
            check=True,
            capture_output=True,
        )
        # compacted like the local store (``build_store``): a read-only server never compacts, and
        # reading the loaded, uncompacted tables took about twice as long for the ranking
        subprocess.run(  # noqa: S603 - the oxigraph CLI from the virtualenv
            [binary, "optimize", "--location", str(location)], check=True, capture_output=True
        )
    port = free_port(PORTS)
    command = [binary, "serve-read-only", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if timeout_s is not None:
        command += ["--timeout-s", str(timeout_s)]
    log = (work / f"oxigraph-{timeout_s}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - the oxigraph CLI from the virtualenv
        command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=dies_with_parent()
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_http(f"{base}/query?query=ASK%7B%7D", 30, process):
            raise SystemExit(
                f"oxigraph did not start: {(work / f'oxigraph-{timeout_s}.log').read_text()[-1000:]}"
            )
        yield f"{base}/query", process.pid
    finally:
        stop(process, 30)  # a query still running in it must not keep it alive
        log.close()


@contextmanager
def fuseki_server(work: Path, nt_path: Path, timeout_s: int) -> Iterator[tuple[str, int]]:
    """Apache Jena Fuseki on a TDB2 copy of the data (its default graph the union of the named graphs,
    queries cancelled after ``timeout_s``, a 1 GB heap for several whole-cube counts at once); yields its
    query URL and process id."""
    from linkeddata.benchmarks import fuseki

    location = work / "fuseki"
    try:
        if not location.exists():  # loaded once, served as often as asked
            location.mkdir()
            fuseki.load(location, nt_path, GRAPH)
        process, base = fuseki.start(location, timeout_s, PORTS, heap="1g")
    except fuseki.FusekiUnavailable as exc:
        raise SystemExit(f"Apache Jena Fuseki could not be started: {exc}") from None
    try:
        yield f"{base}/query", process.pid
    finally:
        stop(process, 30)


def burst_row(
    label: str, url: str, pid: int, texts: dict[str, str], clients: int, seconds: float
) -> str:
    """One line of the burst table: the hub at ``url`` in front of the server ``pid``."""
    before = process_figures(pid)
    halt, peak = threading.Event(), list(before)
    watcher = threading.Thread(target=watch_peak, args=(pid, halt, peak))
    watcher.start()
    figures = burst(url, texts, clients, seconds)
    halt.set()
    watcher.join()
    after = process_figures(pid)
    return (
        f"{label:<28} {figures['requests']:>8} {figures['errors']:>6} {figures['timeouts']:>8}"
        f" {figures['rps']:>7.1f}"
        f" {figures['p50']:>7.1f} {figures['p95']:>7.1f}"
        f" {before[0]:>5} /{peak[0]:>5} /{after[0]:>5} {before[1]:>5} /{peak[1]:>5} /{after[1]:>5}"
    )


def process_figures(pid: int) -> tuple[int, int]:
    """A process's thread count and resident memory (MB), from /proc."""
    threads, rss_kb = 0, 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            threads = int(line.split()[1])
        elif line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return threads, rss_kb // 1024


def watch_peak(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Keep ``peak`` at the highest thread count and resident memory seen until ``stop``."""
    while not stop.is_set():
        try:
            threads, rss = process_figures(pid)
        except OSError:
            return
        peak[0], peak[1] = max(peak[0], threads), max(peak[1], rss)
        time.sleep(0.05)


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """``url``, or a throw-away migrated database dropped afterwards."""
    if url:
        yield url
        return
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{Path(str(db['NAME'])).stem}_sparql_benchmark"
    print("Creating a throw-away database …", flush=True)
    old = setup_databases(verbosity=0, interactive=False)
    try:
        db = settings.DATABASES["default"]
        yield f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    finally:
        teardown_databases(old, verbosity=0)


def main() -> None:
    global PORTS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=list(SIZES), default="full")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--warm-up-seconds",
        type=float,
        default=WARM_UP_SECONDS,
        help="untimed rounds of the queries before /sparql is timed (0: none, for a smoke run)",
    )
    parser.add_argument("--burst", action="store_true", help="the external servers under a burst")
    parser.add_argument("--burst-seconds", type=float, default=30)
    parser.add_argument("--burst-clients", type=int, default=12)
    parser.add_argument("--ports", default="8500-8599", help="loopback ports for its servers")
    parser.add_argument("--database-url", help="a migrated database (default: a throw-away one)")
    parser.add_argument(
        "--work", type=Path, help="keep the cube and stores in this folder, reused by later runs"
    )
    args = parser.parse_args()
    first, _, last = args.ports.partition("-")
    PORTS = range(int(first), int(last or first) + 1)

    work = args.work or Path(tempfile.mkdtemp(prefix="hub-sparql-benchmark-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        areas, measures, periods = SIZES[args.size]
        print(
            f"Cube: {areas} areas x {measures} measures x {periods} periods = "
            f"{areas * measures * periods:,} observations; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        store_path, nt_path, texts = build_store(work, args.size)
        in_process, sizes = time_in_process(store_path, texts, args.repeats)
        print(f"Answers: {sizes}", flush=True)
        isolated = time_isolated(store_path, texts, args.repeats)
        with database(args.database_url) as database_url:
            with hub_server(work, hub_env(work, database_url), "hub-local") as url:
                over_http = time_http(url, texts, args.repeats, sizes, args.warm_up_seconds)
                local_floor = time_floor(url, args.repeats)
            with oxigraph_server(work, nt_path, 10) as (endpoint, _):
                direct = time_direct(endpoint, texts, args.repeats)
                env = hub_env(work, database_url, SPARQL_ENDPOINT_URL=endpoint)
                with hub_server(work, env, "hub-oxigraph") as url:
                    external = time_http(url, texts, args.repeats, sizes, args.warm_up_seconds)
                    external_floor = time_floor(url, args.repeats)
            print(
                "\n/sparql, p50 ms against the engine in this process (pyoxigraph running the query and "
                "writing the answer): overhead = /sparql p50 - engine ms"
            )
            print_mode(
                "/sparql local: the local store, the engine isolated in its own process",
                in_process,
                over_http,
                local_floor,
                ("engine process", isolated),
            )
            print_mode(
                "/sparql server: in front of an Oxigraph server on the same data",
                in_process,
                external,
                external_floor,
                ("server direct", direct),
            )
            if args.burst:
                print(
                    f"\nThe hub in front of an external server: {args.burst_clients} clients for "
                    f"{args.burst_seconds:g} s, the worked queries (not the published counts) in turn; load average "
                    f"{os.getloadavg()[0]:.2f}"
                )
                print(
                    f"{'server':<28} {'requests':>8} {'errors':>6} {'timeouts':>8} {'req/s':>7}"
                    f" {'p50 ms':>7} {'p95 ms':>7}"
                    f" {'threads before/peak/after':>19} {'RSS MB before/peak/after':>19}"
                )
                worked = {name: texts[name] for name in WORKED}
                selective = {name: text for name, text in worked.items() if name != "counts"}
                servers = [
                    ("oxigraph --timeout-s 10", lambda: oxigraph_server(work, nt_path, 10), worked),
                    ("fuseki (timeout 10 s)", lambda: fuseki_server(work, nt_path, 10), worked),
                    (
                        "fuseki, no whole-cube count",
                        lambda: fuseki_server(work, nt_path, 10),
                        selective,
                    ),
                ]
                for label, server, burst_texts in servers:
                    with server() as (endpoint, pid):
                        env = hub_env(work, database_url, SPARQL_ENDPOINT_URL=endpoint)
                        with hub_server(work, env, f"hub-{label.split()[0]}") as url:
                            row = burst_row(
                                label, url, pid, burst_texts, args.burst_clients, args.burst_seconds
                            )
                    print(row, flush=True)
        print(
            json.dumps(
                {
                    "in_process": in_process,
                    "isolated": isolated,
                    "http": over_http,
                    "external": external,
                    "server_direct": direct,
                }
            )
        )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
