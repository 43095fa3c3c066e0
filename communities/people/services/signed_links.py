"""Signed, expiring tokens for the links we email (confirmations, invitations)."""

from __future__ import annotations

from typing import Any

from django.core import signing


def read_signed_token(
    token: str, *, salt: str, max_age: int, expired: Exception, invalid: Exception
) -> dict[str, Any]:
    """The data signed into ``token``; raises ``expired`` or ``invalid`` (messages for the person)."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise expired from None
    except signing.BadSignature:
        raise invalid from None
    return data if isinstance(data, dict) else {}
