"""Following figures and telling people when they change.

Doors call ``check_*`` then ``do_*``. An import's changes reach ``record_release`` in the import's
transaction (``linkeddata.services.publish.on_figures_changed``): they are kept as a
``FiguresRelease`` and told after the commit by a task (``do_tell_release``), once: each follower
gets one in-app notification (emailed by the usual paths, by their email preference), and each
community linked to a changed measure gets a post from the Knowledge Hub in the measure's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from communities.data_alerts.queries import OWN_COUNCIL, FigureLine, MeasureNews, describe_changes
from communities.discussions.services.notifications import do_set_email_frequency, site_link
from communities.discussions.services.threads import do_reply, do_start_thread
from communities.errors import Invalid, Refusal
from communities.models import (
    CommunityPage,
    DataAlertSettings,
    DataFollow,
    EmailFrequency,
    FiguresRelease,
    LinkedMeasure,
    Membership,
    Notification,
    Profile,
    ProfileVisibility,
    ThreadPage,
    Watch,
    WatchLevel,
)
from communities.permissions import check_community_access
from hub.floor.actor import Actor, AuthenticatedActor
from hub.floor.tasks import enqueue_on_commit
from linkeddata.models import Area, Measure
from linkeddata.services.publish import FigureChange

TELL_TASK = "communities.data_alerts.tasks.tell_figures_release"
EMAIL_TASK = "communities.discussions.tasks.send_notification_emails"
EMAIL_BATCH = 1000
SYSTEM_USERNAME = "knowledge-hub"
SYSTEM_NAME = "Knowledge Hub"


# -- following ------------------------------------------------------------------------------------


def check_follow(user: Actor, *, measure: Measure | None, area: Area | None) -> AuthenticatedActor:
    if not user.is_authenticated:
        raise Refusal("Sign in to follow figures.")
    if measure is None and area is None:
        raise Invalid("Choose a measure or a council to follow.")
    return user


@transaction.atomic
def do_follow(
    user: AuthenticatedActor, *, measure: Measure | None, area: Area | None
) -> DataFollow:
    """Follow ``measure`` (every council), ``area`` (every measure) or both (the area on the measure);
    following twice keeps the one follow."""
    follow, _ = DataFollow.objects.get_or_create(user=user, measure=measure, area=area)
    return follow


@transaction.atomic
def do_unfollow(user: AuthenticatedActor, follow_id: int) -> bool:
    """Stop one of the member's own follows; False when they have no such follow."""
    deleted, _ = DataFollow.objects.filter(user=user, pk=follow_id).delete()
    return bool(deleted)


@transaction.atomic
def do_set_own_council(user: AuthenticatedActor, on: bool) -> bool:
    """Follow (or stop following) the figures of the council the member's profile names; whether it
    changed."""
    row, _ = DataAlertSettings.objects.get_or_create(user=user)
    if row.own_council == on:
        return False
    row.own_council = on
    row.save(update_fields=["own_council"])
    return True


RELEASE = "release-"  # the alert "follow:release-<id>": every follow of the member it matched


def unsubscribe(user: AuthenticatedActor, rest: str) -> bool:
    """The ``"follow"`` alert switched off from an email: ``follow:council``, ``follow:<id>``, or
    ``follow:release-<id>`` (a notification raised by several follows at once): every one of the
    member's follows that raised it is switched off."""
    if rest.startswith(RELEASE) and rest[len(RELEASE) :].isdigit():
        raisers = _raisers_of(user, int(rest[len(RELEASE) :]))
        changed = [unsubscribe(user, raiser) for raiser in raisers]  # each switched off
        return any(changed)
    if rest == OWN_COUNCIL:
        return do_set_own_council(user, False)
    return rest.isdigit() and len(rest) < 19 and do_unfollow(user, int(rest))


def _raisers_of(user: AuthenticatedActor, release_id: int) -> list[str]:
    """The member's follows (ids, or ``council``) that raised their notification of a release: the
    release's changes matched again, against the follows made before it was told."""
    release = FiguresRelease.objects.filter(pk=release_id, sent_at__isnull=False).first()
    if release is None:
        return []
    news = describe_changes(release.changes)
    alert = _follow_alerts(news, release.pk, user_id=user.pk, until=release.sent_at).get(user.pk)
    return alert.raisers if alert is not None else []


# -- a community's linked measures ---------------------------------------------------------------


def check_link_measures(user: Actor, community: CommunityPage) -> AuthenticatedActor:
    """Only the community's facilitators and owners (and site staff) choose its linked measures."""
    check_community_access(user, community, "facilitate")
    assert user.is_authenticated  # noqa: S101 - facilitating implies signed in
    return user


@transaction.atomic
def do_set_linked_measures(community: CommunityPage, measures: list[Measure]) -> None:
    """Link ``community`` to exactly ``measures``; a measure kept keeps its thread."""
    keep = {m.pk for m in measures}
    LinkedMeasure.objects.filter(community=community).exclude(measure_id__in=keep).delete()
    have = set(
        LinkedMeasure.objects.filter(community=community).values_list("measure_id", flat=True)
    )
    LinkedMeasure.objects.bulk_create(
        [LinkedMeasure(community=community, measure=m) for m in measures if m.pk not in have]
    )


# -- telling people what an import changed --------------------------------------------------------


def record_release(changes: list[FigureChange]) -> None:
    """Listener of ``on_figures_changed``: keep the changes with the figures, tell after the commit."""
    release = FiguresRelease.objects.create(
        changes=[
            {
                "dataset": c.dataset_id,
                "area": c.area_id,
                "period": c.period_id,
                "old": None if c.old is None else str(c.old),
                "new": str(c.new),
            }
            for c in changes
        ]
    )
    enqueue_on_commit(TELL_TASK, release.pk)


@dataclass
class _Alert:
    """What one member is told of one release, and which of their follows raised it (follow ids,
    or ``council`` for their own council's figures)."""

    release_id: int
    raisers: list[str] = field(default_factory=list)
    lines: dict[tuple[int, int, int], tuple[str, str, str, str]] = field(default_factory=dict)
    moved: list[str] = field(default_factory=list)

    @property
    def alert(self) -> str:
        """The follow that raised it, or the release when several did: its one-click unsubscribe
        switches off every one of them (``unsubscribe``)."""
        if len(self.raisers) == 1:
            return f"follow:{self.raisers[0]}"
        return f"follow:{RELEASE}{self.release_id}"

    def raised_by(self, raiser: str, told: bool) -> None:
        if told and raiser not in self.raisers:
            self.raisers.append(raiser)

    def add_line(self, line: FigureLine) -> bool:
        key = (line.dataset.pk, line.period.pk, line.area.pk)
        if key not in self.lines:
            self.lines[key] = (line.text, line.headline, line.comparison_url, line.figures_url)
            if line.moved:
                self.moved.append(line.headline)
        return True

    def add_news(self, news: MeasureNews) -> bool:
        key = (news.dataset.pk, news.period.pk, 0)
        if key not in self.lines:
            headline = f"New figures: {news.text}"
            self.lines[key] = (news.text, headline, news.url, news.url)
        return True

    def notification(self, user_id: int) -> Notification:
        lines = list(self.lines.values())
        text, headline, link, _ = lines[0]
        if len(lines) > 1:
            first = self.moved[0] if self.moved else "New figures you follow"
            headline = f"{first} (and {len(lines) - 1} more)"
        # Whole addresses: the message is read in the hub and in emails, where a path leads nowhere.
        message = "\n\n".join(
            f"{text}.\nComparison: {site_link(comparison)}"
            + (f"\nFigures: {site_link(figures)}" if figures != comparison else "")
            for text, _, comparison, figures in lines
        )
        return Notification(
            recipient_id=user_id,
            kind=Notification.Kind.FIGURES,
            headline=headline[:300],
            link=link[:500],
            message=message,
            alert=self.alert,
        )


def do_tell_release(release_id: int) -> int:
    """Tell followers and linked communities what release ``release_id`` changed, once; returns how
    many members were notified (none when it was told already)."""
    with transaction.atomic():
        release = (
            FiguresRelease.objects.select_for_update()
            .filter(pk=release_id, sent_at__isnull=True)
            .first()
        )
        if release is None:
            return 0
        news = describe_changes(release.changes)
        notified = _notify_followers(news, release.pk)
        _post_in_communities(news)
        release.sent_at = timezone.now()
        release.save(update_fields=["sent_at"])
    return notified


def _follow_alerts(
    news: list[MeasureNews],
    release_id: int,
    *,
    user_id: int | None = None,
    until: datetime | None = None,
) -> dict[int, _Alert]:
    """Per member, what ``news`` tells them and which of their follows raised it (one member with
    ``user_id``; only follows made by ``until``): a fixed number of queries whatever the number of
    followers."""
    by_measure: dict[int, list[MeasureNews]] = {}
    by_area: dict[int, list[FigureLine]] = {}
    for item in news:
        by_measure.setdefault(item.dataset.measure_id, []).append(item)
        for area_id, line in item.lines.items():
            by_area.setdefault(area_id, []).append(line)
    alerts: dict[int, _Alert] = {}
    follows = DataFollow.objects.filter(user__is_active=True).filter(
        Q(area__isnull=True, measure_id__in=by_measure)
        | Q(measure__isnull=True, area_id__in=by_area)
        | Q(measure_id__in=by_measure, area_id__in=by_area)
    )
    own = Profile.objects.filter(council_id__in=by_area, user__is_active=True).exclude(
        user__data_alert_settings__own_council=False
    )
    if user_id is not None:
        follows, own = follows.filter(user_id=user_id), own.filter(user_id=user_id)
    if until is not None:
        follows = follows.filter(created_at__lte=until)
    rows = follows.order_by("pk").values_list("pk", "user_id", "measure_id", "area_id")
    for follow_id, follower, measure_id, area_id in rows.iterator(chunk_size=5000):
        alert = alerts.setdefault(follower, _Alert(release_id))
        told = False
        if area_id is None:
            for item in by_measure[measure_id]:
                told = alert.add_news(item) or told
        else:
            for line in by_area.get(area_id, []):
                if measure_id is None or line.dataset.measure_id == measure_id:
                    told = alert.add_line(line) or told
        alert.raised_by(str(follow_id), told)
    for follower, council_id in own.values_list("user_id", "council_id").iterator(chunk_size=5000):
        alert = alerts.setdefault(follower, _Alert(release_id))
        told = False
        for line in by_area[council_id]:
            told = alert.add_line(line) or told
        alert.raised_by(OWN_COUNCIL, told)
    return alerts


def _notify_followers(news: list[MeasureNews], release_id: int) -> int:
    """One notification per member, whichever of their follows match (lines grouped); bulk writes,
    a fixed number of queries whatever the number of followers."""
    alerts = _follow_alerts(news, release_id)
    created = Notification.objects.bulk_create(
        [a.notification(user_id) for user_id, a in alerts.items() if a.lines], batch_size=2000
    )
    ids = [n.pk for n in created]
    for start in range(0, len(ids), EMAIL_BATCH):
        enqueue_on_commit(EMAIL_TASK, ids[start : start + EMAIL_BATCH])
    return len(created)


def system_author() -> AuthenticatedActor:
    """The Knowledge Hub as an author: an account nobody signs in to, its profile shown to nobody,
    hearing of nothing."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, first_name=SYSTEM_NAME, is_active=False)
        user.set_unusable_password()
        user.save()
        Profile.objects.create(
            user=user, display_name=SYSTEM_NAME, visibility=ProfileVisibility.PRIVATE
        )
        do_set_email_frequency(user, EmailFrequency.OFF)
    return user


def post_text(news: list[MeasureNews], councils: set[int]) -> str:
    """A community's post (Markdown): the measure's news, then the councils its members come from."""
    parts = []
    for item in news:
        parts.append(f"**{item.text}.** [See every council's figures]({item.url})")
        mine = [line for area_id, line in item.lines.items() if area_id in councils]
        if mine:
            parts.append(
                "For the councils this community's members come from:\n\n"
                + "\n".join(f"- {line.text} ([comparison]({line.comparison_url}))" for line in mine)
            )
        else:
            parts.append(
                "None of the councils this community's members come from has a new figure."
            )
    return "\n\n".join(parts)


def _post_in_communities(news: list[MeasureNews]) -> None:
    by_measure: dict[int, list[MeasureNews]] = {}
    for item in news:
        by_measure.setdefault(item.dataset.measure_id, []).append(item)
    links = LinkedMeasure.objects.filter(
        measure_id__in=by_measure, community__live=True
    ).select_related("community", "measure", "thread")
    author: AuthenticatedActor | None = None
    for link in links:
        author = author or system_author()
        councils = set(
            Profile.objects.filter(
                council__isnull=False,
                user__memberships__community=link.community,
                user__memberships__status=Membership.Status.ACTIVE,
            ).values_list("council_id", flat=True)
        )
        body = post_text(by_measure[link.measure_id], councils)
        thread = link.thread
        if thread is not None and ThreadPage.objects.live().filter(pk=thread.pk).exists():
            do_reply(thread=thread, author=author, body=body)
            continue
        thread = do_start_thread(
            community=link.community,
            author=author,
            title=f"New data: {link.measure.label}",
            body=body,
        )
        # The hub hears of nothing in its own threads.
        Watch.objects.filter(user=author, thread=thread).update(level=WatchLevel.MUTED)
        link.thread = thread
        link.save(update_fields=["thread"])
