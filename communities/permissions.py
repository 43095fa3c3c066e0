"""The one place that decides who may see and read what in communities.

Every surface (pages, search, API, feeds, linked data, notifications, email) asks these
functions or the queryset methods built on them; nothing else decides visibility.

- *open*: anyone may see the community and read its content.
- *restricted*: anyone may see the community and its description; only active members read it.
- *private*: only active members (and site staff) know it exists; to anyone else it is a 404.

Site staff (``is_staff``) may see and read everything, for moderation. Banned people keep
only what an anonymous visitor has.
"""

from __future__ import annotations

from django.db.models import Q

from communities.models.communities import CommunityPage, Visibility
from communities.models.memberships import Membership


def is_site_staff(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def _active_community_ids(user) -> Q:
    return Q(
        pk__in=Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")
    )


def listable_community_filter(user) -> Q:
    """A filter on communities whose existence ``user`` may know of."""
    if is_site_staff(user):
        return Q()
    public = Q(visibility__in=[Visibility.OPEN, Visibility.RESTRICTED])
    if not user.is_authenticated:
        return public
    return public | _active_community_ids(user)


def readable_community_filter(user) -> Q:
    """A filter on communities whose threads and posts ``user`` may read."""
    if is_site_staff(user):
        return Q()
    public = Q(visibility=Visibility.OPEN)
    if not user.is_authenticated:
        return public
    return public | _active_community_ids(user)


def membership_of(user, community: CommunityPage) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, community=community).first()


def can_see_community(user, community: CommunityPage) -> bool:
    if community.visibility != Visibility.PRIVATE or is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.is_active


def can_read_community(user, community: CommunityPage) -> bool:
    if community.visibility == Visibility.OPEN or is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.is_active


def can_post_in_community(user, community: CommunityPage) -> bool:
    """Only active members post, in every kind of community."""
    membership = membership_of(user, community)
    return membership is not None and membership.is_active


# -- Profiles ---------------------------------------------------------------------------------


def can_see_profile(viewer, profile) -> bool:
    """Public profiles to everyone, members' profiles to signed-in people, private ones to their
    owner and site staff only."""
    from communities.models.profiles import ProfileVisibility

    if profile is None:
        return False
    if viewer.is_authenticated and (viewer.pk == profile.user_id or is_site_staff(viewer)):
        return True
    if profile.visibility == ProfileVisibility.PUBLIC:
        return True
    if profile.visibility == ProfileVisibility.MEMBERS:
        return viewer.is_authenticated
    return False


# -- Good practice ----------------------------------------------------------------------------
# Published case studies are for everyone. Drafts (never published, or unpublished changes) are
# for their author and for reviewers: the library's editors, site staff and facilitators of a
# community the case study is linked to. Only the author edits from the front end.

GOOD_PRACTICE_EDITORS = "Good practice editors"


def is_good_practice_editor(user) -> bool:
    return bool(
        user.is_authenticated
        and (is_site_staff(user) or user.groups.filter(name=GOOD_PRACTICE_EDITORS).exists())
    )


def facilitated_community_ids(user):
    """Ids of communities ``user`` facilitates or owns (as a subquery)."""
    return Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.FACILITATOR, Membership.Role.OWNER],
    ).values("community_id")


def facilitates_any_community_of(user, page) -> bool:
    if not user.is_authenticated or page.pk is None:
        return False
    return page.communities.filter(pk__in=facilitated_community_ids(user)).exists()


def can_review_good_practice(user, page) -> bool:
    return is_good_practice_editor(user) or facilitates_any_community_of(user, page)


def can_edit_good_practice(user, page) -> bool:
    """Only the author edits (and resubmits) a case study from the front end."""
    return bool(user.is_authenticated and page.author_id == user.pk)


def can_view_good_practice_draft(user, page) -> bool:
    return can_edit_good_practice(user, page) or can_review_good_practice(user, page)
