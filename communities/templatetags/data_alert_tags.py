"""The member's follows of figures, for the notification settings page."""

from __future__ import annotations

from typing import Any

from django import template

from communities.data_alerts.queries import follows_of, follows_own_council

register = template.Library()


@register.simple_tag(takes_context=True)
def data_follows(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    profile = getattr(user, "profile", None)
    return {
        "follows": list(follows_of(user)),
        "council": profile.council if profile is not None else None,
        "own_council": follows_own_council(user),
    }
