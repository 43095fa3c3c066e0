"""The type of "the acting user": whoever a service acts for, signed in or not."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User

# The acting user, signed in or anonymous: what ``request.user`` is (mypy accepts it as its type).
Actor: TypeAlias = AbstractBaseUser | AnonymousUser

# A signed-in user: the hub uses Django's default user model (narrow an Actor with isinstance).
AuthenticatedActor: TypeAlias = User

__all__ = ["Actor", "AuthenticatedActor"]
