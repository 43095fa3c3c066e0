"""Importing everything the hub ships: authorities, similar areas and the real datasets."""

from __future__ import annotations

from django.db import transaction

from linkeddata.services.areas import do_import_areas
from linkeddata.services.catalogue import SHIPPED, do_ensure_dataset
from linkeddata.services.imports import ImportResult, do_import_observations
from linkeddata.services.progress import Progress, reporter
from linkeddata.services.similarity import do_import_similarity


def do_import_reference(progress: Progress | None = None) -> None:
    say = reporter(progress)
    areas = do_import_areas()
    say(
        f"authorities: {areas.created} created, {areas.updated} updated, {areas.unchanged} unchanged"
    )
    do_import_similarity(progress)


def do_import_shipped(progress: Progress | None = None) -> dict[str, ImportResult]:
    """Import the reference files and every shipped dataset, all or nothing; idempotent (a second run
    writes nothing). What changed is published once, after the commit."""
    results = {}
    with transaction.atomic():
        do_import_reference(progress)
        for definition in SHIPPED:
            dataset = do_ensure_dataset(definition)
            results[definition.slug] = do_import_observations(
                definition.path, dataset, skip_areas=definition.skip_areas, progress=progress
            )
    return results
