"""Search benchmark: Elasticsearch against the database fallback, on the same corpus, in the same run.

    python -m search.benchmarks.search_benchmark --size tiny  # a smoke test: 10 / 200 / 500, 20 queries
    python -m search.benchmarks.search_benchmark --quick      # 50 communities, 2,000 members, 10,000 posts
    python -m search.benchmarks.search_benchmark --size medium  # 500 / 20,000 / 70,000 (about 100,000 documents)
    python -m search.benchmarks.search_benchmark              # the old CoP's scale: 1,300 / 60,000 / 250,000
    python -m search.benchmarks.search_benchmark --size 10x   # 13,000 / 600,000 / 2,500,000 (a dedicated machine)
    … --size 10x --keep, then --size 10x --reuse --rebuilds 1 --database-queries 20  # the corpus written once
    … --size 10x --reuse --keep --rebuilds 0  # the index kept too: a change to the queries, measured at once

It creates its own database (``<DATABASE_URL name>_bench``, dropped at the end unless ``--keep``) and
uses the Elasticsearch at ``ELASTICSEARCH_URL`` (unset: it starts the local node from ``search.node`` on
``HUB_ELASTICSEARCH_PORT`` and stops it at the end, so pick a port no test run is using).

The corpus is written with ``bulk_create`` and batched ``executemany`` straight into the tables
(pages get their tree paths computed here), because creating 275,000 objects through the services,
one transaction each, would take hours; the searches then run through the real code paths (the
database search needs no index of its own).

Printed: bulk indexing in documents per second (the second of two rebuilds: the first warms up
the newly started node, and is printed too), then p50/p95 of a fixed mix of 200 searches for
Elasticsearch (beside the engine's own ``took``) and for the database fallback, and the ratio
between them; and autocomplete p95, with the load average at the end. Then the same searches and
prefixes as whole pages through the hub (Django's test client, in-process: ``/search/`` and
``/search/autocomplete/``), each beside Elasticsearch's ``took`` for that same request (the page's
``Server-Timing``, so nothing is asked twice): p50/p95 of both, their ratio, the overhead (page − took)
and whether ``page ≤ 1.3 × took + 5 ms`` holds.
Each query runs once untimed on both (a warm-up: the node has just started), then the timed pass
runs every query on Elasticsearch and at once on the database, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import timedelta

SIZES = {
    "tiny": {"communities": 10, "members": 200, "threads": 100, "posts": 500},
    "quick": {"communities": 50, "members": 2_000, "threads": 1_000, "posts": 10_000},
    "medium": {"communities": 500, "members": 20_000, "threads": 10_000, "posts": 70_000},
    "full": {"communities": 1_300, "members": 60_000, "threads": 25_000, "posts": 250_000},
    # ten times the old CoP (written with bulk inserts; hours of work for a dedicated machine)
    "10x": {"communities": 13_000, "members": 600_000, "threads": 250_000, "posts": 2_500_000},
}
WORDS = [
    "waste",
    "recycling",
    "contamination",
    "caddies",
    "food",
    "collection",
    "rounds",
    "budget",
    "savings",
    "housing",
    "homelessness",
    "temporary",
    "accommodation",
    "allocations",
    "tenancy",
    "repairs",
    "damp",
    "mould",
    "retrofit",
    "insulation",
    "heat",
    "pumps",
    "net",
    "zero",
    "emissions",
    "fleet",
    "transport",
    "buses",
    "parking",
    "active",
    "travel",
    "planning",
    "viability",
    "developer",
    "contributions",
    "adult",
    "social",
    "care",
    "home",
    "care",
    "commissioning",
    "market",
    "shaping",
    "safeguarding",
    "children",
    "education",
    "inclusion",
    "tribunal",
    "transport",
    "council",
    "tax",
    "benefits",
    "arrears",
    "collection",
    "libraries",
    "leisure",
    "parks",
    "cemeteries",
    "licensing",
    "taxi",
    "highways",
    "potholes",
    "lighting",
    "flooding",
    "drainage",
    "data",
    "dashboards",
    "benchmarking",
    "procurement",
    "contracts",
    "suppliers",
    "digital",
    "service",
    "design",
    "customer",
    "contact",
    "complaints",
    "consultation",
    "elections",
    "audit",
    "risk",
]
ACRONYMS = ["ASB", "SEND", "EHCP", "DFG", "CIL", "s106", "LTP", "HRA", "DoLS", "MASH"]
PHRASES = [
    "anti-social behaviour",
    "disabled facilities grant",
    "local transport plan",
    "council tax",
    "temporary accommodation",
    "food waste",
    "heat pumps",
    "developer contributions",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(ACRONYMS + PHRASES))
    return " ".join(words).capitalize() + "."


def setup_django(database_suffix: str = "_bench") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    os.environ.setdefault("DEBUG", "false")  # no query log filling memory
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    es_url = os.environ.pop(
        "ELASTICSEARCH_URL", ""
    )  # off while the corpus is written (no signals fire anyway)
    os.environ["BENCH_ELASTICSEARCH_URL"] = es_url
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = database["NAME"] + database_suffix


def build_corpus(size: dict, rng: random.Random, out) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from communities.models import (
        CommunityIndexPage,
        CommunityPage,
        Membership,
        Post,
        Profile,
        ThreadPage,
    )
    from hub.services.site import ensure_site_tree
    from linkeddata.models import Area
    from linkeddata.services.areas import do_import_areas
    from search.progress import Progress

    do_import_areas()
    ensure_site_tree()
    councils = list(Area.objects.councils())
    index = CommunityIndexPage.objects.get()
    locale = Locale.get_default()
    now = timezone.now()
    User = get_user_model()
    progress = Progress(
        "corpus",
        size["members"] * 2 + size["communities"] + size["threads"] + size["posts"],
        out=out,
    )

    def batched(items, n=5000):
        for i in range(0, len(items), n):
            yield items[i : i + n]

    with transaction.atomic():
        users = [
            User(
                username=f"bench{i}@example.gov.uk",
                email=f"bench{i}@example.gov.uk",
                password="!",  # noqa: S106 - unusable
                first_name="Bench",
                last_name=str(i),
            )
            for i in range(size["members"])
        ]
        for chunk in batched(users):
            User.objects.bulk_create(chunk)
            progress.advance(len(chunk))
        user_ids = list(
            User.objects.filter(username__startswith="bench").values_list("pk", flat=True)
        )
        visibilities = ["public", "members", "members", "private"]
        profiles = [
            Profile(
                user_id=uid,
                display_name=f"Officer {uid}",
                job_title=rng.choice(WORDS).title() + " lead",
                council=rng.choice(councils),
                bio=sentence(rng, 12),
                visibility=rng.choice(visibilities),
            )
            for uid in user_ids
        ]
        for chunk in batched(profiles):
            Profile.objects.bulk_create(chunk)
            progress.advance(len(chunk))

        def pages(model, parent, specs):
            """Page rows (tree paths computed here) then the model's own rows; returns the new pks."""
            ct = ContentType.objects.get_for_model(model)
            start = parent.numchild
            base = []
            for offset, spec in enumerate(specs):
                step = _step(start + offset + 1)
                slug = spec["slug"]
                base.append(
                    Page(
                        path=parent.path + step,
                        depth=parent.depth + 1,
                        numchild=0,
                        translation_key=uuid.uuid4(),
                        locale=locale,
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=spec["date"],
                        last_published_at=spec["date"],
                        title=spec["title"],
                        draft_title=spec["title"],
                        slug=slug,
                        content_type=ct,
                        url_path=f"{parent.url_path}{slug}/",
                    )
                )
            created = Page.objects.bulk_create(base)
            Page.objects.filter(pk=parent.pk).update(numchild=start + len(specs))
            parent.numchild = start + len(specs)
            table = model._meta.db_table
            columns = list(specs[0]["row"])
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (page_ptr_id, {', '.join(columns)}) VALUES (%s{', %s' * len(columns)})",  # noqa: S608
                    [
                        (page.pk, *spec["row"].values())
                        for page, spec in zip(created, specs, strict=True)
                    ],
                )
            return [p.pk for p in created]

        community_specs = []
        for i in range(size["communities"]):
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} network {i}"
            visibility = rng.choices(["open", "restricted", "private"], weights=[7, 2, 1])[0]
            community_specs.append(
                {
                    "title": title,
                    "slug": f"community-{i}",
                    "date": now - timedelta(days=rng.randrange(2000)),
                    "row": {"description": sentence(rng, 20), "visibility": visibility},
                }
            )
        community_ids = pages(CommunityPage, index, community_specs)
        progress.advance(len(community_ids))
        memberships = []
        for uid in user_ids:
            for cid in rng.sample(community_ids, k=min(len(community_ids), rng.randint(1, 3))):
                memberships.append(
                    Membership(community_id=cid, user_id=uid, role="member", status="active")
                )
        for chunk in batched(memberships):
            Membership.objects.bulk_create(chunk)

        communities = {c.pk: c for c in CommunityPage.objects.filter(pk__in=community_ids)}
        per_community: dict[int, list] = {}
        for i in range(size["threads"]):
            per_community.setdefault(rng.choice(community_ids), []).append(i)
        thread_ids = []
        for cid, numbers in per_community.items():
            specs = []
            for i in numbers:
                when = now - timedelta(days=rng.randrange(1500))
                title = sentence(rng, rng.randint(4, 9)).rstrip(".")
                specs.append(
                    {
                        "title": title,
                        "slug": f"thread-{i}",
                        "date": when,
                        "row": {
                            "body": (
                                body := " ".join(
                                    sentence(rng, rng.randint(10, 25))
                                    for _ in range(rng.randint(2, 5))
                                )
                            ),
                            "body_html": f"<p>{body}</p>",  # plain sentences: their Markdown
                            "author_id": rng.choice(user_ids),
                            "last_activity_at": when,
                            "reply_count": 0,
                            "community_id": cid,
                            "accepted_post_id": None,
                            "is_locked": False,
                            "is_pinned": False,
                        },
                    }
                )
            thread_ids += pages(ThreadPage, communities[cid], specs)
            progress.advance(len(specs))
        posts = [
            Post(
                thread_id=rng.choice(thread_ids),
                author_id=rng.choice(user_ids),
                body=(
                    body := " ".join(
                        sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(1, 3))
                    )
                ),
                body_html=f"<p>{body}</p>",
                created_at=now - timedelta(days=rng.randrange(1500)),
            )
            for _ in range(size["posts"])
        ]
        for chunk in batched(posts):
            Post.objects.bulk_create(chunk)
            progress.advance(len(chunk))
    return {"users": user_ids, "communities": community_ids, "threads": thread_ids}


def existing_corpus(size: dict) -> dict | None:
    """The corpus already in the benchmark's database (``--reuse``), if it has this size's counts."""
    from django.contrib.auth import get_user_model

    from communities.models import CommunityPage, Post, ThreadPage

    corpus = {
        "users": list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)),
        "communities": list(CommunityPage.objects.order_by("pk").values_list("pk", flat=True)),
        "threads": list(ThreadPage.objects.order_by("pk").values_list("pk", flat=True)),
    }
    counts = (len(corpus["communities"]), len(corpus["threads"]), Post.objects.count())
    wanted = (size["communities"], size["threads"], size["posts"])
    return corpus if counts == wanted and len(corpus["users"]) >= size["members"] else None


def _step(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    while n:
        n, r = divmod(n, 36)
        digits = alphabet[r] + digits
    return digits.rjust(4, "0")


QUERIES = {"tiny": 20, "quick": 200, "medium": 200, "full": 200, "10x": 200}


def query_mix(rng: random.Random, n: int = 200) -> list[str]:
    queries = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            queries.append(rng.choice(WORDS))
        elif kind == 1:
            queries.append(f"{rng.choice(WORDS)} {rng.choice(WORDS)}")
        elif kind == 2:
            queries.append(rng.choice(ACRONYMS))
        elif kind == 3:
            queries.append(f'"{rng.choice(PHRASES)}"')
        else:
            word = rng.choice([w for w in WORDS if len(w) > 6])
            queries.append(word[:3] + word[4:])  # a misspelling
    return queries


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a small corpus for a quick run (--size quick)"
    )
    parser.add_argument(
        "--size", choices=sorted(SIZES), default="full", help="corpus size (default: full)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark database afterwards"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the corpus a --keep run left in the benchmark database, if it has this size",
    )
    parser.add_argument(
        "--rebuilds",
        type=int,
        choices=(0, 1, 2),
        default=2,
        help="index rebuilds: the second is timed on a warm node (default 2); 1 at --size 10x; 0 with "
        "--reuse: search the index a --keep run left",
    )
    parser.add_argument(
        "--database-queries",
        type=int,
        default=0,
        help="time the database fallback on the first N searches only (default: all of them)",
    )
    args = parser.parse_args(argv)
    label = "quick" if args.quick else args.size
    size = SIZES[label]
    setup_django()

    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import override_settings

    from search.client import alias_name, get_client
    from search.indexing import do_rebuild
    from search.node import Node
    from search.queries import autocomplete, run_search
    from search.services.fallback import database_search

    out = sys.stderr
    node = None if os.environ["BENCH_ELASTICSEARCH_URL"] else Node()
    es_url = os.environ["BENCH_ELASTICSEARCH_URL"] or node.start()
    original_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.reuse, serialize=False
    )
    try:
        rng = random.Random(2026)  # noqa: S311 - a fixed corpus, not security
        started = time.monotonic()
        corpus = existing_corpus(size) if args.reuse else None
        reused = corpus is not None
        if corpus is None:
            corpus = build_corpus(size, rng, out)
        corpus_seconds = time.monotonic() - started
        rng = random.Random(2026)  # noqa: S311 - the readers and searches: the same, reused or not

        settings.ELASTICSEARCH_URL = es_url
        settings.ELASTICSEARCH_INDEX_PREFIX = "bench"
        # the first rebuild runs on a node just started (its JIT still cold); the second is timed
        rebuilds = [do_rebuild(chunk_size=1000, out=out) for _ in range(args.rebuilds)]
        if rebuilds:
            cold, rebuild = rebuilds[0], rebuilds[-1]
            docs_per_second = rebuild.documents / rebuild.seconds
            indexing = (
                f"{docs_per_second:,.0f} ({rebuild.documents:,} docs in {rebuild.seconds:.1f}s: "
                f"{rebuild.read_seconds:.1f}s reading the database, {rebuild.write_seconds:.1f}s more "
                f"waiting for Elasticsearch, {rebuild.merge_seconds:.1f}s merging its segments"
                + (
                    f"; first rebuild on the cold node: {cold.documents / cold.seconds:,.0f}/s)"
                    if len(rebuilds) > 1
                    else "; one rebuild, on the node just started)"
                )
            )
        else:  # --rebuilds 0: the index an earlier --keep run left, with this corpus
            documents = get_client().options(ignore_status=404).count(index=alias_name())
            if not reused or not documents.get("count"):
                parser.error("--rebuilds 0 needs --reuse and the index a --keep run left")
            indexing = f"not timed: the index an earlier run left ({documents['count']:,} docs)"

        from django.contrib.auth import get_user_model

        users = [AnonymousUser()] + list(
            get_user_model().objects.filter(pk__in=rng.sample(corpus["users"], 4))
        )
        queries = query_mix(rng, QUERIES[label])
        backends = {"elasticsearch": run_search, "database": database_search}
        timings: dict[str, list[float]] = {name: [] for name in backends}
        took: list[float] = []  # Elasticsearch's own time for each timed search
        estimated = 0  # searches whose counts were estimated (more matches than are counted)
        prefixes = [q.strip('"')[: rng.randint(2, 6)] for q in queries]
        # the same searches as whole pages through the hub, in-process (middleware, session, the
        # search log, the template with the site's chrome), each beside the ``took`` of its own request
        pages = {kind: PageTimes() for kind in ("search page", "autocomplete")}
        with override_settings(**IN_PROCESS_SETTINGS):
            clients = [_client(user) for user in users]
            for timed in (False, True):  # a warm-up pass, then the measured one
                for i, q in enumerate(queries):
                    user = users[i % len(users)]
                    for name, search in backends.items():  # interleaved: both under the same load
                        if (
                            name == "database"
                            and args.database_queries
                            and i >= args.database_queries
                        ):
                            continue
                        params = _params(q)
                        t0 = time.perf_counter()
                        results = search(user, params)
                        if timed:
                            timings[name].append((time.perf_counter() - t0) * 1000)
                            if results.took_ms is not None:
                                took.append(results.took_ms)
                            estimated += results.estimated  # never, from the database
                    page = _get(clients[i % len(clients)], "/search/", q)
                    baseline = _baseline(clients[i % len(clients)])
                    if timed:
                        pages["search page"].add(*page, baseline=baseline)
            completions = []
            for timed in (False, True):
                for i, prefix in enumerate(prefixes):
                    t0 = time.perf_counter()
                    autocomplete(users[i % len(users)], prefix)
                    if timed:
                        completions.append((time.perf_counter() - t0) * 1000)
                    page = _get(clients[i % len(clients)], "/search/autocomplete/", prefix)
                    if timed:
                        pages["autocomplete"].add(*page)

        es50, es95 = percentiles(timings["elasticsearch"])
        db50, db95 = percentiles(timings["database"])
        _, ac95 = percentiles(completions)
        took50, took95 = percentiles(took)
        n = len(queries)
        print(
            f"\nSearch benchmark ({label}: {len(corpus['communities']):,} communities, {len(corpus['users']):,} members, "
            f"{len(corpus['threads']):,} threads, {size['posts']:,} posts; {'corpus reused from an earlier run' if reused else f'corpus written in {corpus_seconds:.0f}s'}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n"
        )
        print("| measure | Elasticsearch | database fallback (baseline) | ratio |")
        print("|---|---|---|---|")
        print(f"| bulk indexing, documents/s | {indexing} | – | – |")
        on_database = (
            f" on the first {len(timings['database'])}" if len(timings["database"]) < n else ""
        )
        print(
            f"| search p50, ms ({n} queries{on_database}) | {es50:.1f} (engine's took {took50:.0f}) | {db50:.1f} | {db50 / es50:.1f}× faster |"
        )
        print(
            f"| search p95, ms ({n} queries{on_database}) | {es95:.1f} (engine's took {took95:.0f}) | {db95:.1f} | {db95 / es95:.1f}× faster |"
        )
        print(
            f"| service time ÷ (1.3 × took + 5 ms), p50 / p95 | {es50 / (1.3 * took50 + 5):.2f} / {es95 / (1.3 * took95 + 5):.2f} (≤ 1 is the target) | – | – |"
        )
        print(
            f"| searches with estimated counts (more than {settings.SEARCH_EXACT_COUNTS_UP_TO:,} matches) | {estimated} of {n} | – | – |"
        )
        print(f"| autocomplete p95, ms ({n} prefixes) | {ac95:.1f} | – | – |")
        print(
            "\nWhole pages through the hub (in-process test client: middleware, session, search log, "
            "template), each beside Elasticsearch's `took` for that same request (its Server-Timing):\n"
        )
        print(
            "| request | page p50 / p95, ms | took p50 / p95, ms | page ÷ took, p50 / p95 "
            "| overhead (page − took) p50 / p95, ms | page ≤ 1.3 × took + 5 ms: p50 / p95 / requests |"
        )
        print("|---|---|---|---|---|---|")
        for kind, times in pages.items():
            print(times.row(kind))
        print(pages["search page"].search_work())
    finally:
        if settings.ELASTICSEARCH_URL and not args.keep:
            get_client().options(ignore_status=404).indices.delete(
                index="bench-content*", expand_wildcards="all"
            )
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=args.keep)
        if node is not None:
            node.stop()
    return 0


# the page through the test client: any host, static files from the source tree (no collectstatic)
IN_PROCESS_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    "STORAGES": {
        "default": {"BACKEND": "hub.floor.storage.MediaStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "SECURE_SSL_REDIRECT": False,
    # the hub's URLs plus the pages benchmark's baseline: the site's template around an empty page
    "ROOT_URLCONF": "communities.benchmarks.urls",
    # every request asks the engine: a visitor's autocomplete, kept for visitors on the live site,
    # and every search's answer, kept per content generation, would otherwise come from the warm-up
    # pass's kept answers
    "PAGE_CACHE_SECONDS": 0,
    "SEARCH_CACHE_SECONDS": 0,
}
BASELINE_PATH = "/benchmark/baseline/"


def _client(user):
    from django.test import Client

    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _get(client, path: str, q: str) -> tuple[float, float]:
    """(the page's time, Elasticsearch's ``took`` for it) in ms; took from its Server-Timing entry."""
    t0 = time.perf_counter()
    response = client.get(path, {"q": q})
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}?q={q}: HTTP {response.status_code}, expected 200")
    timing = SERVER_TIMING.search(response.get("Server-Timing", ""))
    if timing is None:
        raise SystemExit(f"{path}?q={q}: no Elasticsearch time (did it fall back to the database?)")
    return elapsed, float(timing.group(1))


def _baseline(client) -> float:
    """The site's template around an empty page for the same reader, in ms: what any page costs."""
    t0 = time.perf_counter()
    response = client.get(BASELINE_PATH)
    elapsed = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{BASELINE_PATH}: HTTP {response.status_code}, expected 200")
    return elapsed


SERVER_TIMING = re.compile(r"\bsearch;dur=([\d.]+)")


class PageTimes:
    """Page times and the engine's took of the same requests."""

    def __init__(self) -> None:
        self.page: list[float] = []
        self.took: list[float] = []
        self.baseline: list[float] = []  # the empty page beside each search page

    def add(self, page: float, took: float, baseline: float | None = None) -> None:
        self.page.append(page)
        self.took.append(took)
        if baseline is not None:
            self.baseline.append(baseline)

    def search_work(self) -> str:
        """The page less the empty page beside it (the search's own work in the hub) against the
        target, or nothing when no baseline was timed."""
        if not self.baseline:
            return ""
        own = [p - b for p, b in zip(self.page, self.baseline, strict=True)]
        base50, base95 = percentiles(self.baseline)
        own50, own95 = percentiles(own)
        held = sum(o <= 1.3 * t + 5 for o, t in zip(own, self.took, strict=True))
        return (
            f"\nThe site's template around an empty page, timed beside each search page for the same "
            f"reader: p50 {base50:.1f} / p95 {base95:.1f} ms. The search page less it (the search's "
            f"own work in the hub): p50 {own50:.1f} / p95 {own95:.1f} ms; "
            f"≤ 1.3 × took + 5 ms for {held} of {len(own)} requests."
        )

    def row(self, kind: str) -> str:
        page50, page95 = percentiles(self.page)
        took50, took95 = percentiles(self.took)
        over50, over95 = percentiles([p - t for p, t in zip(self.page, self.took, strict=True)])
        held = sum(p <= 1.3 * t + 5 for p, t in zip(self.page, self.took, strict=True))

        def holds(page: float, took: float) -> str:
            return "yes" if page <= 1.3 * took + 5 else "no"

        return (
            f"| {kind} ({len(self.page)}) | {page50:.1f} / {page95:.1f} | {took50:.0f} / {took95:.0f} "
            f"| {page50 / max(took50, 1):.1f}× / {page95 / max(took95, 1):.1f}× "
            f"| {over50:.1f} / {over95:.1f} "
            f"| {holds(page50, took50)} / {holds(page95, took95)} / {held} of {len(self.page)} |"
        )


def _params(q: str):
    from django.http import QueryDict

    from search.queries import parse_params

    data = QueryDict(mutable=True)
    data["q"] = q
    return parse_params(data)


if __name__ == "__main__":
    sys.exit(main())
