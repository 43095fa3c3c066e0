"""Reading people: display names, @mentions as profile links, directories and member lists.

Read functions only: no writes. Who may see a profile is ``communities.permissions`` alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify

from communities.markdown import link_mentions, mentions_in_html
from communities.models.communities import CommunityPage
from communities.models.memberships import Membership
from communities.models.profiles import Profile
from communities.permissions import (
    can_see_profile,
    class_viewer,
    mention_class,
    visible_profile_filter,
)
from hub.floor.actor import Actor
from hub.floor.fragments import kept_value

SEARCH_LENGTH = 100


def display_name_of(user: object | None) -> str:
    """The name a person goes by on the hub (their username if they have no profile)."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.get_username()  # type: ignore[attr-defined]


def profile_name(user: object | None) -> str | None:
    """A member's display name from their profile, or None (an account without a profile, or nobody)."""
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.display_name if profile else None


def profiles_by_handle(handles: Iterable[str]) -> dict[str, list[Profile]]:
    """The profiles each ``@first-last`` handle names (a display name in lower case, spaces as
    hyphens), with their users, in one query; a handle can name several people."""
    handles = set(handles)
    if not handles:
        return {}
    candidates = Q()
    for first in {handle.split("-")[0] for handle in handles}:
        candidates |= Q(display_name__icontains=first)
    found: dict[str, list[Profile]] = {}
    for profile in Profile.objects.filter(candidates).select_related("user").order_by("pk"):
        handle = slugify(profile.display_name)
        if handle in handles:
            found.setdefault(handle, []).append(profile)
    return found


def with_mention_links(htmls: Sequence[str], viewer: Actor) -> list[SafeString]:
    """Rendered posts with each mention linked to the member's profile where ``viewer`` may see it
    (``can_see_profile``); a handle that names several members stays plain, as it is unclear whom it
    means. One query for a whole page of posts."""
    handles = set().union(*(mentions_in_html(html) for html in htmls))
    links = {}
    for handle, profiles in profiles_by_handle(handles).items():
        members = [profile for profile in profiles if profile.user.is_active]
        if len(members) == 1 and can_see_profile(viewer, members[0]):
            links[handle] = reverse("member-profile", args=[members[0].user_id])
    return [link_mentions(html, links) for html in htmls]


def search_text(raw: str | None) -> str:
    return (raw or "").strip()[:SEARCH_LENGTH]


def member_directory(viewer: Actor, query: str = "") -> QuerySet[Profile]:
    """Profiles of active members that ``viewer`` may see, matching ``query`` when given."""
    profiles = (
        Profile.objects.filter(visible_profile_filter(viewer), user__is_active=True)
        .select_related("council")
        .order_by("display_name", "pk")
    )
    if query:
        profiles = profiles.filter(
            Q(display_name__icontains=query)
            | Q(job_title__icontains=query)
            | Q(council__short_name__icontains=query)
            | Q(expertise__name__iexact=query)
        ).distinct()
    return profiles


def member_directory_size(viewer: Actor, query: str = "") -> int:
    """How many profiles ``member_directory`` lists for ``viewer``. With no search, the count is the
    same for every viewer of a class (``mention_class``: the owner of a private profile is a class of
    their own), so it is kept per content generation and newest profile (a sign-up changes it) instead
    of counting every member on every page: at 600,000 members that count took most of a second."""
    if query:
        return member_directory(viewer, query).count()
    newest = Profile.objects.aggregate(newest=Max("pk"))["newest"] or 0
    return kept_value(
        "member-directory-size",
        [mention_class(viewer), newest],
        lambda: member_directory(class_viewer(viewer)).count(),
    )


def community_members(
    viewer: Actor, community: CommunityPage, *, facilitating: bool, query: str = ""
) -> QuerySet[Membership]:
    """A community's active members as ``viewer`` may list them: facilitators see everyone they
    manage; others the members whose profiles they may see."""
    memberships = (
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .select_related("user__profile__council")
        .order_by("user__profile__display_name", "pk")
    )
    if not facilitating:
        memberships = memberships.filter(
            user__profile__in=Profile.objects.filter(visible_profile_filter(viewer))
        )
    if query:
        memberships = memberships.filter(
            Q(user__profile__display_name__icontains=query)
            | Q(user__profile__job_title__icontains=query)
        )
    return memberships
