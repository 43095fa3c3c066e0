from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from hub.floor.fragments import KeptViewRestrictionsMixin, kept_value


class HomePage(KeptViewRestrictionsMixin, Page):
    """The hub's home page: what the hub is for and the communities a visitor may see."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["communities.CommunityIndexPage", "communities.GoodPracticeIndexPage"]
    max_count = 1

    def route(self, request, path_components):
        """Wagtail's routing, with the home page's few children (the hub's two indexes) read as
        their specific pages once per content generation (``kept_value``): two queries fewer on
        every page view below them. Anything else routes as Wagtail does."""
        if path_components and settings.FRAGMENT_CACHE_SECONDS:
            children = kept_value(
                "home-children",
                [self.pk],
                lambda: {c.slug: c for c in self.get_children().specific()},
            )
            child = children.get(path_components[0])
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from communities.models import GoodPracticePage
        from communities.permissions import listable_communities

        context = super().get_context(request, *args, **kwargs)
        context["communities"] = listable_communities(request.user).order_by("title")[:24]
        context["good_practice"] = GoodPracticePage.objects.published().order_by(
            "-first_published_at"
        )[:6]
        return context
