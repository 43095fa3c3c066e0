from __future__ import annotations

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from hub.floor.fragments import KeptViewRestrictionsMixin, fragment, in_kept_order, kept_value

HOME_COMMUNITIES = 24  # cards on the home page


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
        """The first communities the reader may know of and the latest published case studies,
        each kept per content generation (``fragment``): the communities per the very list the
        reader is shown, the case studies once for everyone."""
        from communities.discussions.queries import first_listable_community_ids
        from communities.models import CommunityPage, GoodPracticePage

        context = super().get_context(request, *args, **kwargs)
        ids = first_listable_community_ids(request.user, HOME_COMMUNITIES)

        def communities() -> str:
            shown = in_kept_order(CommunityPage.objects, ids)
            return render_to_string("hub/home_communities.html", {"communities": shown})

        def good_practice() -> str:
            pages = GoodPracticePage.objects.published().order_by("-first_published_at")[:6]
            return render_to_string("hub/home_good_practice.html", {"good_practice": pages})

        context["communities_html"] = fragment("home-communities", [tuple(ids)], communities)
        context["good_practice_html"] = fragment("home-good-practice", [], good_practice)
        return context
