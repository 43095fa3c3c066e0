from __future__ import annotations

from django.conf import settings
from django.db import models

from communities.models.communities import Visibility


class CommunityProposal(models.Model):
    """A practitioner's proposal for a new community, decided by site staff."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_proposals"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.OPEN
    )
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated topics")
    reason = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    response = models.TextField(max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    community = models.ForeignKey(
        "communities.CommunityPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"
