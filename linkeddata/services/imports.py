"""Importing benchmarking figures: validate the whole file first, then write all of it or nothing.

A tidy CSV has the columns ``gss_code, period, value`` and optionally ``unit`` (others are ignored).
Every problem is reported with the file, line and column; when there is one, nothing is written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from linkeddata.models import Area, Dataset, Observation, ObservationRevision
from linkeddata.services.periods import PeriodError, do_ensure_periods, parse_period
from linkeddata.services.progress import Progress, reporter
from linkeddata.services.publish import FigureChange, record_figure_changes, record_publication

REQUIRED_COLUMNS = ("gss_code", "period", "value")
# ONS recoded these councils in 2025; the authority list still uses the earlier codes.
RECODINGS = {"E08000038": "E08000016", "E08000039": "E08000019"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass(frozen=True)
class Row:
    area_id: int
    period_code: str
    value: Decimal


@dataclass
class CheckedFile:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    merged: int = 0


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    merged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def area_codes() -> dict[str, Area]:
    """Every GSS code the hub knows, current and former, mapped to its area."""
    codes: dict[str, Area] = {}
    for area in Area.objects.exclude(gss_code=None):
        if area.gss_code is not None:  # excluded above; this tells the type checker
            codes[area.gss_code] = area
        for former in area.former_gss_codes.replace(";", ",").split(","):
            if former.strip():
                codes.setdefault(former.strip(), area)
    for new, old in RECODINGS.items():
        if old in codes:
            codes.setdefault(new, codes[old])
    return codes


def _decimal(text: str) -> Decimal:
    value = Decimal(text.strip().replace(",", ""))
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def check_observation_file(
    path: Path, dataset: Dataset, skip_areas: tuple[str, ...] = ()
) -> CheckedFile:
    """Read and validate a whole file against ``dataset``; writes nothing."""
    checked = CheckedFile()
    name = str(path)

    def problem(line: int, column: str, message: str) -> None:
        checked.problems.append(Problem(name, line, column, message))

    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        problem(0, "", f"cannot read the file: {exc.strerror}")
        return checked
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [column.strip() for column in reader.fieldnames or []]
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if missing:
                problem(
                    1,
                    ", ".join(missing),
                    f"missing column(s); the header must include {', '.join(REQUIRED_COLUMNS)} (and may include unit)",
                )
                return checked
            reader.fieldnames = header
            codes = area_codes()
            unit = dataset.measure.unit
            seen: dict[tuple[int, str], tuple[int, str, Decimal]] = {}
            for row in reader:
                line = reader.line_num
                gss = (row.get("gss_code") or "").strip()
                period_code = (row.get("period") or "").strip()
                raw_value = (row.get("value") or "").strip()
                if gss in skip_areas:
                    checked.skipped += 1
                    continue
                area = codes.get(gss)
                if area is None:
                    problem(
                        line,
                        "gss_code",
                        f"unknown area code {gss!r}" if gss else "the area code is empty",
                    )
                kind: str | None
                start: date | None
                try:
                    kind, start, _end = parse_period(period_code)
                except PeriodError as exc:
                    problem(line, "period", str(exc))
                    kind = start = None
                if kind and kind != dataset.period_kind:
                    problem(
                        line,
                        "period",
                        f"{period_code!r} is a {kind} year but {dataset.slug} uses {dataset.get_period_kind_display()}s",
                    )
                    kind = None
                if (
                    area is not None
                    and start
                    and not area.is_current
                    and area.end_date
                    and start > area.end_date
                ):
                    problem(
                        line,
                        "gss_code",
                        f"{gss} ({area.short_name}) was abolished on {area.end_date:%d %B %Y}, before {period_code}",
                    )
                try:
                    value = _decimal(raw_value)
                except (InvalidOperation, ValueError):
                    problem(
                        line,
                        "value",
                        f"{raw_value!r} is not a number" if raw_value else "the value is empty",
                    )
                    value = None
                row_unit = (row.get("unit") or "").strip()
                if row_unit and row_unit != unit:
                    problem(
                        line, "unit", f"unit {row_unit!r} contradicts the measure's unit {unit!r}"
                    )
                if area is None or not kind or value is None:
                    continue
                key = (area.pk, period_code)
                if key in seen:
                    first_line, first_code, first_value = seen[key]
                    if first_code != gss and first_value == value:
                        checked.merged += 1  # the same figure under a council's old and new code
                        continue
                    problem(
                        line,
                        "gss_code",
                        f"duplicate row: {area.short_name} {period_code} already given on line {first_line}",
                    )
                    continue
                seen[key] = (line, gss, value)
                checked.rows.append(Row(area.pk, period_code, value))
        except (csv.Error, UnicodeDecodeError) as exc:
            problem(getattr(reader, "line_num", 0), "", f"not a readable UTF-8 CSV file: {exc}")
    if not checked.rows and not checked.problems:
        problem(1, "", "the file has no observations")
    return checked


def do_import_observations(
    path: Path,
    dataset: Dataset,
    *,
    skip_areas: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """Validate then write ``path`` into ``dataset`` in one transaction.

    Raises ImportRejected (nothing written) when the file has any problem. Values that changed keep
    their earlier value as an ObservationRevision; an unchanged file writes nothing.
    The same transaction records the dataset's publication: the linked-data store and downloads are
    refreshed after the commit (``services.publish``).
    """
    say = reporter(progress)
    say(f"Checking {path} …")
    checked = check_observation_file(path, dataset, skip_areas)
    if checked.problems:
        raise ImportRejected(checked.problems)
    say(f"{len(checked.rows)} rows are valid; writing …")
    result = ImportResult(skipped=checked.skipped, merged=checked.merged)
    now = timezone.now()
    with transaction.atomic():
        periods = do_ensure_periods({row.period_code for row in checked.rows})
        existing = {
            (obs.area_id, obs.period_id): obs for obs in Observation.objects.filter(dataset=dataset)
        }
        new, changed, revisions = [], [], []
        for number, row in enumerate(checked.rows, start=1):
            period = periods[row.period_code]
            observation = existing.get((row.area_id, period.pk))
            if observation is None:
                new.append(
                    Observation(
                        dataset=dataset,
                        area_id=row.area_id,
                        period=period,
                        value=row.value,
                        updated_at=now,
                    )
                )
            elif observation.value != row.value:
                revisions.append(
                    ObservationRevision(
                        observation=observation,
                        value=observation.value,
                        replaced_at=now,
                        source_file=path.name,
                    )
                )
                observation.value, observation.updated_at = row.value, now
                changed.append(observation)
            else:
                result.unchanged += 1
            if number % 2000 == 0:
                say(f"  {number}/{len(checked.rows)} rows compared")
        Observation.objects.bulk_create(new, batch_size=2000)
        Observation.objects.bulk_update(changed, ["value", "updated_at"], batch_size=2000)
        ObservationRevision.objects.bulk_create(revisions, batch_size=2000)
        result.created, result.updated = len(new), len(changed)
        if result.changed:
            dataset.save(update_fields=["modified"])
            record_publication(dataset, progress=progress)
            old_values = {r.observation_id: r.value for r in revisions}
            record_figure_changes(
                [FigureChange(dataset.pk, o.area_id, o.period_id, None, o.value) for o in new]
                + [
                    FigureChange(dataset.pk, o.area_id, o.period_id, old_values[o.pk], o.value)
                    for o in changed
                ]
            )
    say(
        f"{dataset.slug}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        + (f", {result.skipped} skipped" if result.skipped else "")
        + (f", {result.merged} duplicates under a former code merged" if result.merged else "")
    )
    return result
