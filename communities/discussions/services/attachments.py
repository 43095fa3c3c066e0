"""Where attachments live: a Wagtail collection closed to direct download, served by a checked view."""

from __future__ import annotations

from wagtail.models import Collection, CollectionViewRestriction

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
