"""manage.py publish_linked_data: rebuild the RDF store and the downloads from the tables."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from linkeddata.services.publish import do_publish_all
from linkeddata.store import StoreUnavailable


class Command(BaseCommand):
    help = "Rebuild every dataset's named graph, the reference graph and the CSV/N-Triples downloads."

    def handle(self, *args, **options):
        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            do_publish_all(progress)
        except StoreUnavailable as exc:
            raise CommandError(f"{exc}. Stop the process that holds it (the web server) and try again.") from None
        self.stdout.write(self.style.SUCCESS("Published."))
