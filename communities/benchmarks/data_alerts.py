"""Benchmark: one import's new period told to every follower (the fan-out), against the import itself.

Builds, in bulk, the size's members (each with a council on their profile, so following it by default;
a third also follow a measure, a council or a council on the measure), imports a first period of
household recycling rates for every council, then imports a new period (the baseline: validating and
writing the figures, recording what changed) and tells it (``do_tell_release``: the words, one
notification per member, the email tasks queued). Prints members notified per second, the fan-out's
total time, its ratio to the import's, and the queries it ran (a fixed number, whatever the size).

Run:  DATABASE_URL=postgresql://… python -m communities.benchmarks.data_alerts [--size tiny|full] [--in-place]

``full`` is 60,000 members, ``tiny`` 300 (the smoke test's). Without ``--in-place`` it builds a throwaway
database; ``--in-place`` uses DATABASE_URL itself (migrated, emptied afterwards by its owner).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
# The figures are published to a store of the run's own; the telling task is queued in the database
# (not run at the commit) so that the benchmark times the import and the fan-out apart.
os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.base"
os.environ["TASKS_BACKEND"] = "database"
os.environ["RDF_STORE_PATH"] = tempfile.mkdtemp(prefix="data-alerts-rdf-")
os.environ.setdefault("HUB_DATA_DIR", tempfile.mkdtemp(prefix="data-alerts-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SIZES = {"tiny": 300, "full": 60_000}
BATCH = 5000


def write_period(path: Path, councils: list, period: str, rng: random.Random) -> None:
    lines = ["gss_code,period,value"]
    lines += [f"{area.gss_code},{period},{rng.uniform(20, 65):.1f}" for area in councils]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(members: int, workdir: Path) -> tuple[object, list]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from communities.models import DataFollow, Profile
    from linkeddata.models import Area
    from linkeddata.services.areas import do_import_areas
    from linkeddata.services.catalogue import SHIPPED_BY_SLUG, do_ensure_dataset
    from linkeddata.services.imports import do_import_observations

    rng = random.Random(7)  # noqa: S311 - reproducible test data, not security
    do_import_areas()
    councils = list(Area.objects.councils().exclude(gss_code=None).order_by("code"))
    dataset = do_ensure_dataset(SHIPPED_BY_SLUG["household-recycling-rate"])
    first = workdir / "2023-24.csv"
    write_period(first, councils, "2023/24", rng)
    do_import_observations(first, dataset)
    User = get_user_model()
    unusable = make_password(None)
    for start in range(0, members, BATCH):
        users = User.objects.bulk_create(
            User(
                username=f"bench{n}@example.gov.uk",
                email=f"bench{n}@example.gov.uk",
                password=unusable,
            )
            for n in range(start, min(start + BATCH, members))
        )
        Profile.objects.bulk_create(
            Profile(user=u, display_name=f"Bench {u.pk}", council=rng.choice(councils))
            for u in users
        )
        follows = []
        for index, user in enumerate(users):
            if index % 3 == 0:
                choice = index % 9
                area = rng.choice(councils)
                follows.append(
                    DataFollow(user=user, measure=dataset.measure)
                    if choice == 0
                    else DataFollow(user=user, area=area)
                    if choice == 3
                    else DataFollow(user=user, area=area, measure=dataset.measure)
                )
        DataFollow.objects.bulk_create(follows)
    return dataset, councils


def main(size: str, in_place: bool) -> None:
    from communities.data_alerts.services import do_tell_release
    from communities.models import FiguresRelease, Notification
    from linkeddata.services.imports import do_import_observations

    members = SIZES[size]
    old_name = connection.settings_dict["NAME"]
    if not in_place:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        workdir = Path(tempfile.mkdtemp(prefix="data-alerts-csv-"))
        started = time.perf_counter()
        dataset, councils = build(members, workdir)
        print(
            f"built {members:,} members, {len(councils)} councils in {time.perf_counter() - started:.1f} s"
        )
        second = workdir / "2024-25.csv"
        write_period(second, councils, "2024/25", random.Random(8))  # noqa: S311 - test data
        started = time.perf_counter()
        do_import_observations(second, dataset)
        import_seconds = time.perf_counter() - started
        release = FiguresRelease.objects.filter(sent_at=None).latest("pk")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            notified = do_tell_release(release.pk)
            fan_out = time.perf_counter() - started
        made = Notification.objects.filter(kind=Notification.Kind.FIGURES).count()
        print(f"import of the new period (baseline): {import_seconds:.2f} s")
        print(
            f"fan-out: {notified:,} members notified in {fan_out:.2f} s, "
            f"{notified / fan_out:,.0f} members/s, {len(queries)} queries, "
            f"{fan_out / import_seconds:.2f}x the import"
        )
        print(f"notifications written: {made:,}; told again: {do_tell_release(release.pk)}")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if not in_place:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--in-place", action="store_true")
    options = parser.parse_args()
    main(options.size, options.in_place)
