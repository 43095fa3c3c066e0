"""The one place that decides who may see and read what in communities.

Every surface (pages, search, API, feeds, linked data, notifications, email) asks these
functions or the queryset methods built on them; nothing else decides visibility.

- *open*: anyone may see the community and read its content.
- *restricted*: anyone may see the community and its description; only active members read it.
- *private*: only active members (and site staff) know it exists; to anyone else it is a 404.

Site staff (``is_staff``) may see and read everything, for moderation. Banned people keep
only what an anonymous visitor has.

Doors never write "fetch, then check, then 404" themselves: they call the permission-checked
fetchers at the end of this module (``access_community``, ``access_thread``, ``access_post``,
``access_attachment``, ``access_good_practice``), which raise the refusals of
``communities.errors`` that every door renders the same way. Querysets of what a person may
see (``readable_threads`` and the like) serve lists, search, feeds and notifications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, TypeGuard, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.models import Page

from communities.errors import MembersOnly, NotFound, Refusal
from communities.models.accounts import EmailConfirmation
from communities.models.communities import CommunityPage, Visibility
from communities.models.good_practice import GoodPracticePage
from communities.models.memberships import Membership
from communities.models.notifications import Notification
from communities.models.profiles import Profile, ProfileVisibility
from communities.models.threads import Attachment, Post, ThreadPage
from hub.floor.actor import Actor, AuthenticatedActor

# Predicates true only for a signed-in person return ``TypeGuard[AuthenticatedActor]``: after
# ``if not can_facilitate(user, community): raise ...``, mypy knows that ``user`` is signed in.


def is_site_staff(user: Actor) -> TypeGuard[AuthenticatedActor]:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


SITE_STAFF = Q(is_staff=True) | Q(is_superuser=True)  # ``is_site_staff`` as a filter on people


def _active_community_ids(user: AuthenticatedActor) -> Q:
    return Q(
        pk__in=Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
            "community_id"
        )
    )


def listable_community_filter(user: Actor) -> Q:
    """A filter on communities whose existence ``user`` may know of."""
    if is_site_staff(user):
        return Q()
    public = Q(visibility__in=[Visibility.OPEN, Visibility.RESTRICTED])
    if not user.is_authenticated:
        return public
    return public | _active_community_ids(user)


def readable_community_filter(user: Actor) -> Q:
    """A filter on communities whose threads and posts ``user`` may read."""
    if is_site_staff(user):
        return Q()
    public = Q(visibility=Visibility.OPEN)
    if not user.is_authenticated:
        return public
    return public | _active_community_ids(user)


# -- One read per request ----------------------------------------------------------------------
#
# A page asks about the viewer's membership of its community many times (can they read it, post,
# facilitate, flag, vote, edit…). Inside a request (``MemoisedReadsMiddleware``) each such read is
# made once and remembered until the request ends, or until anything changes: every announcement
# (``communities.events``) and every saved or deleted membership or email confirmation forgets all.
# Outside a request nothing is remembered.

_memo: ContextVar[dict[tuple, Any] | None] = ContextVar("communities_permission_memo", default=None)


@contextmanager
def memoised_reads() -> Iterator[None]:
    """Remember the permission reads made inside the ``with`` block (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget_memoised_reads(*args: Any, **kwargs: Any) -> None:
    """Forget what the current request remembered (an announcement or signal handler)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def _remembered(key: tuple, read: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def membership_of(user: Actor, community: CommunityPage) -> Membership | None:
    if not user.is_authenticated:
        return None
    return _remembered(
        ("membership", user.pk, community.pk),
        lambda: Membership.objects.filter(user=user, community=community).first(),
    )


def read_reader_state(user: Actor, community: CommunityPage) -> None:
    """Read the signed-in ``user``'s membership of ``community`` with whether their email is
    confirmed in one query, and remember both for the request as ``membership_of`` and
    ``is_email_confirmed`` do (a page that asks both: two queries become one; without a
    membership, only that is remembered). Outside a request (where nothing is remembered), for a
    visitor, or once the membership is known, nothing is read."""
    memo = _memo.get()
    if not user.is_authenticated or memo is None:
        return
    if ("membership", user.pk, community.pk) in memo:
        return
    from django.db.models import Exists, OuterRef

    membership = (
        Membership.objects.filter(user=user, community=community)
        .annotate(
            unconfirmed=Exists(
                EmailConfirmation.objects.filter(user=OuterRef("user"), confirmed_at__isnull=True)
            )
        )
        .first()
    )
    memo[("membership", user.pk, community.pk)] = membership
    if membership is not None:
        memo[("email_confirmed", user.pk)] = not membership.unconfirmed


def can_see_community(user: Actor, community: CommunityPage) -> bool:
    if community.visibility != Visibility.PRIVATE or is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.is_active


def can_read_community(user: Actor, community: CommunityPage) -> bool:
    if community.visibility == Visibility.OPEN or is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.is_active


ReaderClass = Literal["staff", "member", "reader", "outsider"]


def reader_class(user: Actor, community: CommunityPage) -> ReaderClass:
    """Which class of reader ``user`` is for ``community``'s content, for parts of pages kept for
    every reader of the same class (``hub.floor.fragments``): site staff; an active member; someone
    else who may read it (an open community: visitors, outsiders, people who left, banned people);
    an outsider who may not read it. Everyone in a class may read exactly the same things there."""
    if is_site_staff(user):
        return "staff"
    membership = membership_of(user, community)
    if membership is not None and membership.is_active:
        return "member"
    return "reader" if community.visibility == Visibility.OPEN else "outsider"


def viewer_class(user: Actor) -> Literal["staff", "signed-in", "visitor"]:
    """Which class of viewer ``user`` is for what does not belong to a community (profiles shown by
    ``visible_profile_filter``, published case studies, related content outside communities)."""
    if is_site_staff(user):
        return "staff"
    return "signed-in" if user.is_authenticated else "visitor"


def _own_private_profile(user: Actor) -> bool:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile is not None and profile.visibility == ProfileVisibility.PRIVATE


def mention_class(user: Actor) -> str:
    """``viewer_class`` for what links to profiles (mentions): a signed-in person with a private
    profile is a class of their own, as only they (and staff) see links to it."""
    if _own_private_profile(user) and not is_site_staff(user):
        return f"private-profile-{user.pk}"
    return viewer_class(user)


def class_viewer(user: Actor) -> Actor:
    """Someone who sees exactly what every viewer of ``user``'s ``mention_class`` sees, to render a
    part kept for that class: ``user`` for staff (who see everything) and for the owner of a
    private profile, an anonymous visitor, or a signed-in person who is no one in particular."""
    kind = viewer_class(user)
    if kind == "staff" or _own_private_profile(user):
        return user
    if kind == "visitor":
        return AnonymousUser()
    return get_user_model()(is_staff=False, is_superuser=False, is_active=True)


def active_community_ids(user: Actor) -> frozenset[int]:
    """The communities where ``user`` is an active member, read once a request (memoised): with
    it, a list kept for everyone (``hub.floor.fragments.kept_value``) is filtered on the reader's
    own communities in Python (``may_list_community``, ``may_read_community``)."""
    if not user.is_authenticated:
        return frozenset()
    return _remembered(
        ("active_community_ids", user.pk),
        lambda: frozenset(
            Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
                "community_id", flat=True
            )
        ),
    )


def may_list_community(user: Actor, community_id: int, visibility: str) -> bool:
    """``listable_community_filter`` for one community known by its id and visibility."""
    if is_site_staff(user) or visibility in (Visibility.OPEN, Visibility.RESTRICTED):
        return True
    return community_id in active_community_ids(user)


def may_read_community(user: Actor, community_id: int, visibility: str) -> bool:
    """``readable_community_filter`` for one community known by its id and visibility."""
    return bool(readable_among(user, [(community_id, visibility)]))


def readable_among(user: Actor, communities: Iterable[tuple[int, str]]) -> list[int]:
    """The ids of ``communities`` (id and visibility pairs, in their order) whose threads and posts
    ``user`` may read: ``readable_community_filter`` for many communities known by their ids and
    visibilities, deciding who ``user`` is once rather than once a community."""
    communities = list(communities)
    readable = set(readable_of(user, *communities_by_readers(communities)))
    return [pk for pk, _ in communities if pk in readable]


def communities_by_readers(
    communities: Iterable[tuple[int, str]],
) -> tuple[list[int], frozenset[int]]:
    """``communities`` (id and visibility pairs) split by who may read their threads and posts, the
    same for every reader: the ids anyone may read, in their order, and the ids only their members
    may (``readable_of`` decides for one reader)."""
    anyone: list[int] = []
    members_only: set[int] = set()
    for pk, visibility in communities:
        if visibility == Visibility.OPEN:
            anyone.append(pk)
        else:
            members_only.add(pk)
    return anyone, frozenset(members_only)


def readable_of(user: Actor, anyone: list[int], members_only: frozenset[int]) -> list[int]:
    """The ids of communities split by ``communities_by_readers`` whose threads and posts ``user``
    may read: those anyone may, then those of the rest ``user`` may (their own; all of them for site
    staff), in id order. Kept split for everyone, the communities cost a reader a look at their own
    memberships, not a pass over every community (13,000 at ten times the seed's size)."""
    if is_site_staff(user):
        return anyone + sorted(members_only)
    return anyone + sorted(members_only & active_community_ids(user))


def can_post_in_community(user: Actor, community: CommunityPage) -> bool:
    """Only active members post, in every kind of community, once they have confirmed their email."""
    membership = membership_of(user, community)
    return membership is not None and membership.is_active and is_email_confirmed(user)


# -- People: accounts, roles and profiles ---------------------------------------------------


def is_email_confirmed(user: Actor) -> bool:
    """Signed-up accounts confirm their email before they may post; other accounts count as confirmed."""
    if not user.is_authenticated:
        return False
    return _remembered(
        ("email_confirmed", user.pk),
        lambda: not EmailConfirmation.objects.filter(user=user, confirmed_at__isnull=True).exists(),
    )


def can_facilitate(user: Actor, community: CommunityPage) -> TypeGuard[AuthenticatedActor]:
    """Facilitators and owners (active) and site staff approve requests, invite, remove, ban and moderate."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return membership is not None and membership.can_facilitate


def can_manage(user: Actor, community: CommunityPage) -> TypeGuard[AuthenticatedActor]:
    """Owners (active) and site staff also manage facilitators and the community's settings."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, community)
    return (
        membership is not None and membership.is_active and membership.role == Membership.Role.OWNER
    )


def facilitated_community_filter(user: Actor) -> Q:
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


def visible_profile_filter(viewer: Actor) -> Q:
    """A filter on profiles ``viewer`` may see: public ones, members-only ones when signed in, their own."""
    if is_site_staff(viewer):
        return Q()
    if not viewer.is_authenticated:
        return Q(visibility=ProfileVisibility.PUBLIC)
    return Q(visibility__in=[ProfileVisibility.PUBLIC, ProfileVisibility.MEMBERS]) | Q(
        user_id=viewer.pk
    )


def can_see_profile(viewer: Actor, profile: Profile | None) -> bool:
    """Public profiles to everyone, members' profiles to signed-in people, private ones to their
    owner and site staff only."""
    if profile is None:
        return False
    if is_site_staff(viewer) or profile.visibility == ProfileVisibility.PUBLIC:
        return True
    if not viewer.is_authenticated:
        return False
    return profile.visibility == ProfileVisibility.MEMBERS or profile.user_id == viewer.pk


def community_of(thread: ThreadPage) -> CommunityPage:
    """``thread.community``, typed for mypy, which sees it as ``Any | None`` (Wagtail's pages are
    untyped). ``ThreadPage.save`` sets it from the thread's parent page, so a thread in the page
    tree has one; the column is nullable only for ``on_delete=SET_NULL``."""
    return cast(CommunityPage, thread.community)


def can_flag_thread(user: Actor, thread: ThreadPage) -> TypeGuard[AuthenticatedActor]:
    """Signed-in people who may read a live thread may flag its opening post, unless they are banned
    from its community."""
    community = community_of(thread)
    if not thread.live or not user.is_authenticated or not can_read_community(user, community):
        return False
    membership = membership_of(user, community)
    return membership is None or membership.status != Membership.Status.BANNED


def can_flag_post(user: Actor, post: Post) -> TypeGuard[AuthenticatedActor]:
    """A reply is flagged on the same terms as its thread, while readers can see it (not deleted or hidden)."""
    return not post.is_deleted and not post.is_hidden and can_flag_thread(user, post.thread)


# -- Discussions ----------------------------------------------------------------------------


def can_accept_answer(user: Actor, thread: ThreadPage) -> bool:
    """The thread's author (while an active member) or a facilitator chooses the accepted answer."""
    community = community_of(thread)
    if (
        user.is_authenticated
        and thread.author_id == user.pk
        and can_post_in_community(user, community)
    ):
        return True
    return can_facilitate(user, community)


def post_editor(user: Actor, community: CommunityPage) -> Callable[[int | None], bool]:
    """A function ``author_id -> bool``: may ``user`` edit or delete a post by that author?

    Authors edit and delete their own posts while active members; facilitators any post. The
    membership is looked up once, so a page of posts costs one query.
    """
    facilitator = can_facilitate(user, community)
    poster = user.is_authenticated and can_post_in_community(user, community)

    def may_edit(author_id: int | None) -> bool:
        return facilitator or (poster and author_id is not None and author_id == user.pk)

    return may_edit


def can_edit_post(user: Actor, author_id: int | None, community: CommunityPage) -> bool:
    return post_editor(user, community)(author_id)


def post_history_viewer(
    user: Actor, community: CommunityPage, *, facilitator: bool | None = None
) -> Callable[[int | None], bool]:
    """A function ``author_id -> bool``: may ``user`` see the edit history (``PostRevision``) of a
    reply by that author in ``community``? Its author, the community's facilitators and site staff
    may; other readers see only that it was edited. One membership lookup for a page of posts
    (none when the caller already knows ``facilitator``, ``can_facilitate(user, community)``)."""
    if facilitator is None:
        facilitator = can_facilitate(user, community)

    def may_see(author_id: int | None) -> bool:
        return facilitator or (
            user.is_authenticated and author_id is not None and author_id == user.pk
        )

    return may_see


def can_see_post_history(user: Actor, post: Post) -> bool:
    """See ``post_history_viewer``."""
    return post_history_viewer(user, community_of(post.thread))(post.author_id)


# -- Good practice ----------------------------------------------------------------------------
# Published case studies are for everyone. Drafts (never published, or unpublished changes) are
# for their author and for reviewers: the library's editors, site staff and facilitators of a
# community the case study is linked to. Only the author edits from the front end.

GOOD_PRACTICE_EDITORS = "Good practice editors"


def is_good_practice_editor(user: Actor) -> bool:
    return bool(
        user.is_authenticated
        and (is_site_staff(user) or user.groups.filter(name=GOOD_PRACTICE_EDITORS).exists())
    )


def queue_roles(user: Actor) -> tuple[bool, bool]:
    """``(is_good_practice_editor(user), whether user facilitates any community)`` in one small
    query (none for site staff and visitors). Most members are neither, so the header's counts of
    what waits for them (``waiting_for``) stop there."""
    if not user.is_authenticated:
        return False, False
    if is_site_staff(user):
        return True, True
    return _remembered(("queue_roles", user.pk), lambda: _queue_roles(user))


def _queue_roles(user: AuthenticatedActor) -> tuple[bool, bool]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            editor=Exists(Group.objects.filter(user=OuterRef("pk"), name=GOOD_PRACTICE_EDITORS)),
            facilitates=Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"),
                    status=Membership.Status.ACTIVE,
                    role__in=[Membership.Role.FACILITATOR, Membership.Role.OWNER],
                )
            ),
        )
        .values_list("editor", "facilitates")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def facilitates_any_community_of(user: Actor, page: GoodPracticePage) -> bool:
    if not user.is_authenticated or page.pk is None:
        return False
    return page.communities.filter(facilitated_community_filter(user)).exists()


SELF_REVIEW_REFUSAL = (
    "You wrote this case study, so you cannot approve or publish it yourself: another editor, or a "
    "facilitator of a linked community, must review it."
)


def is_good_practice_author(user: Actor, page: GoodPracticePage) -> bool:
    """Whether ``user`` submitted ``page``: its author, or its owner for one made in the admin."""
    if not user.is_authenticated:
        return False
    submitter = page.author_id if page.author_id is not None else page.owner_id
    return submitter == user.pk


def can_review_good_practice(user: Actor, page: GoodPracticePage) -> bool:
    """Editors, site staff and facilitators of a linked community review a case study, but never
    its author: nobody approves their own submission, whatever else they are."""
    return not is_good_practice_author(user, page) and is_reviewer_role(user, page)


def is_reviewer_role(user: Actor, page: GoodPracticePage) -> bool:
    """Whether ``user`` holds a reviewer's role for ``page`` (editor, staff, facilitator of a linked
    community), authorship aside: an author who holds one is told why they cannot review."""
    return is_good_practice_editor(user) or facilitates_any_community_of(user, page)


def can_edit_good_practice(user: Actor, page: GoodPracticePage) -> bool:
    """Only the author edits (and resubmits) a case study from the front end."""
    return bool(user.is_authenticated and page.author_id == user.pk)


def can_view_good_practice_draft(user: Actor, page: GoodPracticePage) -> bool:
    return can_edit_good_practice(user, page) or can_review_good_practice(user, page)


def reviewable_good_practice_filter(user: Actor, *, editor: bool | None = None) -> Q:
    """A filter on case studies ``user`` may review (see ``can_review_good_practice``): never
    their own. ``editor``: ``is_good_practice_editor(user)``, when the caller knows it already."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    own = Q(author_id=user.pk) | Q(author__isnull=True, owner_id=user.pk)
    if is_good_practice_editor(user) if editor is None else editor:
        return ~own
    return (
        Q(communities__in=CommunityPage.objects.filter(facilitated_community_filter(user))) & ~own
    )


# -- What a person may see, as querysets ------------------------------------------------------


def listable_communities(user: Actor) -> QuerySet[CommunityPage]:
    """Live communities whose existence ``user`` may know of (private ones only to members)."""
    return CommunityPage.objects.live().filter(listable_community_filter(user))


def readable_communities(user: Actor) -> QuerySet[CommunityPage]:
    """Live communities whose threads and posts ``user`` may read."""
    return CommunityPage.objects.live().filter(readable_community_filter(user))


def postable_communities(user: Actor) -> QuerySet[CommunityPage]:
    """Live communities where ``user`` may start a thread now (``posting_refusal`` finds nothing):
    their active memberships, once their email is confirmed."""
    if not user.is_authenticated or not is_email_confirmed(user):
        return CommunityPage.objects.none()
    return CommunityPage.objects.live().filter(_active_community_ids(user))


def readers_among(
    user_ids: Iterable[int], community_ids: Iterable[int], *, live: bool = True
) -> dict[int, set[int]]:
    """For each community, which of the people ``user_ids`` may read its threads and posts:
    ``readable_communities`` (``live``) or ``readable_community_filter`` (not ``live``) asked for
    many people at once, in a fixed number of queries (site staff read everything, an open community
    is read by everyone, any other by its active members). Unknown communities are left out."""
    from django.contrib.auth import get_user_model

    people = set(user_ids)
    communities = CommunityPage.objects.live() if live else CommunityPage.objects.all()
    visibility = dict(communities.filter(pk__in=set(community_ids)).values_list("pk", "visibility"))
    if not people or not visibility:
        return {pk: set() for pk in visibility}
    staff = set(
        get_user_model().objects.filter(SITE_STAFF, pk__in=people).values_list("pk", flat=True)
    )
    out = {pk: set(people) if v == Visibility.OPEN else set(staff) for pk, v in visibility.items()}
    closed = [pk for pk, v in visibility.items() if v != Visibility.OPEN]
    if closed:
        members = Membership.objects.filter(
            community_id__in=closed, user_id__in=people, status=Membership.Status.ACTIVE
        ).values_list("community_id", "user_id")
        for community_id, user_id in members:
            out[community_id].add(user_id)
    return out


def readable_thread_filter(user: Actor, through: str = "") -> Q:
    """``readable_threads`` as a filter on a thread, or on rows that point to one (``through``: the
    relation's name). Rows of a few threads (a member's notifications) join their threads this
    way instead of matching against every thread ``user`` may read."""
    prefix = f"{through}__" if through else ""
    return Q(
        **{
            f"{prefix}live": True,
            f"{prefix}community__in": CommunityPage.objects.filter(readable_community_filter(user)),
        }
    )


def readable_threads(user: Actor) -> QuerySet[ThreadPage]:
    """Live threads in communities whose content ``user`` may read."""
    return ThreadPage.objects.filter(readable_thread_filter(user))


def readable_threads_in(user: Actor, community_ids: Iterable[int]) -> QuerySet[ThreadPage]:
    """``readable_threads`` in the communities ``community_ids``, filtered on the plain ids of those
    ``user`` may read (one small query first): with more filters and an ordering, PostgreSQL spends
    15-40 ms planning ``readable_threads``' nested permission subquery on every call."""
    readable = CommunityPage.objects.filter(
        readable_community_filter(user), pk__in=set(community_ids)
    ).values_list("pk", flat=True)
    return ThreadPage.objects.live().filter(community_id__in=list(readable))


def visible_replies(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Replies readers see: neither deleted nor hidden (facilitators see hidden ones on the
    moderation pages only)."""
    return posts.filter(is_deleted=False, is_hidden=False)


def readable_posts(user: Actor) -> QuerySet[Post]:
    """Visible replies in live threads whose community ``user`` may read."""
    return visible_replies(Post.objects.filter(thread__in=readable_threads(user)))


def readable_notifications(user: Actor) -> QuerySet[Notification]:
    """``user``'s notifications about threads and replies they may still read now."""
    if not user.is_authenticated:
        return Notification.objects.none()
    # The workflows' notifications (no thread): about the member's own case study, one waiting for
    # their review, or a community they still facilitate.
    about_workflow = (
        Q(thread__isnull=True)
        & ~Q(kind=Notification.Kind.SAVED_SEARCH)
        & (
            Q(community__isnull=True)
            | Q(community__in=CommunityPage.objects.filter(facilitated_community_filter(user)))
        )
    )
    # A saved search's case study: only while it is still published (its thread results are
    # checked as threads are, above).
    found_case_study = Q(
        kind=Notification.Kind.SAVED_SEARCH,
        thread__isnull=True,
        good_practice__in=GoodPracticePage.objects.published(),
    )
    return (
        Notification.objects.filter(recipient=user)
        .filter(readable_thread_filter(user, "thread") | about_workflow | found_case_study)
        .exclude(post__is_deleted=True)
        .exclude(post__is_hidden=True)
    )


# -- What is waiting for someone: who may act on each queue --------------------------------------


def can_decide_proposals(user: Actor) -> TypeGuard[AuthenticatedActor]:
    """Site staff decide community proposals."""
    return is_site_staff(user)


def can_use_admin(user: Actor) -> bool:
    """Who is offered Wagtail's admin: site staff and the good-practice editors (its own
    ``access_admin`` permission still decides at the door)."""
    return is_good_practice_editor(user)


def moderation_queue_filter(user: Actor) -> Q:
    """A filter on flags ``user`` may act on: in communities they facilitate (all, for site staff)."""
    facilitated = CommunityPage.objects.filter(facilitated_community_filter(user))
    return Q(post__thread__community__in=facilitated) | Q(thread__community__in=facilitated)


def join_request_queue_filter(user: Actor) -> Q:
    """A filter on join requests ``user`` may decide: in communities they facilitate."""
    return Q(community__in=CommunityPage.objects.filter(facilitated_community_filter(user)))


# -- Posting, voting and joining ----------------------------------------------------------------

SIGNED_OUT = (
    "You are not signed in (your session may have expired). Sign in in another tab, then send again: "
    "your text is kept below."
)
NOT_MEMBER_MESSAGES: dict[str | None, str] = {
    None: "Only members of this community can post. Join the community first.",
    Membership.Status.PENDING: "Your request to join is waiting for a facilitator; you can post once it is approved.",
    Membership.Status.INVITED: "You have been invited: accept the invitation to post.",
    Membership.Status.LEFT: "You have left this community. Join it again to post.",
    Membership.Status.BANNED: "You can no longer post in this community.",
}


def posting_refusal(
    user: Actor, community: CommunityPage, thread: ThreadPage | None = None
) -> Refusal | None:
    """Why ``user`` may not post in ``community`` (and in ``thread``, when given) right now, or None."""
    if not can_see_community(user, community):
        return NotFound()
    if not user.is_authenticated:
        return Refusal(SIGNED_OUT, 403)
    membership = membership_of(user, community)
    status = membership.status if membership else None
    if status != Membership.Status.ACTIVE:
        return Refusal(NOT_MEMBER_MESSAGES[status], 403)
    if not is_email_confirmed(user):
        return Refusal(
            "Confirm your email address before you post: follow the link we emailed you when you signed up.",
            403,
        )
    if thread is not None and thread.is_locked:
        return Refusal("This thread is locked: no new replies can be added.", 403)
    return None


def vote_checker(user: Actor, community: CommunityPage) -> Callable[[Post], bool]:
    """A function ``post -> bool``: may ``user`` vote a reply helpful? Members who may post vote for
    other people's visible replies; the membership is looked up once for a page of posts."""
    may_post = posting_refusal(user, community) is None

    def may_vote(post: Post) -> bool:
        return may_post and post.author_id != user.pk and not post.is_deleted and not post.is_hidden

    return may_vote


JoinAction = Literal["sign-in", "join", "request", "invitation-only", ""]


def join_action(user: Actor, community: CommunityPage, membership: Membership | None) -> JoinAction:
    """What the community's membership panel offers ``user``: sign in, join, ask to join, say it is
    by invitation only, or nothing (members, people waiting for a decision, banned people)."""
    status = membership.status if membership else None
    if not user.is_authenticated:
        return "sign-in" if community.visibility != Visibility.PRIVATE else ""
    if status in {Membership.Status.ACTIVE, Membership.Status.PENDING, Membership.Status.BANNED}:
        return ""
    if community.visibility == Visibility.OPEN:
        return "join"
    if community.visibility == Visibility.RESTRICTED:
        return "request"
    return "invitation-only"


def can_leave(membership: Membership | None) -> bool:
    return membership is not None and membership.status in {
        Membership.Status.ACTIVE,
        Membership.Status.PENDING,
    }


def can_follow_to_page(user: Actor, page: Page) -> bool:
    """Whether an old URL's redirect may send ``user`` on to ``page``: only when the page would
    show them its content. A thread moved into a private or restricted community, a community
    made private, an unpublished case study: their old URLs stay a 404 to everyone else, so a
    redirect never reveals where the content went."""
    specific = page.specific
    if isinstance(specific, ThreadPage):
        return readable_threads(user).filter(pk=specific.pk).exists()
    if isinstance(specific, CommunityPage):
        return specific.live and can_see_community(user, specific)
    if isinstance(specific, GoodPracticePage):
        return GoodPracticePage.objects.published().filter(pk=specific.pk).exists()
    return Page.objects.live().public().filter(pk=specific.pk).exists()


# -- Permission-checked fetchers: the one way doors fetch what a person asked for -------------

Purpose = Literal["see", "read", "post", "facilitate", "manage"]


def check_community_access(
    user: Actor, community: CommunityPage, purpose: Purpose = "see", page: ThreadPage | None = None
) -> None:
    """Raise unless ``user`` may use ``community`` for ``purpose``: ``NotFound`` where they may not
    know it exists, ``MembersOnly`` where they may not read it, a ``Refusal`` otherwise."""
    if not can_see_community(user, community):
        raise NotFound()
    if purpose == "see":
        return
    if purpose == "facilitate":
        if not can_facilitate(user, community):
            raise Refusal("Only the community's facilitators can do this.")
        return
    if purpose == "manage":
        if not can_manage(user, community):
            raise Refusal("Only the community's owners change its settings.")
        return
    if not can_read_community(user, community):
        raise MembersOnly(community, page)
    if purpose == "post":
        refusal = posting_refusal(user, community, page)
        if refusal is not None:
            raise refusal


def access_community(user: Actor, slug: str, purpose: Purpose = "see") -> CommunityPage:
    """The live community at ``slug``, if ``user`` may use it for ``purpose``."""
    community = CommunityPage.objects.live().filter(slug=slug).first()
    if community is None:
        raise NotFound()
    check_community_access(user, community, purpose)
    return community


def access_thread(user: Actor, thread_id: int, purpose: Purpose = "read") -> ThreadPage:
    """The live thread ``thread_id``, if ``user`` may use its community for ``purpose``."""
    thread = ThreadPage.objects.live().select_related("community").filter(pk=thread_id).first()
    if thread is None or thread.community is None:
        raise NotFound()
    check_community_access(user, thread.community, purpose, page=thread)
    return thread


def access_post(
    user: Actor, post_id: int, purpose: Purpose = "read", *, visible: bool = False
) -> Post:
    """The reply ``post_id`` in a live thread ``user`` may read; with ``visible``, only while readers
    can see it (not deleted or hidden)."""
    posts = Post.objects.select_related("thread__community")
    if visible:
        posts = visible_replies(posts)
    post = posts.filter(pk=post_id).first()
    if post is None:
        raise NotFound()
    post.thread = access_thread(user, post.thread_id, purpose)
    return post


def access_attachment(user: Actor, attachment_id: int) -> Attachment:
    """An attachment, for people who may read its thread, while its reply is visible."""
    item = Attachment.objects.select_related("document").filter(pk=attachment_id).first()
    if item is None:
        raise NotFound()
    access_thread(user, item.thread_id)
    if item.post_id and not visible_replies(Post.objects.filter(pk=item.post_id)).exists():
        raise NotFound()
    return item


GoodPracticePurpose = Literal["read", "preview", "edit", "review"]


def access_good_practice(
    user: Actor, page_id: int, purpose: GoodPracticePurpose = "read"
) -> GoodPracticePage:
    """A case study: published ones to everyone (``read``); drafts to their author and reviewers
    (``preview``); the author edits (``edit``); reviewers review (``review``). Drafts are a 404 to
    everyone else."""
    if purpose == "read":
        published = GoodPracticePage.objects.published().filter(pk=page_id).first()
        if published is None:
            raise NotFound("No published case study has this id.")
        return published
    page = GoodPracticePage.objects.filter(pk=page_id).first()
    if page is None:
        raise NotFound()
    if purpose == "edit":
        if not can_edit_good_practice(user, page):
            raise Refusal("Only the author can change this case study.")
        return page
    if not can_view_good_practice_draft(user, page):
        raise NotFound()
    if purpose == "review" and not can_review_good_practice(user, page):
        if is_good_practice_author(user, page):
            raise Refusal(SELF_REVIEW_REFUSAL)
        raise Refusal("You cannot review this case study.")
    return page
