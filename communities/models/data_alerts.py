"""Following figures: members' follows, their own council's default, communities' linked measures,
and the outbox of what each import changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DataFollow(models.Model):
    """A member follows a measure (every council), an area (every measure) or an area on one measure."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_follows"
    )
    measure = models.ForeignKey(
        "linkeddata.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "linkeddata.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False) | Q(area__isnull=False),
                name="data_follow_names_something",
            ),
            models.UniqueConstraint(
                fields=["user", "measure"],
                condition=Q(area__isnull=True),
                name="one_follow_per_measure",
            ),
            models.UniqueConstraint(
                fields=["user", "area"],
                condition=Q(measure__isnull=True),
                name="one_follow_per_area",
            ),
            models.UniqueConstraint(
                fields=["user", "area", "measure"],
                condition=Q(measure__isnull=False, area__isnull=False),
                name="one_follow_per_area_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.area_id or '*'}/{self.measure_id or '*'}"


class DataAlertSettings(models.Model):
    """A member's own council's figures are followed by default (``own_council``) until switched off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_alert_settings"
    )
    own_council = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Data alerts of {self.user_id}"


class LinkedMeasure(models.Model):
    """A measure a community follows: new figures are posted in its thread "New data: <label>"."""

    community = models.ForeignKey(
        "communities.CommunityPage", on_delete=models.CASCADE, related_name="linked_measures"
    )
    measure = models.ForeignKey("linkeddata.Measure", on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(
        "communities.ThreadPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community", "measure__label"]
        constraints = [
            models.UniqueConstraint(fields=["community", "measure"], name="one_link_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} ~ {self.measure_id}"


class FiguresRelease(models.Model):
    """What one import changed (``changes``: dataset, area, period, old and new value), written in the
    import's transaction; ``sent_at`` is set in the transaction that tells followers and communities,
    so a release is told once however often its task runs."""

    created_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Figures release {self.pk}"
