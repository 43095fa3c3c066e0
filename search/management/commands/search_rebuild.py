from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.client import SEARCH_ERRORS, is_enabled
from search.indexing import do_rebuild
from search.progress import format_seconds


class Command(BaseCommand):
    help = "Build a new search index from the database and switch searches to it with no downtime."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=1000, help="objects read and sent per batch"
        )

    def handle(self, *args: Any, chunk_size: int, **options: Any) -> None:
        if not is_enabled():
            raise CommandError(
                "ELASTICSEARCH_URL is not set: the hub is searching its database, nothing to rebuild."
            )
        try:
            # An OutputWrapper writes like the TextIO that search.progress.Progress is annotated to take.
            result = do_rebuild(chunk_size=max(chunk_size, 1), out=self.stderr)  # type: ignore[arg-type]
        except SEARCH_ERRORS as exc:
            raise CommandError(
                f"the rebuild stopped, searches still use the previous index: {exc}"
            ) from exc
        rate = result.documents / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Indexed {result.documents:,} documents into {result.index} in "
            f"{format_seconds(result.seconds)} ({rate:,.0f}/s); searches now use it."
        )
        if result.replaced:
            self.stdout.write(f"Removed the previous index: {', '.join(result.replaced)}")
