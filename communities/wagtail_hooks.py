"""Wagtail's admin as a door: closed to member content, explicitly.

Communities and threads (with their replies) are written only through the hub's own pages and
services, where the community's rules apply and every change is announced to search and
notifications: a thread made in the admin would have no author, watch or notifications, and a
community no owner. So the admin refuses to create, edit, copy, move, delete, publish or unpublish
them, one by one or in bulk, and says where to do it instead. Site staff moderate on the hub
(``/communities/<slug>/moderation/``) and change a community's settings there. Good practice,
service areas and the site's own pages stay editable in the admin: their workflow is Wagtail's.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from wagtail import hooks
from wagtail.models import Page

from communities.models import CommunityPage, GoodPracticePage, ThreadPage
from communities.permissions import SELF_REVIEW_REFUSAL, is_good_practice_author

MEMBER_CONTENT = (CommunityPage, ThreadPage)
REFUSAL = (
    "Communities and their discussions are changed on the hub itself, where the community's rules "
    "apply: use the community's settings and moderation pages."
)


def _is_member_content(page_or_class) -> bool:
    cls = (
        page_or_class
        if isinstance(page_or_class, type)
        else type(getattr(page_or_class, "specific", page_or_class))
    )
    return issubclass(cls, MEMBER_CONTENT)


def _refuse(request, page=None, parent=None):
    messages.error(request, REFUSAL)
    target = parent or (page.get_parent() if page is not None else None)
    if target is not None:
        return redirect(reverse("wagtailadmin_explore", args=[target.pk]))
    return redirect(reverse("wagtailadmin_home"))


@hooks.register("before_create_page")
def refuse_creating_member_content(request, parent_page, page_class):
    if _is_member_content(page_class):
        return _refuse(request, parent=parent_page)
    return None


@hooks.register("before_edit_page")
@hooks.register("before_delete_page")
@hooks.register("before_copy_page")
@hooks.register("before_publish_page")
@hooks.register("before_unpublish_page")
def refuse_changing_member_content(request, page, *args):
    if _is_member_content(page):
        return _refuse(request, page=page)
    return None


@hooks.register("before_move_page")
def refuse_moving_member_content(request, page, destination):
    if _is_member_content(page):
        return _refuse(request, page=page)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_actions_on_member_content(request, action_type, objects, action_class_instance):
    # ``action_type`` is the action ("publish", "move", …); ``objects`` are pages for page actions.
    if any(_is_member_content(page) for page in objects if isinstance(page, Page)):
        return _refuse(request)
    if action_type == "publish" and any(_is_own_good_practice(request, page) for page in objects):
        return _refuse_self_review(request)
    return None


# -- Good practice: nobody publishes their own case study -------------------------------------
# The review workflow offers its actions only to reviewers other than the author
# (``GoodPracticeReviewTask``); these hooks close the admin's direct "Publish" (editors hold the
# publish permission on the library) to the author too, one page or in bulk.


def _is_own_good_practice(request, page) -> bool:
    specific = getattr(page, "specific", page)
    return isinstance(specific, GoodPracticePage) and is_good_practice_author(
        request.user, specific
    )


def _refuse_self_review(request, page=None):
    messages.error(request, SELF_REVIEW_REFUSAL)
    if page is not None and page.pk:
        return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return redirect(reverse("wagtailadmin_home"))


@hooks.register("before_publish_page")
def refuse_publishing_own_good_practice(request, page):
    if _is_own_good_practice(request, page):
        return _refuse_self_review(request, page)
    return None
