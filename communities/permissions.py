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
    """Only active members post, in every kind of community, once they have confirmed their email."""
    membership = membership_of(user, community)
    return membership is not None and membership.is_active and is_email_confirmed(user)


# -- People: accounts, roles and profiles ---------------------------------------------------


def is_email_confirmed(user) -> bool:
    """Signed-up accounts confirm their email before they may post; other accounts count as confirmed."""
    from communities.models.accounts import EmailConfirmation

    if not user.is_authenticated:
        return False
    return not EmailConfirmation.objects.filter(user=user, confirmed_at__isnull=True).exists()


def can_facilitate(user, community: CommunityPage) -> bool:
    """Facilitators and owners (active) and site staff approve requests, invite, remove, ban and moderate."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.can_facilitate


def can_manage(user, community: CommunityPage) -> bool:
    """Owners (active) and site staff also manage facilitators and the community's settings."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.is_active and membership.role == Membership.Role.OWNER


def facilitated_community_filter(user) -> Q:
    """A filter on communities ``user`` facilitates (every community for site staff)."""
    if is_site_staff(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(
        pk__in=Membership.objects.filter(
            user=user,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.FACILITATOR, Membership.Role.OWNER],
        ).values("community_id")
    )


def visible_profile_filter(viewer) -> Q:
    """A filter on profiles ``viewer`` may see: public ones, members-only ones when signed in, their own."""
    from communities.models.profiles import ProfileVisibility

    if is_site_staff(viewer):
        return Q()
    if not viewer.is_authenticated:
        return Q(visibility=ProfileVisibility.PUBLIC)
    return Q(visibility__in=[ProfileVisibility.PUBLIC, ProfileVisibility.MEMBERS]) | Q(user_id=viewer.pk)


def can_see_profile(viewer, profile) -> bool:
    """Public profiles to everyone, members' profiles to signed-in people, private ones to their
    owner and site staff only."""
    from communities.models.profiles import ProfileVisibility

    if profile is None:
        return False
    if is_site_staff(viewer) or profile.visibility == ProfileVisibility.PUBLIC:
        return True
    if not viewer.is_authenticated:
        return False
    return profile.visibility == ProfileVisibility.MEMBERS or profile.user_id == viewer.pk


def can_flag_thread(user, thread) -> bool:
    """Signed-in people who may read a live thread may flag its opening post, unless they are banned
    from its community."""
    community = thread.community
    if not thread.live or not user.is_authenticated or not can_read_community(user, community):
        return False
    membership = membership_of(user, community)
    return membership is None or membership.status != Membership.Status.BANNED


def can_flag_post(user, post) -> bool:
    """A reply is flagged on the same terms as its thread, while readers can see it (not deleted or hidden)."""
    return not post.is_deleted and not post.is_hidden and can_flag_thread(user, post.thread)


# -- Discussions ----------------------------------------------------------------------------


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


def facilitates_any_community_of(user, page) -> bool:
    if not user.is_authenticated or page.pk is None:
        return False
    return page.communities.filter(facilitated_community_filter(user)).exists()


def can_review_good_practice(user, page) -> bool:
    return is_good_practice_editor(user) or facilitates_any_community_of(user, page)


def can_edit_good_practice(user, page) -> bool:
    """Only the author edits (and resubmits) a case study from the front end."""
    return bool(user.is_authenticated and page.author_id == user.pk)


def can_view_good_practice_draft(user, page) -> bool:
    return can_edit_good_practice(user, page) or can_review_good_practice(user, page)
