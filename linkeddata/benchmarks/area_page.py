"""Benchmark: the area page with every panel the hub registers against the same page with no panels
(the baseline, timed in the same run), so the panels' cost is a ratio. Target: at most 1.5 times.

Builds a throwaway test database with the real authorities, similar councils and datasets, then the
communities side of the hub around Leeds and its similar councils (members, communities with
threads and replies, case studies with benchmark evidence, adoptions), and times the area page for
Leeds over HTTP (median of repeats, anonymous and signed in), printing ms, queries and the ratio;
then, on the same data, updating one item of the public content graph against rebuilding it whole.

Run:  DATABASE_URL=postgresql://… python -m linkeddata.benchmarks.area_page [--size tiny|full]
      [--in-place | --built]

``--in-place`` builds in DATABASE_URL itself (already migrated, emptied afterwards by its owner: the
test suite's smoke test) instead of a throwaway database; ``--built`` times DATABASE_URL as an earlier
``--in-place`` run left it, without building (to profile, or to time a change, on the same data).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
# As deployed: the panels shared by every reader are kept (0 times rendering them every time).
os.environ.setdefault("FRAGMENT_CACHE_SECONDS", "300")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

AREA = "E08000035"  # Leeds
SIZES = {
    # members per council (Leeds and its similar councils), communities, case studies, repeats
    "tiny": {"members": 3, "communities": 3, "case_studies": 6, "repeats": 3},
    "full": {"members": 40, "communities": 40, "case_studies": 400, "repeats": 25},
}
TARGET = 1.5
T = TypeVar("T")


def build(size: dict[str, int]) -> None:
    """The real data, then members, communities and case studies around Leeds and similar councils."""
    from django.contrib.auth import get_user_model

    from communities.discussions.services.threads import do_reply, do_start_thread
    from communities.models import (
        Adoption,
        CommunityIndexPage,
        GoodPracticeIndexPage,
        GoodPracticePage,
        Membership,
        Profile,
        ProfileVisibility,
        Visibility,
    )
    from communities.people.services.communities import do_create_community
    from hub.services.site import ensure_site_tree
    from linkeddata.models import Area, Dataset
    from linkeddata.services.benchmarks import similar_areas
    from linkeddata.services.shipped import do_import_shipped

    rng = random.Random(7)  # noqa: S311 - reproducible test data, not security
    do_import_shipped()
    ensure_site_tree()
    leeds = Area.objects.get(gss_code=AREA)
    councils = [leeds, *similar_areas(leeds)]
    slugs = list(Dataset.objects.values_list("measure__slug", flat=True))
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"officer{n}@example.gov.uk", email=f"officer{n}@example.gov.uk")
        for n in range(size["members"] * len(councils))
    )
    visibilities = list(ProfileVisibility.values)
    Profile.objects.bulk_create(
        Profile(
            user=user,
            display_name=f"Officer {n}",
            council=councils[n % len(councils)],
            visibility=visibilities[n % len(visibilities)],
        )
        for n, user in enumerate(users)
    )
    index = CommunityIndexPage.objects.get()
    kinds = [Visibility.OPEN, Visibility.RESTRICTED, Visibility.PRIVATE]
    for number in range(size["communities"]):
        community = do_create_community(
            index=index,
            title=f"Community {number}",
            description="Officers comparing notes.",
            visibility=kinds[number % len(kinds)],
        )
        members = rng.sample(users, min(len(users), 8))
        Membership.objects.bulk_create(
            Membership(community=community, user=user, status=Membership.Status.ACTIVE)
            for user in members
        )
        thread = do_start_thread(
            community=community, author=members[0], title=f"Question {number}", body="Any ideas?"
        )
        for user in members[1:4]:
            do_reply(thread=thread, author=user, body="Here is what we did.")
    library = GoodPracticeIndexPage.objects.get()
    for number in range(size["case_studies"]):
        page = GoodPracticePage(
            title=f"Case study {number}",
            summary="What worked.",
            problem="A problem.",
            approach="An approach.",
            outcomes="Outcomes.",
            body=[
                (
                    "benchmark_evidence",
                    {
                        "measure": rng.choice(slugs),
                        "area": councils[number % len(councils)].gss_code,
                    },
                )
            ],
        )
        page.councils.set([councils[number % len(councils)]])
        library.add_child(instance=page)
    pages = list(GoodPracticePage.objects.all())
    Adoption.objects.bulk_create(
        Adoption(page=page, user=user, council=rng.choice(councils))
        for page in pages
        for user in rng.sample(users, rng.randint(0, 3))
    )


def _queries(client: Client, url: str) -> int:
    status = client.get(url, HTTP_ACCEPT="text/html").status_code  # and a warm-up
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}, expected 200")
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, HTTP_ACCEPT="text/html")
    return len(executed)


def _timed(client: Client, url: str) -> float:
    start = time.perf_counter()
    client.get(url, HTTP_ACCEPT="text/html")
    return time.perf_counter() - start


def measure(client: Client, url: str, repeats: int) -> tuple[tuple[float, int], tuple[float, int]]:
    """Median milliseconds and queries of the page without panels (the baseline) and with every
    panel: the two are timed in turn, request by request, so that a change in the shared machine's
    load falls on both alike."""
    base_queries = without_panels(lambda: _queries(client, url))
    queries = _queries(client, url)
    base, panels = [], []
    for _ in range(repeats):
        base.append(without_panels(lambda: _timed(client, url)))
        panels.append(_timed(client, url))
    return (
        (statistics.median(base) * 1000, base_queries),
        (statistics.median(panels) * 1000, queries),
    )


def without_panels(run: Callable[[], T]) -> T:
    """``run`` with no panel registered on the area page (the baseline)."""
    from linkeddata import panels

    saved = dict(panels._area_panels)
    panels._area_panels.clear()
    try:
        return run()
    finally:
        panels._area_panels.update(saved)


def content_graph_figures(repeats: int) -> None:
    """The public content graph: one item's update (a thread; a community with its threads; a case
    study) against rebuilding the whole graph, each the median of ``repeats``, same run."""
    from communities.models import CommunityPage, GoodPracticePage, ThreadPage
    from linkeddata.services.content import (
        ContentItem,
        do_publish_content,
        do_publish_content_items,
        thread_item,
    )

    def median_ms(run: Callable[[], object]) -> float:
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    do_publish_content()
    full = median_ms(do_publish_content)
    community = CommunityPage.objects.live().filter(visibility="open").first()
    thread = ThreadPage.objects.live().filter(community=community).first()
    practice = GoodPracticePage.objects.live().first()
    items = {
        "one thread": [thread_item(thread.pk)] if thread else [],
        "one community and its threads": (
            [ContentItem("community", community.slug)] if community else []
        ),
        "one case study": [ContentItem("practice", practice.slug)] if practice else [],
    }
    print(f"\n{'content graph':<34} {'median ms':>10} {'× full rebuild':>15}")
    print(f"{'full rebuild (baseline)':<34} {full:>10.1f} {1:>15.2f}")
    for name, item in items.items():
        if item:
            ms = median_ms(lambda i=item: do_publish_content_items(i))
            print(f"{name:<34} {ms:>10.1f} {ms / full:>15.2f}")


def main(size_name: str, in_place: bool = False, built: bool = False) -> None:
    from django.contrib.auth import get_user_model

    size = SIZES[size_name]
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if built:
        in_place = True
    if not in_place:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_benchmark"
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        if not built:
            build(size)
            print(f"built the {size_name} data in {time.perf_counter() - started:.0f} s ({size})")
        load = os.getloadavg()
        print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        url = f"/doc/area/{AREA}"
        anonymous, signed_in = Client(), Client()
        member = get_user_model().objects.filter(profile__council__gss_code=AREA).first()
        signed_in.force_login(member)
        print(f"\n{'reader':<12} {'page':<22} {'median ms':>10} {'queries':>8} {'× baseline':>11}")
        worst = 0.0
        for reader, client in (("anonymous", anonymous), ("signed in", signed_in)):
            (base_ms, base_queries), (ms, queries) = measure(client, url, size["repeats"])
            ratio = ms / base_ms
            worst = max(worst, ratio)
            print(
                f"{reader:<12} {'no panels (baseline)':<22} {base_ms:>10.1f} {base_queries:>8} {1:>11.2f}"
            )
            print(f"{reader:<12} {'all panels':<22} {ms:>10.1f} {queries:>8} {ratio:>11.2f}")
        verdict = "within" if worst <= TARGET else "OVER"
        print(f"\nworst ratio {worst:.2f}: {verdict} the {TARGET}× target")
        content_graph_figures(size["repeats"])
    finally:
        if not in_place:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--in-place", action="store_true")
    parser.add_argument("--built", action="store_true")
    arguments = parser.parse_args()
    main(arguments.size, in_place=arguments.in_place, built=arguments.built)
