"""Sign-in throttling: failed sign-ins counted per account name and per client address.

The counts live in the database (``SignInThrottle``), so they hold across processes and servers.
After ``SIGN_IN_FAILURES_PER_ACCOUNT`` failures for one account name (or
``SIGN_IN_FAILURES_PER_ADDRESS`` from one client address) within ``SIGN_IN_LOCK_MINUTES``, sign-in
under that name (or from that address) is refused for ``SIGN_IN_LOCK_MINUTES``, doubling with each
lock in a row (at most a day), and the account's owner is emailed. Names are counted whether or not
an account has them, so the refusal says nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from communities.errors import RateLimited
from communities.models import SignInThrottle
from communities.people.services.mail import queue_email, site_url

logger = logging.getLogger("communities.signin")

MAX_LOCK = timedelta(days=1)


def account_key(name: str) -> str:
    """The throttle key of an account name: hashed, as a mistyped name may be a password."""
    return "account:" + hashlib.sha256(name.strip().lower().encode()).hexdigest()


def address_key(address: str) -> str:
    return "address:" + address


def _limits(name: str, address: str | None) -> dict[str, int]:
    limits = {account_key(name): settings.SIGN_IN_FAILURES_PER_ACCOUNT}
    if address:
        limits[address_key(address)] = settings.SIGN_IN_FAILURES_PER_ADDRESS
    return limits


def locked_message(remaining: timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed attempts; try again in {minutes} {unit} or reset your password."


def check_sign_in_allowed(name: str, address: str | None) -> None:
    """Raise ``RateLimited`` (with the message to show) while the name or the address is locked."""
    now = timezone.now()
    until = SignInThrottle.objects.filter(
        key__in=list(_limits(name, address)), locked_until__gt=now
    ).aggregate(until=Max("locked_until"))["until"]
    if until is not None:
        logger.warning("Sign-in refused while locked: account %r from %s", name[:150], address)
        raise RateLimited(locked_message(until - now))


def do_record_sign_in_failure(name: str, address: str | None) -> datetime | None:
    """Count a failed sign-in; returns when sign-in unlocks if this failure locked it, else None."""
    now = timezone.now()
    window = timedelta(minutes=settings.SIGN_IN_LOCK_MINUTES)
    locked_until: datetime | None = None
    account_locked_for: timedelta | None = None
    with transaction.atomic():
        for key, limit in _limits(name, address).items():
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(key=key)
            if now - row.window_started_at > window:
                row.failures, row.window_started_at = 0, now
            row.failures += 1
            if row.failures >= limit:
                duration = min(window * 2**row.locks, MAX_LOCK)
                row.locked_until = now + duration
                row.locks += 1
                row.failures, row.window_started_at = 0, now
                locked_until = max(locked_until or row.locked_until, row.locked_until)
                if key.startswith("account:"):
                    account_locked_for = duration
            row.save()
        if account_locked_for is not None:
            _tell_owner_of_lock(name, account_locked_for)
    logger.warning(
        "Failed sign-in: account %r from %s%s",
        name[:150],
        address,
        f"; locked until {locked_until:%Y-%m-%d %H:%M:%S %Z}" if locked_until else "",
    )
    return locked_until


def do_record_sign_in_success(name: str) -> None:
    """A correct password clears the account name's failures and lock history."""
    SignInThrottle.objects.filter(key=account_key(name)).delete()


def do_clear_account_lock(name: str) -> None:
    """A password reset proves the owner: their account name is unlocked (a client address stays
    locked), as the lock message promises."""
    do_record_sign_in_success(name)


def _tell_owner_of_lock(name: str, duration: timedelta) -> None:
    user = (
        get_user_model()
        .objects.filter(username__iexact=name.strip(), is_active=True)
        .exclude(email="")
        .first()
    )
    if user is None:
        return
    queue_email(
        [user.email],
        "registration/sign_in_locked",
        {
            "user": user,
            "minutes": math.ceil(duration.total_seconds() / 60),
            "reset_link": site_url() + reverse("password_reset"),
        },
    )
