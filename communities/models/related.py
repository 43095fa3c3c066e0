from django.db import models
from django.utils import timezone


class RelatedContent(models.Model):
    """The threads and case studies most like a page, worked out when the page changes (a task,
    after the service announced the change), not when someone reads it. Stored for every reader:
    the page filters it by what its reader may see."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    page_ids = models.JSONField(default=list, help_text="related pages' ids, most alike first")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "related content"

    def __str__(self) -> str:
        return f"related to page {self.page_id}"
