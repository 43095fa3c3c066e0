from __future__ import annotations

from django.db import models
from django.http import Http404
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PageManager, PageQuerySet
from wagtail.search import index


class Visibility(models.TextChoices):
    OPEN = "open", "Open: anyone can read, signed-in users join with one click"
    RESTRICTED = "restricted", "Restricted: listed, content for members, joining needs approval"
    PRIVATE = "private", "Private: invitation only, invisible to non-members"


class CommunityQuerySet(PageQuerySet):
    def listable_for(self, user) -> CommunityQuerySet:
        """Communities whose existence ``user`` may know of (private ones only to members)."""
        from communities.permissions import listable_community_filter

        return self.filter(listable_community_filter(user))

    def readable_by(self, user) -> CommunityQuerySet:
        """Communities whose threads and posts ``user`` may read."""
        from communities.permissions import readable_community_filter

        return self.filter(readable_community_filter(user))


CommunityManager = PageManager.from_queryset(CommunityQuerySet)


class CommunityTag(TaggedItemBase):
    content_object = ParentalKey("communities.CommunityPage", related_name="tagged_items", on_delete=models.CASCADE)


class CommunityIndexPage(Page):
    """The hub's list of communities of practice."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["communities.CommunityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["communities"] = (
            CommunityPage.objects.live().child_of(self).listable_for(request.user).order_by("title")
        )
        return context


class CommunityPage(Page):
    """A community of practice: its description, topics, the councils it serves and who may see it."""

    description = models.TextField(max_length=2000, help_text="Shown to everyone who can see the community.")
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.OPEN)
    tags = ClusterTaggableManager(through=CommunityTag, blank=True)
    councils = ParentalManyToManyField("linkeddata.Area", blank=True, related_name="communities")

    objects = CommunityManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("visibility"),
        FieldPanel("tags"),
        FieldPanel("councils"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("description"), index.FilterField("visibility")]
    parent_page_types = ["communities.CommunityIndexPage"]
    subpage_types = ["communities.ThreadPage"]

    def serve(self, request, *args, **kwargs):
        from communities.permissions import can_see_community

        if not can_see_community(request.user, self):
            raise Http404  # private communities do not exist for non-members
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from communities.models.threads import ThreadPage
        from communities.permissions import can_read_community

        context = super().get_context(request, *args, **kwargs)
        context["can_read"] = can_read_community(request.user, self)
        context["threads"] = ThreadPage.objects.none()
        if context["can_read"]:
            from communities.views.discussions import community_threads_context

            context.update(community_threads_context(request, self))
        return context
