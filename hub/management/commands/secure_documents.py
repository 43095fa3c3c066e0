"""Move documents and attachments stored before PRIVATE_MEDIA_ROOT existed out of the public media folder."""

from django.core.management.base import BaseCommand
from wagtail.documents import get_document_model

from communities.discussions.services.attachments import do_secure_attachments
from hub.floor.storage import move_to_private_location, public_documents_left


class Command(BaseCommand):
    help = (
        "Move every Wagtail document's file from MEDIA_ROOT to PRIVATE_MEDIA_ROOT and give each post "
        "attachment an unguessable file name. Run once after upgrading; running it again changes nothing."
    )

    def handle(self, *args, **options):
        moved = sum(
            move_to_private_location(name)
            for name in get_document_model().objects.values_list("file", flat=True)
        )
        attachments_moved, renamed = do_secure_attachments()
        self.stdout.write(
            f"{moved + attachments_moved} document files moved to the private location, "
            f"{renamed} attachments given unguessable names."
        )
        left = public_documents_left()
        if left:
            self.stderr.write(
                f"{len(left)} files under the public media folder's documents/ belong to no document "
                f"(for example {left[0]}): delete them or move them yourself."
            )
