"""Alerts a member can switch off from the email that brought them: one registry, one signed link.

An alert is named by a short string, ``"<kind>:<id>"`` (``"saved-search:12"``, ``"follow:34"``,
``"digest"``), carried on its notifications (``Notification.alert``) and in its emails. Each kind of
alert registers once at start-up (its app's ``ready()``) the function that switches one off for a
member; the unsubscribe link names the member and the alert, signed, so it works without signing in
and only for that member's own alert.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core import signing

if TYPE_CHECKING:  # the core stays free of Django's models at import time
    from hub.floor.actor import AuthenticatedActor

Unsubscribe = Callable[["AuthenticatedActor", str], bool]
"""Switch off the member's alert named by the part after the colon; whether anything changed."""

_SALT = "communities.alerts.unsubscribe"
_handlers: dict[str, Unsubscribe] = {}


def on_unsubscribe(kind: str, handler: Unsubscribe) -> None:
    """Let members switch off alerts of ``kind`` from their emails; registering twice is harmless."""
    _handlers[kind] = handler


def knows(alert: str) -> bool:
    """Whether some part of the hub can switch ``alert`` off."""
    return alert.partition(":")[0] in _handlers


def unsubscribe_token(user_id: int, alert: str) -> str:
    """The signed token of an unsubscribe link: this member, this alert."""
    return signing.dumps({"u": user_id, "a": alert}, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The member and alert a token names; raises ``signing.BadSignature`` for any other text."""
    data = signing.loads(token, salt=_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("not an unsubscribe token")
    return data["u"], str(data.get("a", ""))


def do_unsubscribe(user: AuthenticatedActor, alert: str) -> bool:
    """Switch off ``user``'s ``alert``; False when no part of the hub knows it or nothing changed."""
    kind, _, rest = alert.partition(":")
    handler = _handlers.get(kind)
    return handler(user, rest) if handler is not None else False
