from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailConfirmation(models.Model):
    """An account made through sign-up, waiting for (or done with) its email confirmation.

    Accounts created by staff, the demo or an accepted invitation have no row and count as
    confirmed; an account with an unconfirmed row may sign in but may not post.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_confirmation"
    )
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} ({'confirmed' if self.confirmed_at else 'unconfirmed'})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class SignInThrottle(models.Model):
    """Failed sign-ins counted under one key: an account name (hashed) or a client address.

    Kept in the database so the count holds across processes and servers; see
    ``communities.people.services.signin``.
    """

    key = models.CharField(max_length=100, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locks = models.PositiveIntegerField(
        default=0, help_text="Locks in a row: each doubles the next."
    )
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures"


class AccountEmail(models.Model):
    """An account email sent (confirmation, password reset, invitation, sign-up notice), kept to
    limit how many go to one address and how many one requester causes in an hour."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Email confirmation"
        PASSWORD_RESET = "password_reset", "Password reset"
        INVITATION = "invitation", "Invitation"
        SIGN_UP_NOTICE = "sign_up_notice", "Someone tried to sign up with the address"
        LOCKED = "locked", "Sign-in locked"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.CharField(max_length=254)
    requester = models.CharField(
        max_length=100, help_text="Client address or member who caused it."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "sent_at"]),
            models.Index(fields=["requester", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"
