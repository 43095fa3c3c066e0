from __future__ import annotations

from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase


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
    display_name = models.CharField(max_length=120)
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

    def __str__(self) -> str:
        return self.display_name
