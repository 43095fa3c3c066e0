"""Periods as the data files write them: calendar years ``2023`` and financial years ``2023/24``."""

from __future__ import annotations

import re
from datetime import date

from linkeddata.models import Period, PeriodKind

CALENDAR = re.compile(r"^(\d{4})$")
FINANCIAL = re.compile(r"^(\d{4})/(\d{2})$")


class PeriodError(ValueError):
    pass


def parse_period(code: str) -> tuple[str, date, date]:
    """Kind, start and end of a period code; raises PeriodError for anything else."""
    if match := CALENDAR.match(code):
        year = int(match.group(1))
        return PeriodKind.CALENDAR, date(year, 1, 1), date(year, 12, 31)
    if match := FINANCIAL.match(code):
        year = int(match.group(1))
        if (year + 1) % 100 != int(match.group(2)):
            raise PeriodError(
                f"{code!r} is not a financial year: the second year must follow the first (e.g. {year}/{(year + 1) % 100:02d})"
            )
        return PeriodKind.FINANCIAL, date(year, 4, 1), date(year + 1, 3, 31)
    raise PeriodError(
        f"{code!r} is not a period: use YYYY for a calendar year or YYYY/YY for a financial year"
    )


def period_code_from_slug(slug: str) -> str:
    """``2023-24`` (as in URLs) back to ``2023/24``."""
    return slug.replace("-", "/")


def do_ensure_periods(codes: set[str]) -> dict[str, Period]:
    """The Period rows for ``codes``, created when missing (codes must already be valid)."""
    existing = {period.code: period for period in Period.objects.filter(code__in=codes)}
    missing = []
    for code in sorted(codes - existing.keys()):
        kind, start, end = parse_period(code)
        missing.append(Period(code=code, kind=kind, start_date=start, end_date=end))
    for period in Period.objects.bulk_create(missing):
        existing[period.code] = period
    return existing
