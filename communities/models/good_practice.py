from __future__ import annotations

from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index


class GoodPracticeTag(TaggedItemBase):
    content_object = ParentalKey(
        "communities.GoodPracticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class GoodPracticeIndexPage(Page):
    """The hub-wide library of good practice."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["communities.GoodPracticePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["case_studies"] = (
            GoodPracticePage.objects.live().child_of(self).order_by("-first_published_at")
        )
        return context


class GoodPracticePage(Page):
    """A structured case study of what worked in a council, for others to reuse."""

    summary = models.TextField(max_length=1000)
    problem = models.TextField()
    approach = models.TextField()
    outcomes = models.TextField()
    councils = ParentalManyToManyField("linkeddata.Area", blank=True, related_name="good_practice")
    tags = ClusterTaggableManager(through=GoodPracticeTag, blank=True)
    body = StreamField([("text", blocks.RichTextBlock())], blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("problem"),
        FieldPanel("approach"),
        FieldPanel("outcomes"),
        FieldPanel("councils"),
        FieldPanel("tags"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("approach"),
        index.SearchField("outcomes"),
    ]
    parent_page_types = ["communities.GoodPracticeIndexPage"]
    subpage_types: list[str] = []
