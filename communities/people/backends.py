"""The authentication backend every sign-in goes through (the hub's form, Wagtail's admin login, any
caller of ``django.contrib.auth.authenticate``), with failures throttled in the database."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from communities.errors import RateLimited
from communities.people.services import signin
from hub.floor.clients import client_address


class SignInLocked(ValidationError):
    """Raised out of ``authenticate()``: login forms show it as the form's error, with its message."""


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend behind ``communities.people.services.signin``'s limits."""

    def authenticate(self, request, username=None, password=None, **kwargs: Any):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        try:
            signin.check_sign_in_allowed(username, address)
        except RateLimited as refusal:
            raise SignInLocked(str(refusal), code="locked") from None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            locked_until = signin.do_record_sign_in_failure(username, address)
            if locked_until is not None:
                try:
                    signin.check_sign_in_allowed(username, address)
                except RateLimited as refusal:
                    raise SignInLocked(str(refusal), code="locked") from None
            return None
        signin.do_record_sign_in_success(username)
        return user

    def get_user(self, user_id):
        """The signed-in user of a request, with their profile in the same query: every page's
        header shows their display name."""
        UserModel = get_user_model()
        try:
            user = UserModel._default_manager.select_related("profile").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """Django's answer (the user's own and their groups' permissions) in one query instead of
        two: every signed-in page asks it once (Wagtail's user bar checks admin access)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            from django.contrib.auth.models import Permission
            from django.db.models import Q

            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return user_obj._perm_cache
