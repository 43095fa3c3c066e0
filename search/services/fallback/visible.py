"""What a searcher may see, for the database search: every engine reads through these only."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from communities.models import (
    CommunityTag,
    GoodPracticePage,
    GoodPracticeTag,
    Profile,
    ThreadTag,
)
from communities.permissions import (
    listable_communities,
    readable_posts,
    readable_threads,
    visible_profile_filter,
)
from hub.floor.actor import Actor
from linkeddata.services.areas import searchable_areas, searchable_measures

TAG_MODELS: dict[str, type[Model]] = {
    "community": CommunityTag,
    "thread": ThreadTag,
    "good_practice": GoodPracticeTag,
}
TITLE_FIELDS = {
    "community": "title",
    "thread": "title",
    "good_practice": "title",
    "area": "short_name",
    "measure": "label",
}


def visible_querysets(user: Actor) -> dict[str, QuerySet[Any]]:
    """Per type of content, what ``user`` may see: the database twin of ``permission_filter``."""
    return {
        "community": listable_communities(user),
        "thread": readable_threads(user),
        "post": readable_posts(user).select_related("thread"),
        "good_practice": GoodPracticePage.objects.published(),
        "profile": Profile.objects.filter(visible_profile_filter(user), user__is_active=True),
        "area": searchable_areas(),
        "measure": searchable_measures(),
    }


def visible_tags(
    user: Actor, visible: dict[str, QuerySet[Any]] | None = None
) -> dict[str, QuerySet[Any]]:
    """Per type with tags, the tag links on content ``user`` may see (filter them, then read names)."""
    visible = visible if visible is not None else visible_querysets(user)
    return {
        name: model._default_manager.filter(content_object__in=visible[name].values("pk"))
        for name, model in TAG_MODELS.items()
    }


def visible_tag_names(user: Actor, prefix: str) -> list[str]:
    """Tag names on content ``user`` may see, starting with ``prefix``."""
    names: dict[str, None] = {}
    for rows in visible_tags(user).values():
        if prefix:
            rows = rows.filter(tag__name__istartswith=prefix)
        names.update(dict.fromkeys(rows.values_list("tag__name", flat=True).distinct()[:200]))
    return list(names)
