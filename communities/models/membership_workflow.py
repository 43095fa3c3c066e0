"""How people come to belong to a community: requests to join and invitations (the memberships
themselves are ``communities.models.memberships``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class JoinRequest(models.Model):
    """A request to join a restricted community and its outcome, which the requester sees."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a facilitator"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    community = models.ForeignKey(
        "communities.CommunityPage", on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(
        max_length=1000, blank=True, help_text="What the requester told the facilitators"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    response = models.TextField(
        max_length=1000, blank=True, help_text="The facilitator's optional message"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.community_id} ({self.status})"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        """Invitations whose link still works: not accepted, not withdrawn and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            created_at__gt=timezone.now() - Invitation.VALID_FOR,
        )

    def past(self) -> InvitationQuerySet:
        """Accepted, withdrawn or expired invitations (everything ``pending`` leaves out)."""
        return self.exclude(pk__in=self.pending().values("pk"))


class Invitation(models.Model):
    """An invitation by email to join a community; its signed link works once, until it expires or a
    facilitator withdraws it (a ban withdraws it too)."""

    VALID_FOR = timedelta(days=14)

    community = models.ForeignKey(
        "communities.CommunityPage", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.community_id}"

    @property
    def expires_at(self) -> datetime:
        """When the link stops working (it is signed when the invitation is made)."""
        return self.created_at + self.VALID_FOR
