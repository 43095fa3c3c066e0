from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class HomePage(Page):
    """The hub's home page: what the hub is for and the communities a visitor may see."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["communities.CommunityIndexPage", "communities.GoodPracticeIndexPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from communities.models import GoodPracticePage
        from communities.permissions import listable_communities

        context = super().get_context(request, *args, **kwargs)
        context["communities"] = listable_communities(request.user).order_by("title")[:24]
        context["good_practice"] = GoodPracticePage.objects.published().order_by(
            "-first_published_at"
        )[:6]
        return context
