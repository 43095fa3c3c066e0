"""Benchmark of the linked-data store (a script, not a test).

    DATABASE_URL=... python -m linkeddata.benchmarks.cube_benchmark [--quick] [--rdflib-repeats N]

1. Imports the real datasets into a throw-away test database and publishes them (target < 30 s), then
   times an area's Turtle document (target < 50 ms).
2. Generates a cube of 400 areas x 50 measures x 15 periods (300,000 observations; --quick: 40 x 10 x 5)
   with the hub's own graph builders, adds the real data, and writes it all as N-Triples.
3. In a separate process per store (so memory figures are not mixed), loads it into the chosen store
   (Oxigraph through oxrdflib, loaded with Oxigraph's bulk loader) and into rdflib's in-memory store,
   and, to show the engine's ceiling, into Oxigraph queried directly through pyoxigraph (no rdflib), on
   disk and in memory; then runs five analyst queries (selective pattern first; the series and similar-councils queries read
   the areas' series slices) and reports p50/p95 of running each query and reading its answer. For
   comparison it also runs the series and similar-councils questions against the observations alone.
The answers must match between the stores; the report gives every figure as a ratio to rdflib.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE = "http://127.0.0.1:8000"
QB = "http://purl.org/linked-data/cube#"
DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# -- the five analyst queries, written selective-first ---------------------------------------------


def queries(
    area: str, measure: str, period_slice: str, series_slice: str, observation: str
) -> dict[str, str]:
    """The five queries. The series and the similar councils read the areas' series slices (one area,
    every period, of one dataset), whose URIs follow the documented template ``/id/slice/{dataset}/area/{GSS}``
    (``?series sdmx-dimension:refArea ?other`` both checks the slice and makes Oxigraph bind the slice
    before reading its observations). The sort keys are short strings (the GSS code, the period's label)
    that Oxigraph compares inline, where sorting by IRIs looks each term up in its dictionary per comparison."""
    series_base = series_slice.rsplit("/", 1)[0] + "/"
    return {
        "series": f"""PREFIX d: <{DIM}> PREFIX qb: <{QB}>
            SELECT ?period ?value WHERE {{ <{series_slice}> qb:observation ?obs . ?obs <{measure}> ?value ; d:refPeriod ?period . }}
            ORDER BY ?period""",
        "ranking": f"""PREFIX d: <{DIM}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX qb: <{QB}>
            SELECT ?area ?name ?value WHERE {{ <{period_slice}> qb:observation ?obs . ?obs <{measure}> ?value ; d:refArea ?area .
            ?area skos:prefLabel ?name . }} ORDER BY DESC(?value) ?area""",
        "similar": f"""PREFIX d: <{DIM}> PREFIX hub: <https://w3id.org/localgov-knowledge-hub/def#> PREFIX qb: <{QB}>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?other ?period ?value WHERE {{ <{area}> hub:similarArea ?other . ?other skos:notation ?code .
            BIND(IRI(CONCAT("{series_base}", ?code)) AS ?series)
            ?series d:refArea ?other ; qb:observation ?obs . ?obs <{measure}> ?value ; d:refPeriod ?period .
            ?period rdfs:label ?year . }} ORDER BY ?code ?year""",
        # The same two questions answered from the observations alone (no series slices), for comparison.
        "series, observations only": f"""PREFIX d: <{DIM}>
            SELECT ?period ?value WHERE {{ ?obs d:refArea <{area}> ; <{measure}> ?value ; d:refPeriod ?period . }} ORDER BY ?period""",
        "similar, observations only": f"""PREFIX d: <{DIM}> PREFIX hub: <https://w3id.org/localgov-knowledge-hub/def#>
            SELECT ?other ?period ?value WHERE {{ <{area}> hub:similarArea ?other .
            ?obs d:refArea ?other ; <{measure}> ?value ; d:refPeriod ?period . }} ORDER BY ?other ?period""",
        "counts": f"""PREFIX qb: <{QB}>
            SELECT ?measure (COUNT(?obs) AS ?n) WHERE {{ ?ds qb:structure/qb:component/qb:measure ?measure .
            ?obs qb:dataSet ?ds . }} GROUP BY ?measure ORDER BY ?measure""",
        "describe": f"DESCRIBE <{observation}>",
    }


def answer(result) -> tuple[str, list]:
    """Everything a query answered, read into Python terms (what a client does; timed)."""
    if result.type in {"CONSTRUCT", "DESCRIBE"}:
        return result.type, list(result.graph)
    return result.type, list(result)


def native_answer(result) -> tuple[str, list]:
    """The same from pyoxigraph's own results (its terms, no rdflib)."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        return "DESCRIBE", [(t.subject, t.predicate, t.object) for t in result]
    return "SELECT", [tuple(solution) for solution in result]


def _nt(term) -> str:
    """A term in N-Triples syntax, from rdflib (``n3()``) or pyoxigraph (``str()``)."""
    if term is None:
        return ""
    return term.n3() if hasattr(term, "n3") else str(term)


def answer_digest(kind: str, items: list) -> tuple[str, int]:
    """A store-independent fingerprint of an answer: sorted N-Triples or sorted rows (not timed)."""
    separator = " " if kind in {"CONSTRUCT", "DESCRIBE"} else "\t"
    lines = sorted(separator.join(_nt(term) for term in row) for row in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16], len(lines)


def run_store_phase(store_name: str, nt_path: str, query_file: str, repeats: int) -> dict:
    """Load the N-Triples into one store, then time the queries (runs in its own process)."""
    import pyoxigraph as ox
    from rdflib import Dataset, Graph

    before = rss_mb()
    started = time.perf_counter()
    directory = None
    run, read = (lambda text: graph.query(text)), answer
    if store_name.startswith("oxigraph"):
        from oxrdflib import OxigraphStore

        directory = (
            None if store_name == "oxigraph-memory" else tempfile.mkdtemp(prefix="bench-oxigraph-")
        )
        native = ox.Store(directory)
        native.bulk_load(path=nt_path, format=ox.RdfFormat.N_TRIPLES)
        if directory:
            native.optimize()
        graph = Dataset(store=OxigraphStore(store=native), default_union=True)
        if store_name != "oxigraph":
            run, read = (
                (lambda text: native.query(text, use_default_graph_as_union=True)),
                native_answer,
            )
    else:
        graph = Graph()
        graph.parse(nt_path, format="nt")
    load_seconds = time.perf_counter() - started
    memory = rss_mb() - before
    timings, answers = {}, {}
    for name, text in json.loads(Path(query_file).read_text()).items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            kind, items = read(run(text))
            times.append((time.perf_counter() - started) * 1000)
            digest = answer_digest(kind, items)
        timings[name] = {
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "runs": repeats,
        }
        answers[name] = digest
    if directory:
        del graph, native
        shutil.rmtree(directory, ignore_errors=True)
    return {
        "store": store_name,
        "load_seconds": load_seconds,
        "memory_mb": memory,
        "timings": timings,
        "answers": answers,
    }


# -- the generated cube ------------------------------------------------------------------------------


def write_generated_cube(handle, areas: int, measures: int, periods: int) -> dict[str, str]:
    """Write a synthetic cube with the hub's graph builders; returns sample URIs for the queries."""
    import random
    from datetime import UTC, datetime

    from linkeddata.services.graphs import (
        AreaRecord,
        DatasetRecord,
        MeasureRecord,
        ObservationRecord,
        area_graph,
        dataset_graph,
        observations_graph,
        period_graph,
    )
    from linkeddata.uris import Uris

    uris = Uris(BASE)
    rng = random.Random(2026)  # noqa: S311 - synthetic figures
    codes = [f"E99{n:06d}" for n in range(1, areas + 1)]
    years = [str(2010 + n) for n in range(periods)]
    area_records = [
        AreaRecord(
            code,
            f"Generated Council {n}",
            f"Generated {n}",
            "Unitary authority",
            "Benchmark region",
            "England",
            True,
            similar=tuple(rng.sample([c for c in codes if c != code], min(15, areas - 1))),
        )
        for n, code in enumerate(codes, start=1)
    ]
    handle.write(area_graph(uris, area_records).serialize(format="nt", encoding="utf-8"))
    handle.write(period_graph(years).serialize(format="nt", encoding="utf-8"))
    for m in range(1, measures + 1):
        measure = MeasureRecord(
            f"generated-measure-{m:02d}",
            f"Generated measure {m}",
            "Synthetic figures.",
            "index",
            m % 2 == 0,
            "Benchmark",
            "https://example.org/benchmark",
            "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        )
        dataset = DatasetRecord(
            measure.slug,
            measure.label,
            "Synthetic.",
            measure,
            "Synthetic.",
            datetime(2026, 1, 1, tzinfo=UTC),
            areas * periods,
        )
        handle.write(dataset_graph(uris, dataset).serialize(format="nt", encoding="utf-8"))
        records = [
            ObservationRecord(code, year, Decimal(rng.randint(0, 100000)) / 100)
            for code in codes
            for year in years
        ]
        for start in range(0, len(records), 20000):
            chunk = observations_graph(uris, measure.slug, measure, records[start : start + 20000])
            handle.write(chunk.serialize(format="nt", encoding="utf-8"))
    area, measure, period = codes[0], "generated-measure-01", years[-1]
    return {
        "area": str(uris.area(area)),
        "measure": str(uris.measure(measure)),
        "period": str(uris.period_slice(measure, period)),
        "series": str(uris.area_slice(measure, area)),
        "observation": str(uris.observation(measure, area, period)),
    }


# -- the real data through the hub's own import, in a throw-away database ----------------------------


def real_data_phase(work: Path) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    os.environ.setdefault("RDF_STORE_PATH", str(work / "hub-rdf"))
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    settings.RDF_STORE_PATH = work / "hub-rdf"
    settings.ALLOWED_HOSTS = ["*"]
    settings.LINKED_DATA_BASE_URI = BASE
    database = settings.DATABASES["default"]
    # Its own throw-away database, so it never collides with a test run using the same server.
    database.setdefault("TEST", {})["NAME"] = f"{Path(str(database['NAME'])).stem}_cube_benchmark"
    print("Creating a throw-away database for the real-data import …", flush=True)
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from linkeddata.models import Observation
        from linkeddata.services.publish import dump_path
        from linkeddata.services.shipped import do_import_shipped

        started = time.perf_counter()
        do_import_shipped()
        import_seconds = time.perf_counter() - started
        from django.core.cache import cache

        client = Client()
        client.get("/doc/area/E08000035.ttl")  # warm up
        times, cold = [], []
        for _ in range(30):
            cache.clear()
            started = time.perf_counter()
            response = client.get("/doc/area/E08000035.ttl")
            cold.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200  # noqa: S101 - a broken page would make the figure meaningless
            started = time.perf_counter()
            client.get("/doc/area/E08000035.ttl")
            times.append((time.perf_counter() - started) * 1000)
        count = Observation.objects.count()
        real_nt = work / "real.nt"
        with real_nt.open("wb") as handle:
            from linkeddata.models import Dataset

            for dataset in Dataset.objects.all():
                handle.write(gzip.decompress(dump_path(dataset.slug, "nt.gz").read_bytes()))
            from linkeddata.services.graphs import area_graph, catalogue_graph
            from linkeddata.services.publish import area_records, catalogue
            from linkeddata.uris import Uris

            handle.write(
                area_graph(Uris(BASE), area_records()).serialize(format="nt", encoding="utf-8")
            )
            handle.write(
                catalogue_graph(Uris(BASE), catalogue()).serialize(format="nt", encoding="utf-8")
            )
    finally:
        teardown_databases(old, verbosity=0)
    return {
        "import_seconds": import_seconds,
        "observations": count,
        "turtle_p50": percentile(times, 0.5),
        "turtle_p95": percentile(times, 0.95),
        "turtle_cold_p50": percentile(cold, 0.5),
        "turtle_cold_p95": percentile(cold, 0.95),
        "real_nt": str(real_nt),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="40 areas x 10 measures x 5 periods")
    parser.add_argument(
        "--repeats", type=int, default=20, help="runs of each query on the chosen store"
    )
    parser.add_argument(
        "--rdflib-repeats", type=int, default=3, help="runs of each query on rdflib's memory store"
    )
    parser.add_argument(
        "--skip-real-data", action="store_true", help="no database: generated cube only"
    )
    parser.add_argument(
        "--no-ceiling",
        action="store_true",
        help="skip Oxigraph queried without rdflib (on disk, in memory)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--nt", help=argparse.SUPPRESS)
    parser.add_argument("--queries", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(run_store_phase(args.phase, args.nt, args.queries, args.repeats)))
        return

    sizes = (40, 10, 5) if args.quick else (400, 50, 15)
    work = Path(tempfile.mkdtemp(prefix="hub-cube-benchmark-"))
    real = None if args.skip_real_data else real_data_phase(work)
    if real:
        print(
            f"Real data: {real['observations']} observations imported and published in {real['import_seconds']:.1f} s",
            flush=True,
        )

    print(
        f"Generating {sizes[0]} areas x {sizes[1]} measures x {sizes[2]} periods = {sizes[0] * sizes[1] * sizes[2]:,} observations …",
        flush=True,
    )
    nt_path = work / "cube.nt"
    started = time.perf_counter()
    with nt_path.open("wb") as handle:
        sample = write_generated_cube(handle, *sizes)
        if real:
            handle.write(Path(real["real_nt"]).read_bytes())
    with nt_path.open("rb") as handle:
        triples = sum(1 for _ in handle)
    print(f"  {triples:,} triples written in {time.perf_counter() - started:.1f} s", flush=True)
    query_file = work / "queries.json"
    query_file.write_text(
        json.dumps(
            queries(
                sample["area"],
                sample["measure"],
                sample["period"],
                sample["series"],
                sample["observation"],
            )
        )
    )

    results = {}
    stores = [("oxigraph", args.repeats), ("rdflib-memory", args.rdflib_repeats)]
    if not args.no_ceiling:
        stores += [("oxigraph-native", args.repeats), ("oxigraph-memory", args.repeats)]
    for store, repeats in stores:
        print(f"Loading and querying {store} …", flush=True)
        output = subprocess.run(  # noqa: S603 - this same script, in a child process
            [
                sys.executable,
                "-m",
                "linkeddata.benchmarks.cube_benchmark",
                "--phase",
                store,
                "--nt",
                str(nt_path),
                "--queries",
                str(query_file),
                "--repeats",
                str(repeats),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results[store] = json.loads(output.stdout.strip().splitlines()[-1])

    shutil.rmtree(work, ignore_errors=True)
    report(results, real, triples, sizes)


def report(results: dict, real: dict | None, triples: int, sizes: tuple[int, int, int]) -> None:
    ox, mem = results["oxigraph"], results["rdflib-memory"]
    ceiling = [results[name] for name in ("oxigraph-native", "oxigraph-memory") if name in results]
    extra_head = "".join(
        f" | {label} (ratio)"
        for label in ("Oxigraph alone, on disk", "Oxigraph alone, in memory")[: len(ceiling)]
    )
    print()
    print(
        f"Cube: {sizes[0] * sizes[1] * sizes[2]:,} generated observations{' + real data' if real else ''}; {triples:,} triples"
    )
    print(
        f"| figure | Oxigraph (oxrdflib), the hub's store | rdflib in-memory | ratio (rdflib / Oxigraph){extra_head} | target |"
    )
    print("|---|---|---|---|" + "---|" * len(ceiling) + "---|")

    def extra(fn) -> str:
        return "".join(f" | {fn(result)}" for result in ceiling)

    load = extra(lambda result: format(result["load_seconds"], ".1f") + " s")
    memory = extra(lambda result: format(result["memory_mb"], ".0f") + " MB")
    print(
        f"| load | {ox['load_seconds']:.1f} s | {mem['load_seconds']:.1f} s | {mem['load_seconds'] / ox['load_seconds']:.1f}x{load} | |"
    )
    print(
        f"| memory (RSS growth) | {ox['memory_mb']:.0f} MB | {mem['memory_mb']:.0f} MB | "
        f"{mem['memory_mb'] / max(ox['memory_mb'], 1):.1f}x{memory} | store < 1 GB |"
    )
    targets = {
        "series": "p50 ≤ 20 ms, ≥ 100x",
        "ranking": "p50 ≤ 20 ms, ≥ 100x",
        "similar": "p50 ≤ 20 ms, ≥ 100x",
        "counts": "p50 ≤ 300 ms",
        "describe": "p50 ≤ 20 ms",
        "series, observations only": "(comparison)",
        "similar, observations only": "(comparison)",
    }
    mismatches = []
    for name, target in targets.items():
        a, b = ox["timings"][name], mem["timings"][name]
        if any(result["answers"][name] != mem["answers"][name] for result in [ox, *ceiling]):
            mismatches.append(name)

        def cell(result, name=name, b=b) -> str:
            p50 = result["timings"][name]["p50"]
            return f"{p50:.2f} ms ({b['p50'] / max(p50, 0.001):.0f}x)"

        print(
            f"| {name} p50 / p95 ({ox['answers'][name][1]} rows) | {a['p50']:.1f} / {a['p95']:.1f} ms | "
            f"{b['p50']:.0f} / {b['p95']:.0f} ms | {b['p50'] / max(a['p50'], 0.001):.0f}x{extra(cell)} | "
            f"{target}{' — ANSWERS DIFFER' if name in mismatches else ''} |"
        )
    if real:
        blank = " |" * (2 + len(ceiling))
        print(
            f"| real data import + publish ({real['observations']:,} observations) | {real['import_seconds']:.1f} s |{blank} < 30 s |"
        )
        print(
            f"| area Turtle document p50 / p95, built (cache empty) | {real['turtle_cold_p50']:.1f} / {real['turtle_cold_p95']:.1f} ms |{blank} < 50 ms |"
        )
        print(
            f"| area Turtle document p50 / p95, cached | {real['turtle_p50']:.1f} / {real['turtle_p95']:.1f} ms |{blank} < 50 ms |"
        )
    print()
    print(
        "Answers match between the stores."
        if not mismatches
        else f"ANSWERS DIFFER for: {', '.join(mismatches)}"
    )
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
