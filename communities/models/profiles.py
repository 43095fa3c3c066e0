from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

# A scheme, "www.", an email address or a bare domain ("example.com"): a name must not carry a link
# into the emails and pages that show it.
LINK_LIKE = re.compile(r"://|\bwww\.|@|[a-z0-9-]\.[a-z]{2,}\b", re.IGNORECASE)
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners, needed by some scripts


def validate_display_name(value: str) -> None:
    """A person's name as shown to others and in emails: no links, no line breaks or control characters."""
    if any(
        unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} and ch not in ALLOWED_FORMAT_CHARACTERS
        for ch in value
    ):
        raise ValidationError(
            "A name cannot contain line breaks or invisible control characters.", code="control"
        )
    if LINK_LIKE.search(value):
        raise ValidationError(
            "A name cannot contain a web address or an email address "
            "(put a space after a full stop, as in “J. Smith”).",
            code="link",
        )


class ProfileVisibility(models.TextChoices):
    PUBLIC = "public", "Anyone"
    MEMBERS = "members", "Signed-in members of the hub"
    PRIVATE = "private", "Only me and site staff"


class ExpertiseTag(TaggedItemBase):
    content_object = ParentalKey(
        "communities.Profile", related_name="tagged_items", on_delete=models.CASCADE
    )


class Profile(ClusterableModel):
    """What a practitioner tells others about themselves, and who may see it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=120, validators=[validate_display_name])
    job_title = models.CharField(max_length=120, blank=True)
    council = models.ForeignKey(
        "linkeddata.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    bio = models.TextField(blank=True, max_length=2000)
    expertise = TaggableManager(through=ExpertiseTag, blank=True, verbose_name="expertise")
    visibility = models.CharField(
        max_length=10, choices=ProfileVisibility.choices, default=ProfileVisibility.MEMBERS
    )

    class Meta:
        ordering = ["display_name"]
        indexes = [  # the member directory's order: a page of it without sorting every profile
            models.Index(fields=["display_name", "id"], name="profile_directory_order")
        ]

    def __str__(self) -> str:
        return self.display_name
