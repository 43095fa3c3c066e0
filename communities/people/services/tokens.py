"""Personal API tokens."""

from __future__ import annotations

from django.utils import timezone

from communities.models import PersonalToken
from communities.models.tokens import token_digest
from hub.floor.actor import AuthenticatedActor


def do_create_token(user: AuthenticatedActor, name: str) -> tuple[PersonalToken, str]:
    """A new token for ``user``; the raw value is returned once and never stored."""
    raw = PersonalToken.generate()
    token = PersonalToken.objects.create(
        user=user, name=(name or "API token")[:100], digest=token_digest(raw), hint=raw[:10]
    )
    return token, raw


def do_revoke_token(user: AuthenticatedActor, token_id: int) -> bool:
    deleted, _ = PersonalToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def user_for_token(raw: str) -> AuthenticatedActor | None:
    """The active user a raw token belongs to, or None; records when it was last used."""
    token = PersonalToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
