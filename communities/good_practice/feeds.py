"""Newly published good practice as RSS 2.0 and Atom feeds: published case studies only.

Links, ids and author follow the discussions' feeds (``communities.discussions.feeds.HubFeed``)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.feedgenerator import Atom1Feed

from communities.discussions.feeds import HubFeed
from communities.models import GoodPracticeIndexPage, GoodPracticePage, ServiceArea
from hub.floor.links import tag_uri


class GoodPracticeFeed(HubFeed):
    """Newly published good practice (RSS 2.0); published case studies only."""

    title = "New good practice"
    description = "Case studies newly published in the good practice library."

    def feed_guid(self) -> str:
        library = GoodPracticeIndexPage.objects.first()
        return tag_uri(library.first_published_at if library else None, "good-practice")

    def link(self):
        library = GoodPracticeIndexPage.objects.first()
        return library.url if library else "/"

    def items(self):
        return (
            GoodPracticePage.objects.published()
            .order_by("-first_published_at")
            .prefetch_related(
                Prefetch("service_areas", ServiceArea.objects.select_related("parent"))
            )[:30]
        )

    def item_title(self, item: GoodPracticePage) -> str:
        return item.title

    def item_description(self, item: GoodPracticePage) -> str:
        return item.summary

    def item_link(self, item: GoodPracticePage) -> str:
        return item.url

    def item_guid(self, item: GoodPracticePage) -> str:
        return tag_uri(item.first_published_at, f"good-practice-{item.pk}")

    def item_pubdate(self, item: GoodPracticePage):
        return item.first_published_at

    def item_updateddate(self, item: GoodPracticePage):
        return item.last_published_at

    def item_categories(self, item: GoodPracticePage):
        return [area.full_name for area in item.service_areas.all()]  # prefetched in items()


class GoodPracticeAtomFeed(GoodPracticeFeed):
    feed_type = Atom1Feed
    subtitle = GoodPracticeFeed.description
