"""Saved searches benchmark: one new item matched against many saved searches, on both backends.

    python -m search.benchmarks.saved_searches --size tiny  # a smoke test: 40 members, 1,000 searches
    python -m search.benchmarks.saved_searches              # 4,000 members, 100,000 saved searches

It creates its own database (``<DATABASE_URL name>_savedbench``, dropped at the end) and uses the
Elasticsearch at ``ELASTICSEARCH_URL`` (unset: it starts the local node from ``search.node``).
Members and saved searches are written with ``bulk_create``: 25 saved searches each, of one to
three words drawn from a local-government vocabulary, a fifth of them with a type filter. The new
item is a thread in an open community; a second, restricted community holds a thread only its
members may be told of.

Printed, per backend: the time to match the new items against every saved search
(``search.saved.matching.match``: the sieve and the search's own test per distinct query, then every
member's permissions at once) as saved searches matched per second, and against it, measured in the
same run, the baseline: asking each saved search's own search (the search page's, as its member)
directly which items it finds (timed on a sample, as it is far slower), with the ratio, how many of
the sampled saved searches were delivered exactly what their search finds, and the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time

from search.benchmarks.search_benchmark import WORDS, setup_django

SIZES = {
    "tiny": {"members": 40, "per_member": 25},
    "medium": {"members": 400, "per_member": 25},
    "full": {"members": 4_000, "per_member": 25},
}
BASELINE_SAMPLE = {"tiny": 200, "medium": 200, "full": 500}
TYPES = ["thread", "good_practice", "post"]


def build(size: dict, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model

    from communities.discussions.services.threads import do_start_thread
    from communities.models import CommunityIndexPage, Visibility
    from communities.people.services.communities import do_add_member, do_create_community
    from communities.people.services.profiles import do_create_member
    from hub.services.site import ensure_site_tree
    from search.models import SavedSearch

    ensure_site_tree()
    owner = do_create_member(
        email="owner@bench.example.gov.uk", password=None, display_name="Bench Owner"
    )
    index = CommunityIndexPage.objects.get()
    open_community = do_create_community(
        index=index,
        title="Waste and recycling",
        description="Open to all.",
        owner=owner,
        visibility=Visibility.OPEN,
    )
    restricted = do_create_community(
        index=index,
        title="Waste managers",
        description="For managers.",
        owner=owner,
        visibility=Visibility.RESTRICTED,
    )
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(username=f"m{i}@bench.example.gov.uk", email=f"m{i}@bench.example.gov.uk")
            for i in range(size["members"])
        ],
        batch_size=2000,
    )
    for user in users[: len(users) // 10]:  # a tenth are members of the restricted community
        do_add_member(restricted, user)
    thread = do_start_thread(
        community=open_community,
        author=owner,
        title="Food waste collection rounds and contamination",
        body="How do other councils keep food waste caddies clean on collection rounds?",
    )
    hidden_away = do_start_thread(
        community=restricted,
        author=owner,
        title="Food waste budget for the managers",
        body="Savings from food waste collection rounds.",
    )
    searches = []
    for user in users:
        for n in range(size["per_member"]):
            words = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
            filters = {"type": [rng.choice(TYPES)]} if rng.random() < 0.2 else {}
            searches.append(
                SavedSearch(
                    user=user, name=f"Search {n}", q=words, filters=filters, frequency="immediate"
                )
            )
    SavedSearch.objects.bulk_create(searches, batch_size=5000)
    return {"thread": thread, "restricted_thread": hidden_away, "searches": len(searches)}


def asked_directly(user, q: str, filters: dict, doc_ids: set[str]) -> set[str]:
    """Which of ``doc_ids`` the member's own search (the search page's) finds now."""
    from search.saved.matching import Query
    from search.services.searching import do_search

    results = do_search(user, Query.of(q, filters).params())
    return {hit.doc_id for hit in results.hits} & doc_ids


def run_backend(name: str, items: list, sample: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model

    from search.models import SavedSearch
    from search.saved.matching import match

    rows = list(SavedSearch.objects.values_list("pk", "user_id", "q", "filters"))
    match(rows[:50], items)  # warm-up: connections, caches, the node's JIT
    profile = cProfile.Profile() if os.environ.get("SAVED_BENCH_PROFILE") else None
    if profile is not None:
        profile.enable()
    started = time.perf_counter()
    found = match(
        SavedSearch.objects.filter(frequency="immediate").values_list(
            "pk", "user_id", "q", "filters"
        ),
        items,
    )
    seconds = time.perf_counter() - started
    if profile is not None:
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumtime").print_stats(25)
    # the baseline: each saved search's own search (the search page's) asked directly, one by one,
    # on a sample; it also checks that matching delivers exactly what those searches find
    chosen = rng.sample(rows, min(sample, len(rows)))
    users = get_user_model().objects.in_bulk({row[1] for row in chosen})
    doc_ids = {item.doc_id for item in items}
    started = time.perf_counter()
    direct = {sid: asked_directly(users[uid], q, f, doc_ids) for sid, uid, q, f in chosen}
    baseline_seconds = time.perf_counter() - started
    agree = sum(
        direct[sid] == {item.doc_id for item in found.get(sid, [])} for sid, _, _, _ in chosen
    )
    return {
        "name": name,
        "seconds": seconds,
        "rate": len(rows) / seconds,
        "matched": len(found),
        "baseline_rate": len(chosen) / baseline_seconds,
        "baseline_found": sum(bool(ids) for ids in direct.values()),
        "agree": agree,
        "sample": len(chosen),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    args = parser.parse_args()
    size = SIZES[args.size]
    setup_django("_savedbench")

    from django.conf import settings
    from django.db import connection

    from search.client import get_client
    from search.indexing import do_rebuild
    from search.node import Node
    from search.saved.matching import items_for

    node = None if os.environ["BENCH_ELASTICSEARCH_URL"] else Node()
    es_url = os.environ["BENCH_ELASTICSEARCH_URL"] or node.start()  # type: ignore[union-attr]
    original_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(2026)  # noqa: S311 - a fixed workload, not security
        started = time.monotonic()
        built = build(size, rng)
        build_seconds = time.monotonic() - started
        items = items_for("thread", [built["thread"].pk, built["restricted_thread"].pk])
        results = [run_backend("database", items, BASELINE_SAMPLE[args.size], rng)]
        settings.ELASTICSEARCH_URL = es_url
        settings.ELASTICSEARCH_INDEX_PREFIX = "savedbench"
        do_rebuild(chunk_size=1000, out=sys.stderr)
        results.insert(0, run_backend("elasticsearch", items, BASELINE_SAMPLE[args.size], rng))
        load = os.getloadavg()
        print(
            f"\nSaved searches benchmark ({args.size}: {built['searches']:,} saved searches of "
            f"{size['members']:,} members against 2 new threads, one open, one restricted; "
            f"written in {build_seconds:.0f}s; load average {load[0]:.1f} {load[1]:.1f} "
            f"{load[2]:.1f} on {os.cpu_count()} cores)\n"
        )
        print(
            "| backend | total time, s | saved searches matched per second | delivered to | "
            "baseline: each search asked directly, per second | ratio | sampled searches "
            "delivered exactly what they find |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in results:
            print(
                f"| {r['name']} | {r['seconds']:.2f} | {r['rate']:,.0f} | {r['matched']:,} "
                f"saved searches | {r['baseline_rate']:,.1f} ({r['sample']} sampled, "
                f"{r['baseline_found']} found) | {r['rate'] / r['baseline_rate']:,.0f}× faster | "
                f"{r['agree']} of {r['sample']} |"
            )
    finally:
        if settings.ELASTICSEARCH_URL:
            get_client().options(ignore_status=404).indices.delete(
                index="savedbench-content*", expand_wildcards="all"
            )
        connection.creation.destroy_test_db(original_name, verbosity=0)
        if node is not None:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
