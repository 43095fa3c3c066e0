from __future__ import annotations

from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from hub.floor.fragments import KeptViewRestrictionsMixin, kept_value


def route_to_child(parent: Page, request, path_components: list[str], *, keep: bool = False):
    """Wagtail's routing, one query fewer a level for a page with one subpage type: the child named
    by the next path component read as that type in one query, instead of a page then its specific
    row; with ``keep``, once per content generation (``kept_value``: the child's own ``serve``
    still checks who may see it). Anything else (no such child of that type) routes as Wagtail
    does."""
    child_models = parent.clean_subpage_models()
    if path_components and len(child_models) == 1:
        slug = path_components[0]

        def read():
            return child_models[0].objects.child_of(parent).filter(slug=slug).first()

        child = kept_value("child-page", [parent.pk, slug], read) if keep else read()
        if child is not None:
            child._cached_parent_obj = parent
            if getattr(child, "community_id", None) == parent.pk:
                child.community = parent  # a thread's community is its parent: no query for it
            return child.route(request, path_components[1:])
    return Page.route(parent, request, path_components)


class Visibility(models.TextChoices):
    OPEN = "open", "Open: anyone can read, signed-in users join with one click"
    RESTRICTED = "restricted", "Restricted: listed, content for members, joining needs approval"
    PRIVATE = "private", "Private: invitation only, invisible to non-members"


class CommunityTag(TaggedItemBase):
    content_object = ParentalKey(
        "communities.CommunityPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class CommunityIndexPage(KeptViewRestrictionsMixin, Page):
    """The hub's list of communities of practice."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hub.HomePage"]
    subpage_types = ["communities.CommunityPage"]
    max_count = 1

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, keep=True)

    def get_context(self, request, *args, **kwargs):
        from communities.discussions.queries import community_directory_page

        context = super().get_context(request, *args, **kwargs)
        context.update(community_directory_page(request, self))
        return context


class CommunityPage(KeptViewRestrictionsMixin, Page):
    """A community of practice: its description, topics, the councils it serves and who may see it."""

    description = models.TextField(
        max_length=2000, help_text="Shown to everyone who can see the community."
    )
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.OPEN
    )
    tags = ClusterTaggableManager(through=CommunityTag, blank=True)
    councils = ParentalManyToManyField("linkeddata.Area", blank=True, related_name="communities")

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldPanel("visibility"),
        FieldPanel("tags"),
        FieldPanel("councils"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.FilterField("visibility"),
    ]
    parent_page_types = ["communities.CommunityIndexPage"]
    is_creatable = False  # created on the hub's own pages, never in the admin (wagtail_hooks.py)
    subpage_types = ["communities.ThreadPage"]

    def route(self, request, path_components):
        return route_to_child(self, request, path_components, keep=True)

    def serve(self, request, *args, **kwargs):
        from communities.discussions.queries import check_reader

        check_reader(request.user, self)  # private communities do not exist for non-members
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from communities.discussions.queries import community_page

        context = super().get_context(request, *args, **kwargs)
        context.update(community_page(request, self))
        return context
