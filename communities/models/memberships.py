from __future__ import annotations

from django.conf import settings
from django.db import models


class Membership(models.Model):
    """A person's place in a community: their role and whether the membership is in force."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"
        OWNER = "owner", "Owner"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING = "pending", "Requested to join"
        INVITED = "invited", "Invited"
        BANNED = "banned", "Banned"
        LEFT = "left", "Left"

    community = models.ForeignKey(
        "communities.CommunityPage", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="one_membership_per_community"
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def can_facilitate(self) -> bool:
        return self.is_active and self.role in {self.Role.FACILITATOR, self.Role.OWNER}
