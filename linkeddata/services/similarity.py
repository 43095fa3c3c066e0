"""Importing the ONS similar-authority rankings and clusters (``linkeddata/data/ons_*.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from linkeddata.models import Cluster, SimilarArea
from linkeddata.services.areas import DATA_DIR
from linkeddata.services.imports import area_codes
from linkeddata.services.progress import Progress, reporter
from linkeddata.services.publish import record_publication

SIMILAR_CSV = DATA_DIR / "ons_similar_authorities.csv"
CLUSTERS_CSV = DATA_DIR / "ons_cluster_allocation.csv"
CLUSTER_DESCRIPTIONS_CSV = DATA_DIR / "ons_cluster_descriptions.csv"


@dataclass
class SimilarityImportResult:
    links: int = 0
    changed: bool = False
    skipped_codes: tuple[str, ...] = ()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def do_import_similarity(progress: Progress | None = None) -> SimilarityImportResult:
    """Replace the similar-area links and clusters when the files differ from what is stored.

    Codes the authority list lacks (new combined authorities) are skipped and reported.
    """
    say = reporter(progress)
    codes = area_codes()
    skipped: set[str] = set()
    wanted = set()
    for row in _read(SIMILAR_CSV):
        area, similar = codes.get(row["gss_code"]), codes.get(row["similar_gss_code"])
        if area is None or similar is None:
            skipped.update(
                code for code in (row["gss_code"], row["similar_gss_code"]) if code not in codes
            )
            continue
        wanted.add((area.pk, similar.pk, row["similarity_type"], int(row["rank"])))
    existing = set(
        SimilarArea.objects.values_list("area_id", "similar_id", "similarity_type", "rank")
    )
    result = SimilarityImportResult(links=len(wanted), skipped_codes=tuple(sorted(skipped)))
    if wanted != existing:
        SimilarArea.objects.all().delete()
        SimilarArea.objects.bulk_create(
            [
                SimilarArea(area_id=a, similar_id=s, similarity_type=t, rank=r)
                for a, s, t, r in sorted(wanted)
            ],
            batch_size=5000,
        )
        result.changed = True
    say(
        f"similar authorities: {len(wanted)} links"
        + (" (updated)" if result.changed else " (unchanged)")
    )

    descriptions = {
        (row["similarity_type"], row["cluster"]): row["description"]
        for row in _read(CLUSTER_DESCRIPTIONS_CSV)
    }
    clusters = {}
    for (kind, code), description in descriptions.items():
        cluster, _ = Cluster.objects.update_or_create(
            similarity_type=kind, code=code, defaults={"description": description}
        )
        clusters[(kind, code)] = cluster
    members: dict[tuple[str, str], set[int]] = {key: set() for key in clusters}
    for row in _read(CLUSTERS_CSV):
        area = codes.get(row["gss_code"])
        for kind in ("global", "economic", "demographic"):
            letter = row[f"{kind}_cluster"]
            if area is not None and letter and (kind, letter) in clusters:
                members[(kind, letter)].add(area.pk)
    for key, area_ids in members.items():
        cluster = clusters[key]
        if set(cluster.areas.values_list("pk", flat=True)) != area_ids:
            cluster.areas.set(area_ids)
            result.changed = True
    say(
        f"clusters: {len(clusters)}"
        + (
            f"; skipped codes not in the authority list: {', '.join(result.skipped_codes)}"
            if skipped
            else ""
        )
    )
    if result.changed:
        record_publication(progress=progress)
    return result
