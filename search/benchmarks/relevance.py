"""Relevance benchmark: the judged queries against the demo, on the database search and Elasticsearch.

    python -m search.benchmarks.relevance            # both backends, side by side
    python -m search.benchmarks.relevance --database-only
    python -m search.benchmarks.relevance --verbose  # each query's first five results
    python -m search.benchmarks.relevance --demo-template DATABASE  # a copy of a demo already loaded

It loads the demo into its own database (``<DATABASE_URL name>_relevance``, dropped at the end) and
uses the Elasticsearch at ``ELASTICSEARCH_URL`` (unset: it starts the local node from
``search.node``). Every query in ``judged_queries.toml`` runs as an anonymous visitor through the
real search functions; a query succeeds when one of its judged pages (by URL path) is in the first
five results (a query with no results is scored on its "did you mean" search, one click away
on the page). Printed: success@5 and nDCG@10 (binary judgements) per backend, and the queries
that missed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JUDGED = Path(__file__).with_name("judged_queries.toml")


@dataclass(frozen=True)
class Judged:
    query: str
    relevant: frozenset[str]
    kind: str


def load_judged(path: Path = JUDGED) -> list[Judged]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Judged(q["query"], frozenset(q["relevant"]), q.get("kind", "")) for q in data["query"]]


def _path(url: str) -> str:
    return url.split("#", 1)[0]


def success_at(ranked: list[str], relevant: frozenset[str], k: int = 5) -> float:
    return 1.0 if relevant & set(ranked[:k]) else 0.0


def ndcg_at(ranked: list[str], relevant: frozenset[str], k: int = 10) -> float:
    seen: set[str] = set()
    gains = []
    for url in ranked[:k]:  # a page found twice (a thread and its reply) counts once
        gains.append(1.0 if url in relevant and url not in seen else 0.0)
        seen.add(url)
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def evaluate(search: Any, judged: list[Judged]) -> tuple[float, float, list[tuple[Judged, list]]]:
    """(success@5, nDCG@10, per query (judgement, first ten paths)) for ``search(q) -> urls``."""
    rows = []
    for j in judged:
        rows.append((j, [_path(u) for u in search(j.query)][:10]))
    success = sum(success_at(r, j.relevant) for j, r in rows) / len(rows)
    ndcg = sum(ndcg_at(r, j.relevant) for j, r in rows) / len(rows)
    return success, ndcg, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-only", action="store_true", help="skip Elasticsearch")
    parser.add_argument("--verbose", action="store_true", help="print each query's results")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--demo-template",
        metavar="DATABASE",
        help="copy this database, which holds the demo already (as load_demo leaves it), instead of "
        "loading the demo (the test suite's prepared demo)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("RDF_STORE_PATH", tempfile.mkdtemp(prefix="relevance-rdf-"))
    from search.benchmarks.search_benchmark import setup_django

    setup_django("_relevance")
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the demo's emails

    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from hub.services.demo import load_demo
    from search.client import get_client
    from search.indexing import do_rebuild
    from search.node import Node
    from search.queries import parse_params, run_search
    from search.services.fallback import database_search, engine

    out = sys.stderr
    judged = load_judged()
    es_url = os.environ["BENCH_ELASTICSEARCH_URL"]
    node = None if es_url or args.database_only else Node()
    original_name = settings.DATABASES["default"]["NAME"]
    if args.demo_template:
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = args.demo_template
    # never read back whole (a test database's serialized copy), so not written
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    anonymous = AnonymousUser()

    def following_the_suggestion(search: Any) -> Any:
        """Results for ``q``; with none, those of its "did you mean" (one click away on the page)."""

        def urls(q: str) -> list[str]:
            results = search(anonymous, parse_params({"q": q}))
            if not results.hits and results.suggestion:
                results = search(anonymous, parse_params({"q": results.suggestion}))
            return [h.url for h in results.hits]

        return urls

    try:
        if args.demo_template:
            out.write(f"The demo copied from {args.demo_template}\n")
        else:
            out.write("Loading the demo …\n")
            load_demo(password=None)
        backends = {"database": following_the_suggestion(database_search)}
        if not args.database_only:
            settings.ELASTICSEARCH_URL = es_url or (node.start() if node else "")
            settings.ELASTICSEARCH_INDEX_PREFIX = "relevance"
            do_rebuild(chunk_size=500, out=out)
            backends["elasticsearch"] = following_the_suggestion(run_search)
        results = {name: evaluate(search, judged) for name, search in backends.items()}
        kinds = sorted({j.kind for j in judged if j.kind})
        print(f"\nRelevance on the demo ({len(judged)} judged queries, anonymous visitor)\n")
        print(f"Database search engine: {engine().NAME}\n")
        print("| measure | " + " | ".join(results) + " |")
        print("|---|" + "---|" * len(results))
        print("| success@5 | " + " | ".join(f"{r[0]:.2f}" for r in results.values()) + " |")
        print("| nDCG@10 | " + " | ".join(f"{r[1]:.2f}" for r in results.values()) + " |")
        print(f"\nQuery kinds: {', '.join(kinds)}")
        for name, (_, _, rows) in results.items():
            missed = [(j, r) for j, r in rows if not success_at(r, j.relevant)]
            print(f"\n{name}: {len(missed)} missed" + (":" if missed else ""))
            for j, r in missed if not args.verbose else rows:
                print(f"  {j.query!r}: wanted {sorted(j.relevant)}, got {r[:5]}")
    finally:
        if settings.ELASTICSEARCH_URL:
            get_client().options(ignore_status=404).indices.delete(
                index="relevance-content*", expand_wildcards="all"
            )
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=args.keep)
        if node is not None:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
