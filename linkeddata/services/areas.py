"""Importing the local-authority list (mySociety, CC BY 4.0) into :class:`Area`."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from linkeddata.models import Area, Measure, Observation
from linkeddata.services.publish import record_publication

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LOCAL_AUTHORITIES_CSV = DATA_DIR / "local_authorities.csv"


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def searchable_areas() -> QuerySet[Area]:
    """Councils a search can find, each with its own page (addressed by GSS code)."""
    return Area.objects.councils().exclude(gss_code__isnull=True).exclude(gss_code="")


def searchable_measures() -> QuerySet[Measure]:
    """Measures with figures: each has its own page (a measure without figures has none)."""
    return Measure.objects.filter(
        Exists(Observation.objects.filter(dataset__measure=OuterRef("pk")))
    )


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _fields(row: dict[str, str]) -> dict:
    return {
        "gss_code": row["gss_code"] or None,
        "name": row["official_name"],
        "short_name": row["nice_name"] or row["official_name"],
        "authority_type": row["authority_type"],
        "authority_type_name": row["authority_type_name"],
        "nation": row["nation"],
        "region": row["region"],
        "is_current": row["current"] == "true",
        "start_date": _date(row["start_date"]),
        "end_date": _date(row["end_date"]),
        "replaced_by": row["replaced_by"],
        "combined_authority": row["combined_authority"],
        "former_gss_codes": row["former_gss_codes"],
        "slug": row["gov_uk_slug"],
    }


def do_import_areas(path: Path = LOCAL_AUTHORITIES_CSV) -> AreaImportResult:
    """Create or update every authority in ``path``; idempotent, all-or-nothing."""
    result = AreaImportResult()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = {area.code: area for area in Area.objects.all()}
    with transaction.atomic():
        for row in rows:
            fields = _fields(row)
            area = existing.get(row["local_authority_code"])
            if area is None:
                Area.objects.create(code=row["local_authority_code"], **fields)
                result.created += 1
                continue
            changed = [name for name, value in fields.items() if getattr(area, name) != value]
            if changed:
                for name in changed:
                    setattr(area, name, fields[name])
                area.save(update_fields=changed)
                result.updated += 1
            else:
                result.unchanged += 1
        if result.created or result.updated:
            record_publication()
    return result
