"""What self-contained downloads and conditional GET cost and save (a script, not a test).

    DATABASE_URL=... HUB_DATA_DIR=... python -m linkeddata.benchmarks.dump_benchmark [--repeats N]

Needs the shipped datasets imported (``manage.py import_benchmarks --shipped``). For each dataset it
builds the N-Triples download twice in the same run: the observations and slices alone (the baseline,
what the download held before) and the complete cube (data set, DCAT-AP description, structure, code
lists, then the same observations), and reports triples, gzip bytes and build time as ratios to the
baseline. Then, through Django's test client (no network), it fetches the download with and without a
matching ``If-None-Match`` and reports the bytes and time of a 304 as ratios to the full 200. The load
average is printed with the figures, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    django.setup()
    from django.test import Client

    from linkeddata.models import Dataset
    from linkeddata.services.graphs import observations_graph
    from linkeddata.services.publish import (
        dataset_ntriples,
        do_publish_dataset,
        measure_record,
        observation_records,
    )
    from linkeddata.uris import Uris

    uris = Uris.default()
    print(f"load average at start: {os.getloadavg()}")
    for dataset in Dataset.objects.select_related("measure"):

        def baseline(dataset: Dataset = dataset) -> bytes:
            graph = observations_graph(
                uris,
                dataset.slug,
                measure_record(dataset),
                observation_records(dataset.observations.all()),
            )
            return graph.serialize(format="nt", encoding="utf-8")

        def complete(dataset: Dataset = dataset) -> bytes:
            data = b"".join(dataset_ntriples(uris, dataset))
            return b"".join(dict.fromkeys(data.splitlines(keepends=True)))

        timings: dict[str, list[float]] = {"baseline": [], "complete": []}
        bodies: dict[str, bytes] = {}
        for _ in range(args.repeats):
            for name, build in (("baseline", baseline), ("complete", complete)):
                started = time.perf_counter()
                bodies[name] = build()
                timings[name].append(time.perf_counter() - started)
        triples = {name: body.count(b"\n") for name, body in bodies.items()}
        sizes = {name: len(gzip.compress(body, 6)) for name, body in bodies.items()}
        build = {name: statistics.median(times) for name, times in timings.items()}
        print(
            f"{dataset.slug}: triples {triples['baseline']} -> {triples['complete']} "
            f"(x{triples['complete'] / triples['baseline']:.3f}); gzip bytes {sizes['baseline']} -> "
            f"{sizes['complete']} (x{sizes['complete'] / sizes['baseline']:.3f}); build p50 "
            f"{build['baseline']:.3f}s -> {build['complete']:.3f}s "
            f"(x{build['complete'] / build['baseline']:.2f})"
        )

        do_publish_dataset(dataset)
        client = Client(SERVER_NAME="localhost")
        path = f"/data/{dataset.slug}.nt.gz"
        full: list[float] = []
        revalidated: list[float] = []
        etag, full_bytes, not_modified_bytes = "", 0, 0
        for _ in range(args.repeats * 4):
            started = time.perf_counter()
            response = client.get(path)
            full_bytes = len(b"".join(response.streaming_content))
            full.append(time.perf_counter() - started)
            etag = response["ETag"]
            started = time.perf_counter()
            response = client.get(path, HTTP_IF_NONE_MATCH=etag)
            if response.status_code != 304:
                raise SystemExit(f"expected 304 for a matching ETag, got {response.status_code}")
            not_modified_bytes = len(response.content)
            revalidated.append(time.perf_counter() - started)
        print(
            f"  GET {path}: 200 {full_bytes} bytes p50 {statistics.median(full) * 1000:.1f} ms; "
            f"304 {not_modified_bytes} bytes p50 {statistics.median(revalidated) * 1000:.1f} ms "
            f"(time x{statistics.median(revalidated) / statistics.median(full):.2f})"
        )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
