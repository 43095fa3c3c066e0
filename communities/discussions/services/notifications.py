"""Who hears about new posts, in the app and by email, and the daily digest.

Notifications are created in the same transaction as the post; emails are sent by django-tasks
tasks enqueued with ``transaction.on_commit``. Whether the recipient may read the thread is
checked when the notification is made and again when any email is sent (and the notifications
page filters by it too), so leaving or losing access to a community stops everything at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone

from communities.discussions.queries import notification_url
from communities.errors import NotFound, Refusal
from communities.markdown import extract_mentions
from communities.models import (
    CommunityPage,
    EmailFrequency,
    GoodPracticePage,
    Membership,
    Notification,
    NotificationSettings,
    Post,
    ThreadPage,
    Watch,
    WatchLevel,
)
from communities.models.notifications import new_feed_token
from communities.models.tokens import token_digest
from communities.people.queries import profiles_by_handle
from communities.permissions import (
    can_read_community,
    can_see_community,
    community_of,
    readable_notifications,
    readable_threads,
)
from hub.floor.actor import Actor, AuthenticatedActor
from hub.floor.mail import send_email
from hub.floor.tasks import enqueue_on_commit


def preferences_for(user: AuthenticatedActor) -> NotificationSettings:
    prefs, _ = NotificationSettings.objects.get_or_create(user=user)
    return prefs


# -- watching -------------------------------------------------------------------------------------


def check_watch(user: Actor, community: CommunityPage) -> None:
    if not user.is_authenticated:
        raise Refusal("Sign in to watch threads and communities.")
    if not can_see_community(user, community):
        raise NotFound()
    if not can_read_community(user, community):
        raise Refusal("Only members of this community can watch it.")


def do_set_watch(
    user: AuthenticatedActor,
    *,
    level: str,
    thread: ThreadPage | None = None,
    community: CommunityPage | None = None,
) -> Watch:
    """Set how closely ``user`` follows a thread or a community (exactly one of them)."""
    if level not in WatchLevel.values:
        raise ValueError(level)
    watch, _ = Watch.objects.update_or_create(
        user=user, thread=thread, community=None if thread else community, defaults={"level": level}
    )
    return watch


def do_watch_by_default(user: AuthenticatedActor, thread: ThreadPage) -> None:
    """People who start or reply to a thread watch it, unless they already chose a level."""
    Watch.objects.get_or_create(user=user, thread=thread, defaults={"level": WatchLevel.WATCHING})


# -- mentions -------------------------------------------------------------------------------------


def resolve_mentions(text: str) -> list[AuthenticatedActor]:
    """Users named by ``@first-last`` handles (a display name in lower case, spaces as hyphens)."""
    handles = extract_mentions(text)
    named = profiles_by_handle(handles)
    return [profile.user for handle in handles for profile in named.get(handle, [])]


# -- creating notifications ----------------------------------------------------------------------


def notify_new_post(
    thread: ThreadPage, post: Post | None, *, actor: AuthenticatedActor | None
) -> list[Notification]:
    """Notifications for a new thread (``post`` None) or reply; call inside the writing transaction."""
    community = thread.community
    levels: dict[int, str] = dict(
        Watch.objects.filter(community=community).values_list("user_id", "level")
    )
    levels.update(Watch.objects.filter(thread=thread).values_list("user_id", "level"))
    kind = Notification.Kind.NEW_THREAD if post is None else Notification.Kind.REPLY
    recipients: dict[int, str] = {
        uid: kind for uid, level in levels.items() if level == WatchLevel.WATCHING
    }
    if post is not None:
        # Normal level: you hear of replies to your thread and to posts of yours that are quoted.
        for uid in {thread.author_id, post.quoted_post.author_id if post.quoted_post else None} - {
            None
        }:
            if levels.get(uid, WatchLevel.NORMAL) != WatchLevel.MUTED:
                recipients.setdefault(uid, Notification.Kind.REPLY)
    for user in resolve_mentions(post.body if post else thread.body):
        if levels.get(user.pk, WatchLevel.NORMAL) != WatchLevel.MUTED:
            recipients[user.pk] = Notification.Kind.MENTION
    if actor is not None:
        recipients.pop(actor.pk, None)
    return _create_notifications(thread, post, actor, recipients)


def notify_accepted(
    thread: ThreadPage, post: Post, *, actor: AuthenticatedActor | None
) -> list[Notification]:
    if post.author_id is None or (actor is not None and post.author_id == actor.pk):
        return []
    return _create_notifications(thread, post, actor, {post.author_id: Notification.Kind.ACCEPTED})


def _create_notifications(
    thread: ThreadPage,
    post: Post | None,
    actor: AuthenticatedActor | None,
    recipients: dict[int, str],
) -> list[Notification]:
    if not recipients:
        return []
    users = get_user_model().objects.filter(pk__in=recipients, is_active=True)
    created = [
        Notification(
            recipient=user, kind=recipients[user.pk], actor=actor, thread=thread, post=post
        )
        for user in users
        if can_read_community(user, community_of(thread))
    ]
    created = Notification.objects.bulk_create(created)
    ids = [n.pk for n in created]
    if ids:
        enqueue_on_commit("communities.discussions.tasks.send_notification_emails", ids)
    return created


def facilitators_of(community: CommunityPage) -> list[int]:
    """The ids of ``community``'s active facilitators and owners."""
    return list(
        Membership.objects.filter(
            community=community,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.FACILITATOR, Membership.Role.OWNER],
        ).values_list("user_id", flat=True)
    )


def notify_about(
    recipient_ids: Iterable[int | None],
    kind: str,
    *,
    may_see: Callable[[AuthenticatedActor], bool],
    actor: AuthenticatedActor | None = None,
    thread: ThreadPage | None = None,
    post: Post | None = None,
    good_practice: GoodPracticePage | None = None,
    community: CommunityPage | None = None,
    message: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell people about a workflow's step (a case study published or sent back, one waiting for
    review, a question on it, a join request, a flag): in the app, and by email per their setting,
    after the commit. Only active people for whom ``may_see`` holds (a ``communities.permissions``
    predicate on the thing) are told; never the actor. ``email=False`` when the service already
    emails them another way. Call inside the writing transaction."""
    wanted = {int(pk) for pk in recipient_ids if pk is not None}
    if actor is not None:
        wanted.discard(actor.pk)
    if not wanted:
        return []
    users = get_user_model().objects.filter(pk__in=wanted, is_active=True)
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                actor=actor,
                thread=thread,
                post=post,
                good_practice=good_practice,
                community=community,
                message=message.strip(),
                emailed_at=None if email else now,
            )
            for user in users
            if may_see(user)
        ]
    )
    ids = [n.pk for n in created]
    if ids and email:
        enqueue_on_commit("communities.discussions.tasks.send_notification_emails", ids)
    return created


def do_settle_review_notifications(good_practice: GoodPracticePage) -> int:
    """A review is decided: the other reviewers' "waiting for your review" notifications about it
    are marked read (it no longer waits for them). Call inside the deciding transaction."""
    return Notification.objects.filter(
        kind=Notification.Kind.REVIEW, good_practice=good_practice, read_at__isnull=True
    ).update(read_at=timezone.now())


# -- reading ------------------------------------------------------------------------------------


def unread_count(user: Actor) -> int:
    """The header's unread count. Most requests find nothing unread: that plain query is answered
    from the recipient's index, and only otherwise is the count checked against what they may read."""
    if not Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).exists():
        return 0
    return readable_notifications(user).filter(read_at__isnull=True).count()


def do_mark_dashboard_seen(user: AuthenticatedActor) -> None:
    """The dashboard shows what is new since the member's last visit: this visit, from now on."""
    prefs = preferences_for(user)
    prefs.dashboard_seen_at = timezone.now()
    prefs.save(update_fields=["dashboard_seen_at"])


def do_mark_read(user: AuthenticatedActor, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# -- email ----------------------------------------------------------------------------------------


def do_set_email_frequency(user: AuthenticatedActor, frequency: str) -> NotificationSettings:
    if frequency not in EmailFrequency.values:
        raise ValueError(frequency)
    prefs = preferences_for(user)
    prefs.email_frequency = frequency
    prefs.save(update_fields=["email_frequency"])
    return prefs


def do_reset_feed_token(user: AuthenticatedActor) -> str:
    """New secret feed links for ``user``, retiring the old ones. The raw token is returned once;
    only its SHA-256 digest is stored, as for personal API tokens."""
    raw = new_feed_token()
    prefs = preferences_for(user)
    prefs.feed_token_digest = token_digest(raw)
    prefs.save(update_fields=["feed_token_digest"])
    return raw


def do_send_notification_emails(notification_ids: list[int]) -> int:
    """Email each notification to members who want them straight away and may still read the thread."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "thread", "actor__profile", "good_practice", "community")
    for notification in pending:
        recipient = notification.recipient
        if (
            preferences_for(recipient).email_frequency != EmailFrequency.IMMEDIATE
            or not recipient.email
        ):
            continue
        if not readable_notifications(recipient).filter(pk=notification.pk).exists():
            continue
        context = {
            "notification": notification,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
            "link": notification_url(notification),
        }
        send_email(
            key=f"notification:{notification.pk}",
            subject=f"{notification.get_kind_display()}: {notification.subject}",
            body=render_to_string("communities/email/notification.txt", context),
            recipients=[recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


DigestGroups = OrderedDict[CommunityPage, dict[str, list[Any]]]


def build_digest(user: AuthenticatedActor, since: datetime) -> DigestGroups:
    """What a daily digest tells ``user``, grouped by community, from what they may read now:
    notifications not yet emailed, and new threads in their communities since ``since``."""
    readable = readable_threads(user)
    groups: DigestGroups = OrderedDict()

    def group(community: CommunityPage) -> dict[str, list[Any]]:
        return groups.setdefault(community, {"notifications": [], "threads": []})

    notifications = (
        readable_notifications(user)
        .filter(emailed_at__isnull=True, thread__isnull=False)
        .select_related("thread__community", "actor__profile")
        .order_by("created_at")
    )
    seen_threads: set[int] = set()
    for notification in notifications:
        thread = cast(ThreadPage, notification.thread)  # filtered on above
        group(community_of(thread))["notifications"].append(notification)
        seen_threads.add(thread.pk)
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    muted = Watch.objects.filter(user=user, level=WatchLevel.MUTED, community__isnull=False).values(
        "community_id"
    )
    new_threads = (
        readable.filter(community__in=mine, first_published_at__gt=since)
        .exclude(community__in=muted)
        .exclude(pk__in=seen_threads)
        .exclude(author=user)
        .select_related("community")
        .order_by("first_published_at")
    )
    for thread in new_threads:
        group(community_of(thread))["threads"].append(thread)
    return OrderedDict(sorted(groups.items(), key=lambda item: item[0].title))


def do_send_digest(user: AuthenticatedActor, now: datetime | None = None) -> bool:
    """Send ``user`` their digest if there is anything in it; returns whether an email went."""
    now = now or timezone.now()
    prefs = preferences_for(user)
    since = prefs.last_digest_at or now - timedelta(days=1)
    groups = build_digest(user, since)
    workflow = [
        (notification, notification_url(notification))
        for notification in readable_notifications(user)
        .filter(emailed_at__isnull=True, thread__isnull=True)
        .select_related("good_practice", "community")
        .order_by("created_at")
    ]
    sent = False
    if (groups or workflow) and user.email:
        context = {
            "user": user,
            "groups": groups,
            "workflow": workflow,
            "site_url": settings.WAGTAILADMIN_BASE_URL,
        }
        send_email(
            # the previous digest names this one: a re-run after a crash sends nothing twice
            key=f"digest:{user.pk}:{prefs.last_digest_at.isoformat() if prefs.last_digest_at else 'first'}",
            subject=f"Your daily digest from {settings.SITE_NAME}",
            body=render_to_string("communities/email/digest.txt", context),
            recipients=[user.email],
        )
        ids = [n.pk for group in groups.values() for n in group["notifications"]]
        ids += [n.pk for n, _link in workflow]
        Notification.objects.filter(pk__in=ids).update(emailed_at=now)
        sent = True
    prefs.last_digest_at = now
    prefs.save(update_fields=["last_digest_at"])
    return sent


def do_send_digests(now: datetime | None = None) -> int:
    """Send every daily-digest member their digest; returns how many emails went."""
    users = get_user_model().objects.filter(
        is_active=True, notification_settings__email_frequency=EmailFrequency.DAILY
    )
    return sum(do_send_digest(user, now) for user in users)
