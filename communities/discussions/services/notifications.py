"""Who hears about new posts, in the app and by email, and the daily digest.

Notifications are created in the same transaction as the post; emails are sent by django-tasks
tasks enqueued with ``transaction.on_commit``. Whether the recipient may read the thread is
checked when the notification is made and again when any email is sent (and the notifications
page filters by it too), so leaving or losing access to a community stops everything at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from communities import alerts
from communities.discussions.queries import notification_url, post_url
from communities.errors import NotFound, Refusal
from communities.markdown import extract_mentions, render_markdown
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
from communities.people.queries import profile_name, profiles_by_handle
from communities.permissions import (
    can_read_community,
    can_see_community,
    community_of,
    readable_notifications,
    readable_threads,
)
from hub.floor.actor import Actor, AuthenticatedActor
from hub.floor.mail import deliver, record_email
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


def do_mark_dashboard_seen(
    user: AuthenticatedActor, prefs: NotificationSettings | None = None
) -> bool:
    """The dashboard shows what is new since the member's last visit: this visit, from now on.
    Written at most once in ``DASHBOARD_SEEN_MINUTES`` (a member who reloads or comes back soon
    still sees what was new at the start of the sitting, and no row is written on every view);
    ``prefs``: the member's settings when the caller has read them. True when it wrote."""
    prefs = prefs or preferences_for(user)
    now = timezone.now()
    seen = prefs.dashboard_seen_at
    if seen is not None and now - seen < timedelta(minutes=settings.DASHBOARD_SEEN_MINUTES):
        return False
    prefs.dashboard_seen_at = now
    prefs.save(update_fields=["dashboard_seen_at"])
    return True


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


# -- emails: what a member is told, once ------------------------------------------------------------
#
# Every email is HTML with a plain-text alternative, put in the hub's outbox under an idempotency
# key (``hub.floor.mail.record_email``) in the same transaction that marks what it tells as emailed
# (``Notification.emailed_at``), and delivered just after the commit (``deliver``): an item is never
# told twice and never lost, since the outbox's sweep sends what the mail server refused.

ALERT_KINDS = (Notification.Kind.FIGURES, Notification.Kind.SAVED_SEARCH)
EXCERPT_CHARS = 300
_is_alert = Q(kind__in=ALERT_KINDS) | ~Q(alert="")


def plain_excerpt(markdown_text: str, limit: int = EXCERPT_CHARS) -> str:
    """A post's Markdown as one line of plain text (no markup, no entities), cut at ``limit``."""
    text = " ".join(unescape(strip_tags(render_markdown(markdown_text))).split())
    return Truncator(text).chars(limit)


def site_link(path: str) -> str:
    """An absolute link for an email: ``path`` on the site's public address (absolute ones as they are)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def unsubscribe_link(user: AuthenticatedActor, alert: str) -> str:
    """The one-click link that switches ``user``'s ``alert`` off, or "" when nothing can."""
    if not alert or not alerts.knows(alert):
        return ""
    return site_link(reverse("unsubscribe", args=[alerts.unsubscribe_token(user.pk, alert)]))


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for ``link`` (none without a link)."""
    if not link:
        return {}
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _email_context(user: AuthenticatedActor, **extra: Any) -> dict[str, Any]:
    return {
        "user": user,
        "site_name": settings.SITE_NAME,
        "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        "settings_link": site_link(reverse("notification-settings")),
        **extra,
    }


def _record(
    user: AuthenticatedActor, *, key: str, subject: str, template: str, context: dict[str, Any]
) -> int | None:
    """Put the email in the outbox (``deliver`` it after the transaction commits)."""
    headers = unsubscribe_headers(context.get("unsubscribe_link", ""))
    return record_email(
        key=key,
        subject=subject,
        body=render_to_string(f"communities/email/{template}.txt", context),
        html=render_to_string(f"communities/email/{template}.html", context),
        recipients=[user.email],
        headers=headers,
    )


def notification_subject(notification: Notification) -> str:
    """An email's subject: an alert's own headline, else what happened and to what."""
    if notification.headline:
        return notification.headline
    return f"{notification.get_kind_display()}: {notification.subject}"


def do_send_notification_emails(notification_ids: list[int]) -> int:
    """Email each notification to members who want them straight away and may still read it.

    Each is marked emailed in the transaction that records its email in the outbox (delivered just
    after), so a digest never repeats it and a refused email is re-sent by the outbox's sweep."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "thread", "post", "actor__profile", "good_practice", "community")
    for notification in pending:
        recipient = notification.recipient
        if (
            preferences_for(recipient).email_frequency != EmailFrequency.IMMEDIATE
            or not recipient.email
        ):
            continue
        with transaction.atomic():
            fresh = (
                readable_notifications(recipient)
                .select_for_update(of=("self",))
                .filter(pk=notification.pk, emailed_at__isnull=True)
                .first()
            )
            if fresh is None:
                continue
            excerpt = ""
            if notification.message:
                excerpt = Truncator(notification.message).chars(2000)
            elif notification.post is not None:
                excerpt = plain_excerpt(notification.post.body, 1000)
            elif notification.thread is not None:
                excerpt = plain_excerpt(notification.thread.body, 1000)
            context = _email_context(
                recipient,
                notification=notification,
                subject=notification_subject(notification),
                excerpt=excerpt,
                link=site_link(notification_url(notification)),
                actor_name=profile_name(notification.actor) if notification.actor else None,
                unsubscribe_link=unsubscribe_link(recipient, notification.alert),
            )
            outbox = _record(
                recipient,
                key=f"notification:{notification.pk}",
                subject=notification_subject(notification),
                template="notification",
                context=context,
            )
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        if outbox is not None:
            deliver(outbox)  # a refusal keeps it in the outbox, for the sweep
        sent += 1
    return sent


@dataclass
class ThreadNews:
    """What is new in one thread for one member: its unsent notifications, told as one item."""

    thread: ThreadPage
    notifications: list[Notification] = field(default_factory=list)
    new_thread: bool = False
    reasons: list[str] = field(default_factory=list)
    excerpt: str = ""
    by: str = ""
    link: str = ""
    newest: datetime | None = None

    @property
    def replies(self) -> int:
        return len({n.post_id for n in self.notifications if n.post_id and n.kind != "accepted"})

    @property
    def summary(self) -> str:
        """The start of the item's line, before the thread's title."""
        replies = self.replies
        counted = f"{replies} new repl{'y' if replies == 1 else 'ies'}"
        if self.new_thread and replies:
            return f"New thread with {counted}:"
        if self.new_thread:
            return "New thread:"
        if replies:
            return f"{counted} in"
        return "Your answer was accepted in"

    @property
    def involves_member(self) -> bool:
        return bool(self.reasons)


@dataclass
class AlertNews:
    """One alert's unsent notifications (three new results of one saved search are one item)."""

    alert: str
    title: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (subject, absolute link)
    unsubscribe_link: str = ""
    notification_ids: list[int] = field(default_factory=list)


@dataclass
class Digest:
    """A member's digest: threads that involve them, the rest by community, alerts, workflow."""

    for_you: list[ThreadNews] = field(default_factory=list)
    communities: OrderedDict[CommunityPage, list[ThreadNews]] = field(default_factory=OrderedDict)
    alerts: list[AlertNews] = field(default_factory=list)
    workflow: list[tuple[Notification, str]] = field(default_factory=list)  # (it, absolute link)

    def __bool__(self) -> bool:
        return bool(self.for_you or self.communities or self.alerts or self.workflow)

    @property
    def notification_ids(self) -> list[int]:
        threads = [*self.for_you, *(item for items in self.communities.values() for item in items)]
        ids = [n.pk for item in threads for n in item.notifications]
        ids += [pk for alert in self.alerts for pk in alert.notification_ids]
        return ids + [n.pk for n, _link in self.workflow]

    @property
    def count(self) -> int:
        threads = len(self.for_you) + sum(len(items) for items in self.communities.values())
        return threads + len(self.alerts) + len(self.workflow)


_REASON_ORDER = ("mentioned you", "your answer was accepted", "replied to you", "your thread")


def reply_positions(posts: Iterable[Post]) -> dict[int, int]:
    """How many replies came before each of ``posts`` in its thread (what puts a reply's link on
    the right page of the thread, ``post_url``), for all of them in one grouped query."""
    ids = {post.pk for post in posts}
    if not ids:
        return {}
    counted = (
        Post.objects.filter(pk__in=ids)
        .annotate(
            before=Count("thread__posts", filter=Q(thread__posts__created_at__lt=F("created_at")))
        )
        .values_list("pk", "before")
    )
    return dict(counted)


def _newest_post(news: ThreadNews) -> Post | None:
    posts = [n.post for n in news.notifications if n.post is not None]
    return max(posts, key=lambda post: post.created_at) if posts else None


def _thread_news(
    user: AuthenticatedActor, news: ThreadNews, positions: dict[int, int]
) -> ThreadNews:
    """Fill in why the item involves ``user``, the newest excerpt, its author and its link
    (``positions``: ``reply_positions`` of the newest replies)."""
    thread = news.thread
    reasons: set[str] = set()
    for n in news.notifications:
        if n.kind == Notification.Kind.MENTION:
            reasons.add("mentioned you")
        elif n.kind == Notification.Kind.ACCEPTED:
            reasons.add("your answer was accepted")
        elif (
            n.post is not None
            and (quoted := n.post.quoted_post) is not None
            and quoted.author_id == user.pk
        ):
            reasons.add("replied to you")
    if thread.author_id == user.pk:
        reasons.add("your thread")
    news.reasons = [r for r in _REASON_ORDER if r in reasons]
    newest = _newest_post(news)
    if newest is not None:
        newest.thread = thread  # the same thread, already loaded: its link needs no query
        news.excerpt = plain_excerpt(newest.body)
        news.by = profile_name(newest.author) or "A member"
        news.link = site_link(post_url(newest, positions.get(newest.pk)))
        news.newest = newest.created_at
    else:
        news.excerpt = plain_excerpt(thread.body)
        news.by = profile_name(thread.author) or "A member"
        news.link = site_link(str(thread.url))
        news.newest = thread.first_published_at
    return news


def build_digest(user: AuthenticatedActor, since: datetime) -> Digest:
    """What a digest tells ``user``, from what they may read now and was not emailed before: their
    unsent notifications (one item per thread, per alert) and threads started in their communities
    since ``since`` that no earlier email told them of."""
    digest = Digest()
    unsent = readable_notifications(user).filter(emailed_at__isnull=True).order_by("created_at")
    by_thread: dict[int, ThreadNews] = {}
    for notification in (
        unsent.exclude(_is_alert)
        .filter(thread__isnull=False)
        .select_related(
            "thread__community",
            "thread__author__profile",
            "post__author__profile",
            "post__quoted_post",
        )
    ):
        thread = cast(ThreadPage, notification.thread)  # filtered on above
        news = by_thread.setdefault(thread.pk, ThreadNews(thread=thread))
        news.notifications.append(notification)
        if notification.post_id is None and notification.kind != Notification.Kind.ACCEPTED:
            news.new_thread = True
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    muted = Watch.objects.filter(user=user, level=WatchLevel.MUTED, community__isnull=False).values(
        "community_id"
    )
    told = Notification.objects.filter(recipient=user, emailed_at__isnull=False).values("thread_id")
    new_threads = (
        readable_threads(user)
        .filter(community__in=mine, first_published_at__gt=since)
        .exclude(community__in=muted)
        .exclude(pk__in=list(by_thread))
        .exclude(pk__in=told)
        .exclude(author=user)
        .select_related("community", "author__profile")
        .order_by("first_published_at")
    )
    for thread in new_threads:
        by_thread[thread.pk] = ThreadNews(thread=thread, new_thread=True)

    newest = [post for news in by_thread.values() if (post := _newest_post(news)) is not None]
    positions = reply_positions(newest)
    items = [_thread_news(user, news, positions) for news in by_thread.values()]
    involving = [item for item in items if item.involves_member]
    digest.for_you = sorted(
        involving,
        key=lambda item: (
            _REASON_ORDER.index(item.reasons[0]),
            -(item.newest.timestamp() if item.newest else 0),
        ),
    )
    rest: dict[CommunityPage, list[ThreadNews]] = {}
    for item in items:
        if not item.involves_member:
            rest.setdefault(community_of(item.thread), []).append(item)
    digest.communities = OrderedDict(sorted(rest.items(), key=lambda pair: pair[0].title))

    by_alert: dict[str, AlertNews] = {}
    alerted = list(
        unsent.filter(_is_alert).select_related(
            "thread", "post__thread", "good_practice", "community"
        )
    )
    positions = reply_positions(n.post for n in alerted if n.post is not None)
    for notification in alerted:
        key = notification.alert or f"{notification.kind}:{notification.subject}"
        alert = by_alert.get(key)
        if alert is None:
            alert = by_alert[key] = AlertNews(
                alert=notification.alert,
                title=notification.get_kind_display(),
                unsubscribe_link=unsubscribe_link(user, notification.alert),
            )
        link = site_link(notification_url(notification, positions))
        alert.items.append((notification.subject, link))
        alert.notification_ids.append(notification.pk)
    digest.alerts = list(by_alert.values())

    digest.workflow = [
        (notification, site_link(notification_url(notification)))
        for notification in unsent.exclude(_is_alert)
        .filter(thread__isnull=True)
        .select_related("good_practice", "community")
    ]
    return digest


def do_send_digest(user: AuthenticatedActor, now: datetime | None = None) -> bool:
    """Send ``user`` their digest if there is anything in it; returns whether there was.

    One transaction records the email in the outbox, marks what it tells as emailed and moves the
    member's digest bookmark; the email is delivered after it. A run that dies before the commit
    leaves nothing behind, one that dies after it leaves the email to the outbox's sweep, as does a
    mail server that refuses; a re-run sends nothing twice (the key names the previous digest) and
    the next digest repeats nothing."""
    now = now or timezone.now()
    preferences_for(user)
    with transaction.atomic():
        prefs = NotificationSettings.objects.select_for_update().get(user=user)
        since = prefs.last_digest_at or now - timedelta(days=1)
        digest = build_digest(user, since)
        sent, outbox = False, None
        if digest and user.email:
            previous = prefs.last_digest_at.isoformat() if prefs.last_digest_at else "first"
            context = _email_context(
                user,
                digest=digest,
                subject=f"Your daily digest from {settings.SITE_NAME}",
                unsubscribe_link=unsubscribe_link(user, DIGEST_ALERT),
                date=timezone.localtime(now),
            )
            outbox = _record(
                user,
                # the previous digest names this one: a re-run after a crash sends nothing twice
                key=f"digest:{user.pk}:{previous}",
                subject=context["subject"],
                template="digest",
                context=context,
            )
            Notification.objects.filter(pk__in=digest.notification_ids).update(emailed_at=now)
            sent = True
        prefs.last_digest_at = now
        prefs.save(update_fields=["last_digest_at"])
    if outbox is not None:
        deliver(outbox)  # after the commit: a crash before it leaves the email to the sweep
    return sent


def do_send_digests(now: datetime | None = None) -> int:
    """Send every daily-digest member their digest; returns how many had one."""
    users = get_user_model().objects.filter(
        is_active=True, notification_settings__email_frequency=EmailFrequency.DAILY
    )
    return sum(do_send_digest(user, now) for user in users)


# -- unsubscribing from an email ------------------------------------------------------------------

DIGEST_ALERT = "digest"


def unsubscribe_from_digest(user: AuthenticatedActor, _rest: str) -> bool:
    """The digest's one-click unsubscribe: no more emails (the member can choose again in settings)."""
    prefs = preferences_for(user)
    if prefs.email_frequency != EmailFrequency.DAILY:
        return False
    prefs.email_frequency = EmailFrequency.OFF
    prefs.save(update_fields=["email_frequency"])
    return True


def check_unsubscribe(token: str) -> tuple[AuthenticatedActor, str]:
    """The member and alert an unsubscribe link names; refuses a link that was altered, or names
    an account that is gone or an alert no part of the hub knows."""
    try:
        user_id, alert = alerts.read_unsubscribe_token(token)
    except signing.BadSignature:
        raise Refusal(
            "This unsubscribe link is not valid: it may have been cut short or changed. "
            "Use the link from the email itself, or change your emails in your settings."
        ) from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not alerts.knows(alert):
        raise Refusal(
            "This unsubscribe link no longer applies: there is nothing left to switch off."
        )
    return user, alert


def describe_alert(user: AuthenticatedActor, alert: str) -> str:
    """How an unsubscribe page names the alert: the digest, or the alert's latest notification."""
    if alert == DIGEST_ALERT:
        return "the daily digest email"
    latest = Notification.objects.filter(recipient=user, alert=alert).first()
    if latest is None:
        return "this alert"
    return f"“{latest.subject}” ({latest.get_kind_display().lower()})"


@transaction.atomic
def do_unsubscribe_from_email(user: AuthenticatedActor, alert: str) -> bool:
    """Switch off ``user``'s ``alert`` from an email's link; whether anything changed."""
    return alerts.do_unsubscribe(user, alert)
