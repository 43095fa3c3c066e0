"""What search keeps in the database: the indexing outbox, the (anonymous) search log and members'
saved searches with what each has delivered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxEntry(models.Model):
    """A document whose index copy is out of date, written in the same transaction as the change.

    The indexing task reads the object's current state from the database, so one entry per change
    is enough whatever the change was; entries are deleted once the index has the new state.
    """

    doc_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when retries are exhausted."
    )

    class Meta:
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["doc_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.object_id}"


class SearchQueryLog(models.Model):
    """One search, with no identity: only the searcher's council and region when signed in."""

    query = models.CharField(max_length=200)
    filters = models.CharField(max_length=300, blank=True)
    council = models.ForeignKey(
        "linkeddata.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.CharField(max_length=60, blank=True)
    result_count = models.PositiveIntegerField()
    backend = models.CharField(max_length=15)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["region", "created_at"])]

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A result someone opened from a search."""

    search = models.ForeignKey(SearchQueryLog, on_delete=models.CASCADE, related_name="clicks")
    doc_id = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.doc_id} from {self.search_id}"


class SavedSearch(models.Model):
    """A member's search kept under a name, run again for them as new content is published.

    ``q`` and ``filters`` are the search page's parameters (``search.queries.parse_params`` reads
    them back); ``last_checked_at`` is when a daily or weekly search last looked for new content.
    """

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Straight away"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    q = models.CharField(max_length=500, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.DAILY, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["frequency", "last_checked_at"])]

    def __str__(self) -> str:
        return self.name


class SavedSearchDelivery(models.Model):
    """One result already delivered for a saved search: never delivered twice."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="deliveries"
    )
    doc_id = models.CharField(max_length=40)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "doc_id"], name="saved_search_delivered_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_id} for {self.saved_search_id}"
