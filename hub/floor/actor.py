"""The type of "the acting user": whoever a service acts for, signed in or not.

Import it where models may be imported (services, read functions, views), not from settings.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# The acting user, signed in or anonymous: exactly what django-stubs types ``request.user`` as, since
# the hub uses Django's own user model (AUTH_USER_MODEL = auth.User). ``AbstractBaseUser |
# AnonymousUser`` would accept request.user too, but has no ``is_staff`` or ``has_perm``.
# ``if actor.is_authenticated:`` narrows an Actor to AuthenticatedActor.
Actor: TypeAlias = User | AnonymousUser

# A signed-in user.
AuthenticatedActor: TypeAlias = User

__all__ = ["Actor", "AuthenticatedActor"]
