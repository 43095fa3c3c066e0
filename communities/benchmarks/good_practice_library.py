"""Benchmark: the good-practice library's queries at scale, as ratios against a baseline in the same run.

Builds a throwaway test database with N published case studies (default 1,000) spread over service
areas, councils, tags and years, with reuse signals, then times (median of repeats):

- baseline: the first page of live case studies, newest first (the plainest listing possible);
- the library page's listing with no filter, sorted by most adopted, and with two filters;
- the library's facets; related good practice for one case study; the API list; the whole page over HTTP.

Run:  DATABASE_URL=postgresql://… python -m communities.benchmarks.good_practice_library [N] [--in-place]

``--in-place`` builds in DATABASE_URL itself (already migrated, emptied afterwards by its owner: the
test suite's smoke test) instead of a throwaway database.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REPEATS = 15


def timed(function) -> float:
    function()  # warm up
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build(count: int) -> None:
    from django.contrib.auth import get_user_model

    from communities.models import (
        Adoption,
        GoodPracticeIndexPage,
        GoodPracticePage,
        HelpedSignal,
        ServiceArea,
    )
    from hub.services.site import ensure_site_tree
    from linkeddata.models import Area
    from linkeddata.services.areas import do_import_areas

    rng = random.Random(4)  # noqa: S311 - reproducible test data, not security
    do_import_areas()
    ensure_site_tree()
    library = GoodPracticeIndexPage.objects.get()
    areas = list(ServiceArea.objects.exclude(parent=None))
    councils = list(Area.objects.councils())
    tags = [f"topic {n}" for n in range(40)]
    members = get_user_model().objects.bulk_create(
        get_user_model()(username=f"member{n}@example.gov.uk", email=f"member{n}@example.gov.uk")
        for n in range(200)
    )
    for number in range(count):
        page = GoodPracticePage(
            title=f"Case study {number}",
            summary="What worked.",
            problem="A problem.",
            approach="An approach.",
            outcomes="Outcomes.",
            practice_date=date(rng.randint(2015, 2025), rng.randint(1, 12), 1),
        )
        page.service_areas.set(rng.sample(areas, 2))
        page.councils.set(rng.sample(councils, rng.randint(1, 3)))
        page.tags.set(rng.sample(tags, 3))
        library.add_child(instance=page)
    pages = list(GoodPracticePage.objects.all())
    HelpedSignal.objects.bulk_create(
        HelpedSignal(page=page, user=member)
        for page in pages
        for member in rng.sample(members, rng.randint(0, 8))
    )
    Adoption.objects.bulk_create(
        Adoption(page=page, user=member, council=rng.choice(councils))
        for page in pages
        for member in rng.sample(members, rng.randint(0, 4))
    )


def main(count: int, in_place: bool = False) -> None:
    from communities.good_practice.queries import (
        LibraryFilters,
        library_facets,
        library_listing,
        related_good_practice,
    )
    from communities.models import GoodPracticePage, ServiceArea

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if not in_place:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_benchmark"
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build(count)
        print(f"built {count} case studies in {time.perf_counter() - started:.0f} s")
        parent = ServiceArea.objects.filter(parent=None).first().slug
        one = GoodPracticePage.objects.live().first()
        client = Client()

        def params(query: str) -> QueryDict:
            return QueryDict(query)

        def listing(query: str):
            return lambda: [p.title for p in library_listing(params(query))["case_studies"]]

        cases = {
            "baseline: first page of live case studies, newest first": lambda: list(
                GoodPracticePage.objects.live().order_by("-first_published_at")[:12]
            ),
            "library listing, newest": listing(""),
            "library listing, most adopted": listing("sort=adopted"),
            "library listing, service area + region filters": listing(
                f"service_area={parent}&region=London&sort=helpful"
            ),
            "library facets": lambda: library_facets(LibraryFilters.from_params(params(""))),
            "related good practice for one case study": lambda: related_good_practice(one),
            "API list (HTTP)": lambda: client.get("/api/good-practice/?sort=adopted").content,
            "library page (HTTP, full render)": lambda: (
                client.get("/good-practice/?sort=adopted").content
            ),
        }
        results = {name: timed(function) for name, function in cases.items()}
        baseline = next(iter(results.values()))
        print(f"\n{'case':<55} {'median ms':>10} {'× baseline':>11}")
        for name, seconds in results.items():
            print(f"{name:<55} {seconds * 1000:>10.1f} {seconds / baseline:>11.1f}")
    finally:
        if not in_place:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--in-place"]
    main(int(arguments[0]) if arguments else 1000, in_place="--in-place" in sys.argv[1:])
