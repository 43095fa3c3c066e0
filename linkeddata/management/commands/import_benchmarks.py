"""manage.py import_benchmarks FILE.csv --dataset SLUG | --reference | --shipped"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkeddata.models import Dataset
from linkeddata.services.catalogue import SHIPPED_BY_SLUG, do_ensure_dataset
from linkeddata.services.imports import ImportRejected, do_import_observations
from linkeddata.services.shipped import do_import_reference, do_import_shipped


class Command(BaseCommand):
    help = (
        "Import benchmarking figures from a tidy CSV (gss_code, period, value[, unit]) into a dataset, "
        "all or nothing; or --reference for the authority and similar-area files; or --shipped for everything "
        "the hub ships."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="the CSV file to import")
        parser.add_argument("--dataset", help="slug of the dataset the figures belong to")
        parser.add_argument(
            "--skip-area",
            action="append",
            default=[],
            metavar="GSS",
            help="ignore rows for this area code (repeatable; they are counted and reported)",
        )
        parser.add_argument(
            "--reference", action="store_true", help="import the authorities and ONS similar areas"
        )
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="import the reference files and every shipped dataset",
        )

    def handle(
        self,
        *args: Any,
        file: Path | None = None,
        dataset: str | None = None,
        skip_area: Sequence[str] = (),
        reference: bool = False,
        shipped: bool = False,
        **options: Any,
    ) -> None:
        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        if shipped:
            try:
                do_import_shipped(progress)
            except ImportRejected as exc:
                raise CommandError(self._report(exc)) from None
            return
        if reference:
            do_import_reference(progress)
            if file is None:
                return
        if file is None or not dataset:
            raise CommandError("give a FILE and --dataset SLUG (or --reference / --shipped)")
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = Dataset.objects.select_related("measure").filter(slug=dataset).first()
        if target is None:
            definition = SHIPPED_BY_SLUG.get(dataset)
            if definition is None:
                known = ", ".join(
                    sorted(
                        set(Dataset.objects.values_list("slug", flat=True)) | set(SHIPPED_BY_SLUG)
                    )
                )
                raise CommandError(f"unknown dataset {dataset!r}; known datasets: {known}")
            target = do_ensure_dataset(definition)
        try:
            do_import_observations(file, target, skip_areas=tuple(skip_area), progress=progress)
        except ImportRejected as exc:
            raise CommandError(self._report(exc)) from None
        self.stdout.write(self.style.SUCCESS("Import complete."))

    @staticmethod
    def _report(exc: ImportRejected) -> str:
        shown = exc.problems[:50]
        lines = [str(problem) for problem in shown]
        if len(exc.problems) > len(shown):
            lines.append(f"… and {len(exc.problems) - len(shown)} more")
        return "\n".join([*lines, f"{len(exc.problems)} problem(s) found; nothing was imported."])
