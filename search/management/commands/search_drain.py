import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from search.indexing import do_index_pending


class Command(BaseCommand):
    help = "Index what the outbox holds now (also what is waiting out a back-off); --watch keeps doing it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--watch",
            type=float,
            default=0,
            metavar="SECONDS",
            help="repeat every SECONDS (a periodic drain beside the task worker)",
        )

    def handle(self, *args: Any, watch: float, **options: Any) -> None:
        while True:
            result = do_index_pending(include_backoff=True)
            state = "Elasticsearch unreachable, will retry" if result.unreachable else "up to date"
            self.stdout.write(
                f"indexed {result.indexed}, deleted {result.deleted}, failed {result.failed}: {state}"
            )
            if not watch:
                return
            time.sleep(watch)
