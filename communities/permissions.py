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


def can_facilitate(user, community: CommunityPage) -> bool:
    """Active facilitators and owners of ``community``, and site staff."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.can_facilitate


def can_accept_answer(user, thread) -> bool:
    """The thread's author (while an active member) or a facilitator chooses the accepted answer."""
    community = thread.community
    if user.is_authenticated and thread.author_id == user.pk and can_post_in_community(user, community):
        return True
    return can_facilitate(user, community)


def post_editor(user, community: CommunityPage):
    """A function ``author_id -> bool``: may ``user`` edit or delete a post by that author?

    Authors edit and delete their own posts while active members; facilitators any post. The
    membership is looked up once, so a page of posts costs one query.
    """
    facilitator = can_facilitate(user, community)
    poster = user.is_authenticated and can_post_in_community(user, community)

    def may_edit(author_id: int | None) -> bool:
        return facilitator or (poster and author_id is not None and author_id == user.pk)

    return may_edit


def can_edit_post(user, author_id: int | None, community: CommunityPage) -> bool:
    return post_editor(user, community)(author_id)
