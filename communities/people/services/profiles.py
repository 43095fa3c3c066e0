"""Creating members and their profiles."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from communities.errors import Invalid, Refusal
from communities.events import announce
from communities.models import Profile, ProfileVisibility
from communities.models.profiles import validate_display_name
from hub.floor.actor import Actor, AuthenticatedActor
from linkeddata.models import Area


def check_display_name(display_name: str) -> None:
    """Raise ``Invalid`` unless ``display_name`` is a name: no links, line breaks or control characters."""
    if not display_name.strip():
        raise Invalid("Enter your name.")
    try:
        validate_display_name(display_name)
    except ValidationError as exc:
        raise Invalid(exc.messages[0]) from None


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
) -> AuthenticatedActor:
    """A new user with a profile; the email is the username, lower-cased."""
    check_display_name(display_name)
    User = get_user_model()
    email = email.strip().lower()
    user = User(
        username=email, email=email, is_staff=is_staff or is_superuser, is_superuser=is_superuser
    )
    first, _, last = display_name.partition(" ")
    user.first_name, user.last_name = first, last
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = Profile.objects.create(
        user=user,
        display_name=display_name,
        job_title=job_title,
        council=council,
        bio=bio,
        visibility=visibility,
    )
    if expertise:
        profile.expertise.set(list(expertise))
        profile.save()
    return user


@transaction.atomic
def do_update_profile(
    profile: Profile,
    *,
    by: Actor,
    display_name: str,
    job_title: str = "",
    council: Area | None = None,
    bio: str = "",
    expertise: list[str] | tuple[str, ...] = (),
    visibility: str = ProfileVisibility.MEMBERS,
) -> Profile:
    """Save a member's own profile; who may see it changes at once everywhere (search included)."""
    if not by.is_authenticated or profile.user_id != by.pk:  # (an anonymous visitor's pk is None)
        raise Refusal("You can only change your own profile.")
    if visibility not in ProfileVisibility.values:
        raise Invalid("Choose who may see your profile.")
    check_display_name(display_name)
    profile.display_name, profile.job_title, profile.council = display_name, job_title, council
    profile.bio, profile.visibility = bio, visibility
    profile.save()
    profile.expertise.set(list(expertise))
    announce("profile", [profile.pk], "edited", actor=by)
    return profile
