"""Reuse signals on good practice: "This helped me" and "We adopted this", one of each per member."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HelpedSignal(models.Model):
    """A member found a case study helpful."""

    page = models.ForeignKey(
        "communities.GoodPracticePage", on_delete=models.CASCADE, related_name="helped_signals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="one_helped_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} was helped by {self.page_id}"


class Adoption(models.Model):
    """A member records that their council adopted a case study."""

    page = models.ForeignKey(
        "communities.GoodPracticePage", on_delete=models.CASCADE, related_name="adoptions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    council = models.ForeignKey(
        "linkeddata.Area", on_delete=models.PROTECT, related_name="adoptions"
    )
    note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="one_adoption_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.council} adopted {self.page_id}"


class GoodPracticeDiscussion(models.Model):
    """The thread where members ask questions about a case study (kept off the page's revisions)."""

    page = models.OneToOneField(
        "communities.GoodPracticePage", on_delete=models.CASCADE, related_name="discussion"
    )
    thread = models.OneToOneField(
        "communities.ThreadPage", on_delete=models.CASCADE, related_name="good_practice_discussion"
    )

    def __str__(self) -> str:
        return f"Discussion of {self.page_id}"
