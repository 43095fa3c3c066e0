"""Creating members and their profiles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify

from communities.markdown import link_mentions, mentions_in_html
from communities.models import Profile, ProfileVisibility
from communities.permissions import can_see_profile
from linkeddata.models import Area


@transaction.atomic
def do_create_member(
    *,
    email: str,
    password: str | None,
    display_name: str,
    job_title: str = "",
    council: Area | None = None,
    bio: str = "",
    expertise: list[str] | tuple[str, ...] = (),
    visibility: str = ProfileVisibility.MEMBERS,
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """A new user with a profile; the email is the username, lower-cased."""
    User = get_user_model()
    email = email.strip().lower()
    user = User(username=email, email=email, is_staff=is_staff or is_superuser, is_superuser=is_superuser)
    first, _, last = display_name.partition(" ")
    user.first_name, user.last_name = first, last
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = Profile.objects.create(
        user=user, display_name=display_name, job_title=job_title, council=council, bio=bio, visibility=visibility
    )
    if expertise:
        profile.expertise.set(list(expertise))
        profile.save()
    return user


# -- mentions -------------------------------------------------------------------------------------


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


def with_mention_links(htmls: Sequence[str], viewer) -> list[SafeString]:
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
