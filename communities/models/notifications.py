"""Watching threads and communities, in-app notifications and each member's email preferences."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WatchLevel(models.TextChoices):
    """As Discourse: *watching* hears of every post, *normal* only of mentions and replies to
    one's own threads, *muted* of nothing."""

    WATCHING = "watching", "Watching: tell me about every new post"
    NORMAL = "normal", "Normal: tell me when I am mentioned"
    MUTED = "muted", "Muted: never tell me"


class Watch(models.Model):
    """How closely a member follows one thread or one community."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    community = models.ForeignKey(
        "communities.CommunityPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watches",
    )
    thread = models.ForeignKey(
        "communities.ThreadPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="watches",
    )
    level = models.CharField(max_length=10, choices=WatchLevel.choices, default=WatchLevel.WATCHING)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=True, thread__isnull=False)
                | Q(community__isnull=False, thread__isnull=True),
                name="watch_one_thing",
            ),
            models.UniqueConstraint(fields=["user", "thread"], name="one_watch_per_thread"),
            models.UniqueConstraint(fields=["user", "community"], name="one_watch_per_community"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.level} {self.thread or self.community}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        NEW_THREAD = "new_thread", "New thread"
        REPLY = "reply", "New reply"
        MENTION = "mention", "Mentioned you"
        ACCEPTED = "accepted", "Your answer was accepted"
        # The workflows: about a case study, a community's requests or flags, not a thread's posts.
        PUBLISHED = "published", "Your case study was published"
        CHANGES = "changes", "Changes requested on your case study"
        REVIEW = "review", "A case study is waiting for your review"
        QUESTION = "question", "A question on your case study"
        JOIN_REQUEST = "join_request", "A request to join"
        FLAG = "flag", "A post was flagged"
        # The alerts: raised by something a member follows (``alert`` names it), not by a thread.
        FIGURES = "figures", "New figures you follow"
        SAVED_SEARCH = "saved_search", "New results for your saved search"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A thread's notifications name the thread (and the reply); the workflows' name the case study
    # or the community, with ``message`` (a reviewer's comment, a request's message, a flag's reason).
    thread = models.ForeignKey(
        "communities.ThreadPage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    good_practice = models.ForeignKey(
        "communities.GoodPracticePage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    community = models.ForeignKey(
        "communities.CommunityPage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    message = models.TextField(blank=True)
    # An alert's own words and destination, when it names no thread, case study or community (new
    # figures for a measure or an area lead to the figures or the comparison).
    headline = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=500, blank=True)
    # The alert that raised it ("saved-search:12", "follow:34"): its email carries a one-click
    # unsubscribe from that alert alone.
    alert = models.CharField(max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"

    @property
    def subject(self) -> str:
        """What the notification is about, in a few words: the alert's headline, or the thread, case
        study or community."""
        things = (self.thread, self.good_practice, self.community)  # read only as far as needed
        return subject_from(self.headline, (None if t is None else str(t.title) for t in things))


def subject_from(headline: str, titles: Iterable[str | None]) -> str:
    """A notification's subject: its alert's headline, or the first title there is of its thread,
    case study and community (in that order); the notifications page gives the titles as text."""
    return headline or next((title for title in titles if title is not None), "")


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away"
    DAILY = "daily", "A daily digest"
    OFF = "off", "Never"


def new_feed_token() -> str:
    """A raw secret for a member's feed links; only its digest (``token_digest``) is stored."""
    return secrets.token_urlsafe(32)


class NotificationSettings(models.Model):
    """A member's email preference, secret feed token (its SHA-256 digest) and dashboard bookmark."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_frequency = models.CharField(
        max_length=10, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATE
    )
    # The raw token is in the member's feed links only (shown once); none until they ask for links.
    feed_token_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    dashboard_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"
