"""Signing up, confirming an email address, and what a new password revokes.

Sign-up and resending a confirmation answer the same whether or not the address has an account:
the owner of a taken address is emailed instead (how to sign in or reset), and every account email
goes through ``email_limits`` first.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from communities.errors import Invalid
from communities.models import AccountEmail, EmailConfirmation, NotificationSettings, PersonalToken
from communities.people.services.email_limits import do_allow_account_email
from communities.people.services.mail import queue_email, site_url
from communities.people.services.profiles import do_create_member
from communities.people.services.signed_links import read_signed_token
from hub.floor.actor import AuthenticatedActor

CONFIRMATION_SALT = "communities.email-confirmation"
CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3  # three days


def account_for_address(email: str) -> AuthenticatedActor | None:
    return get_user_model().objects.filter(username__iexact=email.strip()).first()


@transaction.atomic
def do_sign_up(
    *,
    email: str,
    password: str,
    display_name: str,
    requester: str = "",
    base_url: str | None = None,
) -> AuthenticatedActor | None:
    """A new account, unconfirmed until its owner follows the link emailed to them.

    When the address already has an account nothing is created: its owner is emailed how to sign
    in or reset their password, and None is returned. Callers show the same page either way.
    """
    existing = account_for_address(email)
    if existing is not None:
        if existing.is_active and do_allow_account_email(
            AccountEmail.Kind.SIGN_UP_NOTICE, existing.email, requester
        ):
            queue_email(
                [existing.email],
                "registration/sign_up_notice",
                {
                    "user": existing,
                    "login_link": (base_url or site_url()) + reverse("login"),
                    "reset_link": (base_url or site_url()) + reverse("password_reset"),
                },
            )
        return None
    user = do_create_member(email=email, password=password, display_name=display_name.strip())
    EmailConfirmation.objects.create(user=user, email=user.email)
    if do_allow_account_email(AccountEmail.Kind.CONFIRMATION, user.email, requester):
        do_send_confirmation(user, base_url=base_url)
    return user


@transaction.atomic
def do_resend_confirmation(email: str, *, requester: str = "", base_url: str | None = None) -> None:
    """Send a new confirmation link if ``email`` has an account waiting for confirmation.

    Says nothing either way (the caller shows one message), and is rate-limited.
    """
    if not do_allow_account_email(AccountEmail.Kind.CONFIRMATION, email, requester):
        return
    user = account_for_address(email)
    if user is not None and user.is_active:
        waiting = EmailConfirmation.objects.filter(user=user, confirmed_at__isnull=True).exists()
        if waiting:
            do_send_confirmation(user, base_url=base_url)


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


@transaction.atomic
def do_revoke_credentials(user: AuthenticatedActor) -> int:
    """After a password reset or change: the member's personal API tokens and secret feed links
    stop working (feed links can be made again on the settings page). Returns how many tokens went.

    Other sessions end by themselves: Django signs a session with the password's hash, so a new
    password signs out every session but the one the caller keeps (``update_session_auth_hash``).
    """
    revoked, _ = PersonalToken.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).update(feed_token_digest=None)
    return revoked
