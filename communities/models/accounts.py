from __future__ import annotations

from django.conf import settings
from django.db import models


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
