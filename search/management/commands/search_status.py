from typing import Any

from django.core.management.base import BaseCommand

from search.client import is_enabled
from search.indexing import status_report
from search.progress import format_seconds


class Command(BaseCommand):
    help = "Show the search index, its documents per type against the database, and the indexing backlog."

    def handle(self, *args: Any, **options: Any) -> None:
        report = status_report()
        if not is_enabled():
            self.stdout.write("Search backend: database (ELASTICSEARCH_URL is not set)")
        elif not report["reachable"]:
            self.stdout.write(
                f"Search backend: Elasticsearch, NOT reachable: {report.get('error', '')}"
            )
        else:
            self.stdout.write(
                f"Index: {', '.join(report['indexes']) or '(none yet: run search_rebuild)'} "
                f"(alias {report['alias']})"
            )
        self.stdout.write(f"{'type':<15}{'database':>10}{'index':>10}")
        for name, counts in report["counts"].items():
            flag = "" if counts["database"] == counts["index"] else "  differs"
            self.stdout.write(f"{name:<15}{counts['database']:>10,}{counts['index']:>10,}{flag}")
        self.stdout.write(
            f"Outbox backlog: {report['backlog']:,} pending"
            + (
                f", oldest {format_seconds(report['oldest_seconds'])} old"
                if report["backlog"]
                else ""
            )
            + f"; {report['failed']:,} failed"
        )
