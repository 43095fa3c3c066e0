"""Where attachments live: a Wagtail collection closed to direct download, served by a checked view.

Their files are under ``PRIVATE_MEDIA_ROOT`` (``hub.floor.storage``), never under the public media
folder, each in a folder with a random name, so that neither the web server nor a guessed URL can
reach them: only ``/discussions/attachments/<id>/`` serves them, to readers of the thread.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath

from django.core.files import File
from django.db import transaction
from wagtail.models import Collection, CollectionViewRestriction

from communities.models import Attachment
from hub.floor.storage import move_to_private_location

ATTACHMENTS_COLLECTION = "Discussion attachments"


def attachments_collection() -> Collection:
    """The collection (created on first use) whose documents Wagtail's own URL serves to no one but
    superusers; members download attachments through the permission-checked attachment view."""
    collection = Collection.objects.filter(name=ATTACHMENTS_COLLECTION).first()
    if collection is None:
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        collection = root.add_child(name=ATTACHMENTS_COLLECTION)
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
    return collection


def unguessable_name(filename: str) -> str:
    """``<random>/<filename>``: the file keeps its name for the download, behind an unguessable folder."""
    return f"{secrets.token_urlsafe(18)}/{PurePath(filename or 'attachment').name}"


def is_unguessable(name: str) -> bool:
    parts = PurePath(name).parts  # documents/<random>/<filename>
    return len(parts) == 3 and len(parts[1]) >= 24


def do_secure_attachments() -> tuple[int, int]:
    """Bring attachments stored before the private location existed up to date: move each file out of
    the public media folder and give it an unguessable name. Idempotent; returns (moved, renamed)."""
    moved = renamed = 0
    for attachment in Attachment.objects.select_related("document").order_by("pk"):
        document = attachment.document
        if move_to_private_location(document.file.name):
            moved += 1
        if is_unguessable(document.file.name) or not document.file.storage.exists(
            document.file.name
        ):
            continue
        old = document.file.name
        with transaction.atomic(), document.file.storage.open(old, "rb") as content:
            document.file.save(unguessable_name(PurePath(old).name), File(content), save=False)
            document.save(update_fields=["file"])
        document.file.storage.delete(old)
        renamed += 1
    return moved, renamed
