"""Signing up and confirming an email address."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from communities.errors import Invalid
from communities.models import EmailConfirmation
from communities.people.services.mail import queue_email, site_url
from communities.people.services.profiles import do_create_member
from communities.people.services.signed_links import read_signed_token
from hub.floor.actor import AuthenticatedActor

CONFIRMATION_SALT = "communities.email-confirmation"
CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3  # three days


def check_email_is_free(email: str) -> None:
    if get_user_model().objects.filter(username__iexact=email.strip()).exists():
        raise Invalid("An account with this email already exists. Sign in, or reset your password.")


@transaction.atomic
def do_sign_up(
    *, email: str, password: str, display_name: str, base_url: str | None = None
) -> AuthenticatedActor:
    """A new account, unconfirmed until its owner follows the link emailed to them."""
    check_email_is_free(email)
    user = do_create_member(email=email, password=password, display_name=display_name.strip())
    EmailConfirmation.objects.create(user=user, email=user.email)
    do_send_confirmation(user, base_url=base_url)
    return user


def confirmation_token(user: AuthenticatedActor) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRMATION_SALT, compress=True)


def do_send_confirmation(user: AuthenticatedActor, base_url: str | None = None) -> None:
    """Email ``user`` a signed link that confirms their address (valid for three days)."""
    link = (base_url or site_url()) + reverse("confirm-email", args=[confirmation_token(user)])
    queue_email([user.email], "registration/confirm_email", {"user": user, "link": link, "days": 3})


@transaction.atomic
def do_confirm_email(token: str) -> AuthenticatedActor:
    """Confirm the address in ``token``; returns the user. Confirming twice is harmless."""
    data = read_signed_token(
        token,
        salt=CONFIRMATION_SALT,
        max_age=CONFIRMATION_MAX_AGE,
        expired=Invalid("This confirmation link has expired. Sign in and ask for a new one."),
        invalid=Invalid("This confirmation link is not valid. Check you copied all of it."),
    )
    # pk=None (no "u" in the token) is a valid lookup (IS NULL) that the django-stubs plugin refuses
    user = get_user_model().objects.filter(pk=data.get("u"), email=data.get("e")).first()  # type: ignore[misc]
    if user is None:
        raise Invalid("This confirmation link is not valid any more.")
    do_mark_email_confirmed(user)
    return user


def do_mark_email_confirmed(user: AuthenticatedActor) -> None:
    EmailConfirmation.objects.filter(user=user, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
