"""Limits on account emails, so that no form can be used to flood an inbox.

Every request for an account email (confirmation, password reset, invitation, sign-up notice) is
counted per recipient address and per requester (a client address, or the member who invited) over
a rolling hour, whether or not an account has the address, so the limit reveals nothing either.
Over a limit the email is not sent and the page answers as usual.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from communities.models import AccountEmail

logger = logging.getLogger("communities.accounts")


@transaction.atomic
def do_allow_account_email(
    kind: str, recipient: str, requester: str, *, per_requester: int | None = None
) -> bool:
    """Count one request for a ``kind`` email to ``recipient``; False (send nothing) over a limit.

    An empty ``requester`` (a call from code, not a request) is counted per address only.
    ``per_requester`` overrides ``ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR`` (invitations use
    ``INVITATIONS_PER_HOUR`` per facilitator).
    """
    recipient = recipient.strip().lower()
    recent = AccountEmail.objects.filter(sent_at__gte=timezone.now() - timedelta(hours=1))
    if recent.filter(recipient=recipient).count() >= settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR:
        logger.warning("Account email (%s) to %s not sent: address limit reached", kind, recipient)
        return False
    limit = per_requester or settings.ACCOUNT_EMAILS_PER_CLIENT_PER_HOUR
    if requester and recent.filter(requester=requester).count() >= limit:
        logger.warning(
            "Account email (%s) for %s not sent: requester limit reached", kind, requester
        )
        return False
    AccountEmail.objects.create(kind=kind, recipient=recipient, requester=requester[:100])
    return True


def member_requester(user_id: int | None) -> str:
    """The requester key of a signed-in member (invitations count per facilitator)."""
    return f"member:{user_id}"
