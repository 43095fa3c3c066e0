"""Creating members and their profiles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from communities.models import Profile, ProfileVisibility
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
