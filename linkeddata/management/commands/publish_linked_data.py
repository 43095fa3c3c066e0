"""manage.py publish_linked_data: rebuild the RDF store and the downloads from the tables."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkeddata.services.content import do_publish_content
from linkeddata.services.publish import do_publish_all, do_publish_pending
from linkeddata.store import StoreUnavailable


class Command(BaseCommand):
    help = (
        "Rebuild every dataset's named graph, the reference graph, the public content's graph and "
        "the CSV/N-Triples downloads "
        "(--pending: only what imports left waiting; --content: only the public content's graph, "
        "rebuilt whole, to repair it after edits made outside the services)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pending",
            action="store_true",
            help="publish only the graphs still waiting to be published",
        )
        parser.add_argument(
            "--content",
            action="store_true",
            help="rebuild only the public content's graph, whole, from what is public now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        hint = "Stop the process that holds the store (the web server) or start the SPARQL server, and try again."
        if options["content"]:
            try:
                do_publish_content(progress)
            except StoreUnavailable as exc:
                raise CommandError(f"{exc}. {hint}") from None
            self.stdout.write(self.style.SUCCESS("Published the public content."))
            return
        if options["pending"]:
            result = do_publish_pending(progress)
            if result.error:
                raise CommandError(
                    f"{result.error}. {result.remaining} graph(s) are still pending. {hint}"
                )
            self.stdout.write(
                self.style.SUCCESS(f"Published {len(result.published)} pending graph(s).")
            )
            return
        try:
            do_publish_all(progress)
        except StoreUnavailable as exc:
            raise CommandError(f"{exc}. {hint}") from None
        self.stdout.write(self.style.SUCCESS("Published."))
